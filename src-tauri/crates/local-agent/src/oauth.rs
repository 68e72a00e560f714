//! The agent as an OAuth 2.0 server (what HeyGen runs at `app.heygen.com/oauth/authorize` and
//! `api2.heygen.com/v1/oauth/{token,revoke}`, spec §8): authorization codes bound to a PKCE S256
//! challenge, single-use and short-lived; access tokens that expire; refresh tokens (rotated only
//! when configured, because HeyGen may answer a refresh without a new one); revocation.
//!
//! Grants live in memory only: a restarted agent forgets them, and clients must then sign in
//! again (their refresh answers `invalid_grant`), which is also what a revoked grant looks like.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::util::{now_unix, random_secret};

/// Prefix of the access tokens this agent issues (how `require_key` tells them from API keys).
pub const ACCESS_PREFIX: &str = "lat_";
const REFRESH_PREFIX: &str = "lrt_";
const CODE_PREFIX: &str = "lac_";
/// Authorization codes are usable this long (RFC 6749 recommends at most 10 minutes).
pub const CODE_TTL_SECS: i64 = 60;
/// A consent page must be answered within this time.
const CONSENT_TTL_SECS: i64 = 600;
/// HeyGen's tokens last about 10 days.
pub const DEFAULT_ACCESS_TTL_SECS: u64 = 864_000;

/// How the OAuth server behaves (`Config::oauth`).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSettings {
    /// Only this client id may sign in; `None` = any client id.
    pub client_id: Option<String>,
    /// Lifetime of an access token (`expires_in`).
    pub access_ttl_secs: u64,
    /// Answer each refresh with a new refresh token and retire the old one.
    pub rotate_refresh_tokens: bool,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        OAuthSettings {
            client_id: None,
            access_ttl_secs: DEFAULT_ACCESS_TTL_SECS,
            rotate_refresh_tokens: false,
        }
    }
}

/// An authorize request waiting for the user's Approve or Deny.
#[derive(Debug, Clone)]
pub struct Consent {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: String,
    created: i64,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    expires_at: i64,
}

struct Access {
    grant: String,
    expires_at: i64,
}

struct Refresh {
    grant: String,
    client_id: String,
}

#[derive(Default)]
struct Inner {
    settings: OAuthSettings,
    consents: HashMap<String, Consent>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    stats: OAuthStats,
}

/// Counters for tests (`GET /__admin/oauth`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OAuthStats {
    pub codes_issued: u64,
    pub tokens_issued: u64,
    pub refreshes: u64,
    pub revocations: u64,
    pub expired_rejections: u64,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Expired,
    Unknown,
}

/// An OAuth error answer (`{"error": code, "error_description": …}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn grant(description: impl Into<String>) -> Self {
        OAuthError {
            status: 400,
            error: "invalid_grant",
            description: description.into(),
        }
    }
    fn request(description: impl Into<String>) -> Self {
        OAuthError {
            status: 400,
            error: "invalid_request",
            description: description.into(),
        }
    }
    fn client(description: impl Into<String>) -> Self {
        OAuthError {
            status: 401,
            error: "invalid_client",
            description: description.into(),
        }
    }
}

/// Tokens issued by a grant or refresh.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: u64,
    /// `None` when a refresh keeps the old refresh token (no rotation).
    pub refresh_token: Option<String>,
}

#[derive(Default)]
pub struct OAuthServer(Mutex<Inner>);

/// `BASE64URL(SHA256(verifier))` (RFC 7636 S256).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Loopback redirect URIs only (what a desktop app registers: `http://127.0.0.1:<port>/…`).
pub fn redirect_allowed(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(
                    u.host_str(),
                    Some("127.0.0.1") | Some("localhost") | Some("[::1]")
                )
                && u.fragment().is_none()
        }
        Err(_) => false,
    }
}

impl OAuthServer {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn configure(&self, settings: OAuthSettings) {
        self.inner().settings = settings;
    }

    pub fn settings(&self) -> OAuthSettings {
        self.inner().settings.clone()
    }

    pub fn stats(&self) -> OAuthStats {
        self.inner().stats.clone()
    }

    /// Checks an authorize request; on success remembers it and returns the consent id the page's
    /// form posts back. Errors here are shown on the page, never redirected (RFC 6749 §4.1.2.1:
    /// an unchecked redirect URI must not receive anything).
    pub fn begin(
        &self,
        response_type: Option<&str>,
        client_id: Option<&str>,
        redirect_uri: Option<&str>,
        state: Option<&str>,
        code_challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<String, OAuthError> {
        let mut inner = self.inner();
        let client_id = client_id
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| OAuthError::request("client_id is missing"))?;
        if let Some(expected) = &inner.settings.client_id {
            if expected != client_id {
                return Err(OAuthError::client(format!(
                    "unknown client id {client_id:?}"
                )));
            }
        }
        let redirect_uri = redirect_uri
            .filter(|r| redirect_allowed(r))
            .ok_or_else(|| {
                OAuthError::request("redirect_uri must be a loopback http://127.0.0.1:<port>/ URL")
            })?;
        if response_type != Some("code") {
            return Err(OAuthError::request("response_type must be code"));
        }
        let challenge = code_challenge
            .filter(|c| (43..=128).contains(&c.len()))
            .ok_or_else(|| OAuthError::request("a PKCE code_challenge is required"))?;
        if method != Some("S256") {
            return Err(OAuthError::request("code_challenge_method must be S256"));
        }
        let now = now_unix();
        inner
            .consents
            .retain(|_, c| now - c.created < CONSENT_TTL_SECS);
        let id = random_secret(16);
        inner.consents.insert(
            id.clone(),
            Consent {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                state: state.map(str::to_string),
                code_challenge: challenge.to_string(),
                created: now,
            },
        );
        Ok(id)
    }

    /// The user's answer to a consent page: the consent (used up) and, when approved, a code.
    pub fn decide(&self, consent_id: &str, approve: bool) -> Option<(Consent, Option<String>)> {
        let mut inner = self.inner();
        let consent = inner.consents.remove(consent_id)?;
        if now_unix() - consent.created >= CONSENT_TTL_SECS {
            return None;
        }
        if !approve {
            return Some((consent, None));
        }
        let code = format!("{CODE_PREFIX}{}", random_secret(20));
        inner.codes.insert(
            code.clone(),
            Code {
                client_id: consent.client_id.clone(),
                redirect_uri: consent.redirect_uri.clone(),
                code_challenge: consent.code_challenge.clone(),
                expires_at: now_unix() + CODE_TTL_SECS,
            },
        );
        inner.stats.codes_issued += 1;
        Some((consent, Some(code)))
    }

    /// `grant_type=authorization_code`. The code is spent even when the exchange fails (a
    /// replayed or guessed code must not get a second try).
    pub fn exchange(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Issued, OAuthError> {
        let mut inner = self.inner();
        let grant = inner.codes.remove(code).ok_or_else(|| {
            OAuthError::grant("the authorization code is unknown or was already used")
        })?;
        if grant.expires_at <= now_unix() {
            return Err(OAuthError::grant("the authorization code has expired"));
        }
        if grant.client_id != client_id {
            return Err(OAuthError::grant("the code was issued to another client"));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OAuthError::grant(
                "redirect_uri does not match the authorize request",
            ));
        }
        if verifier.is_empty() || s256(verifier) != grant.code_challenge {
            return Err(OAuthError::grant("the PKCE code_verifier does not match"));
        }
        let grant_id = random_secret(8);
        let refresh = format!("{REFRESH_PREFIX}{}", random_secret(24));
        inner.refresh.insert(
            refresh.clone(),
            Refresh {
                grant: grant_id.clone(),
                client_id: client_id.to_string(),
            },
        );
        let mut issued = issue_access(&mut inner, &grant_id);
        issued.refresh_token = Some(refresh);
        Ok(issued)
    }

    /// `grant_type=refresh_token`.
    pub fn refresh(&self, refresh_token: &str, client_id: &str) -> Result<Issued, OAuthError> {
        let mut inner = self.inner();
        let Some(entry) = inner.refresh.get(refresh_token) else {
            return Err(OAuthError::grant(
                "the refresh token is unknown, revoked or was rotated",
            ));
        };
        if !client_id.is_empty() && entry.client_id != client_id {
            return Err(OAuthError::grant(
                "the refresh token belongs to another client",
            ));
        }
        let grant = entry.grant.clone();
        let client = entry.client_id.clone();
        inner.stats.refreshes += 1;
        let mut issued = issue_access(&mut inner, &grant);
        if inner.settings.rotate_refresh_tokens {
            inner.refresh.remove(refresh_token);
            let next = format!("{REFRESH_PREFIX}{}", random_secret(24));
            inner.refresh.insert(
                next.clone(),
                Refresh {
                    grant,
                    client_id: client,
                },
            );
            issued.refresh_token = Some(next);
        }
        Ok(issued)
    }

    /// RFC 7009: revoking either token ends the whole grant (sign-out). Unknown tokens are fine.
    pub fn revoke(&self, token: &str) {
        let mut inner = self.inner();
        let grant = inner
            .access
            .get(token)
            .map(|a| a.grant.clone())
            .or_else(|| inner.refresh.get(token).map(|r| r.grant.clone()));
        if let Some(grant) = grant {
            inner.access.retain(|_, a| a.grant != grant);
            inner.refresh.retain(|_, r| r.grant != grant);
            inner.stats.revocations += 1;
        }
    }

    /// Is `token` one this server issued (by its shape)?
    pub fn is_access_token(token: &str) -> bool {
        token.starts_with(ACCESS_PREFIX)
    }

    /// The grant an access token belongs to, or why it is refused.
    pub fn check(&self, token: &str) -> Result<String, TokenProblem> {
        let mut inner = self.inner();
        let now = now_unix();
        let result = match inner.access.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(a) if a.expires_at <= now => Err(TokenProblem::Expired),
            Some(a) => Ok(a.grant.clone()),
        };
        if result == Err(TokenProblem::Expired) {
            inner.stats.expired_rejections += 1;
        }
        result
    }

    /// Test hook: every access token issued so far stops working now (the client's clock still
    /// thinks they are good, so its next request gets a 401 and must refresh).
    pub fn expire_access_tokens(&self) -> usize {
        let mut inner = self.inner();
        let now = now_unix();
        for a in inner.access.values_mut() {
            a.expires_at = now;
        }
        inner.access.len()
    }

    /// Test hook: every refresh token is revoked (the next refresh answers `invalid_grant`).
    pub fn revoke_refresh_tokens(&self) -> usize {
        let mut inner = self.inner();
        let n = inner.refresh.len();
        inner.refresh.clear();
        n
    }
}

fn issue_access(inner: &mut Inner, grant: &str) -> Issued {
    let ttl = inner.settings.access_ttl_secs;
    let token = format!("{ACCESS_PREFIX}{}", random_secret(24));
    inner.access.insert(
        token.clone(),
        Access {
            grant: grant.to_string(),
            expires_at: now_unix().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        },
    );
    inner.stats.tokens_issued += 1;
    Issued {
        access_token: token,
        expires_in: ttl,
        refresh_token: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const REDIRECT: &str = "http://127.0.0.1:5555/callback";

    fn approved(server: &OAuthServer) -> String {
        let id = server
            .begin(
                Some("code"),
                Some("app"),
                Some(REDIRECT),
                Some("st"),
                Some(CHALLENGE),
                Some("S256"),
            )
            .unwrap();
        server.decide(&id, true).unwrap().1.unwrap()
    }

    #[test]
    fn codes_are_single_use_and_pkce_checked() {
        let server = OAuthServer::default();
        assert_eq!(s256(VERIFIER), CHALLENGE);
        let code = approved(&server);
        let bad = server
            .exchange(&code, "app", REDIRECT, "wrong")
            .unwrap_err();
        assert_eq!(bad.error, "invalid_grant");
        // The failed try spent the code.
        assert!(server.exchange(&code, "app", REDIRECT, VERIFIER).is_err());
        let code = approved(&server);
        let issued = server.exchange(&code, "app", REDIRECT, VERIFIER).unwrap();
        assert!(server.check(&issued.access_token).is_ok());
        assert!(server.exchange(&code, "app", REDIRECT, VERIFIER).is_err());
    }

    #[test]
    fn refresh_keeps_or_rotates_and_revoke_ends_the_grant() {
        let server = OAuthServer::default();
        let code = approved(&server);
        let first = server.exchange(&code, "app", REDIRECT, VERIFIER).unwrap();
        let refresh = first.refresh_token.unwrap();
        let again = server.refresh(&refresh, "app").unwrap();
        assert!(again.refresh_token.is_none(), "no rotation by default");
        server.expire_access_tokens();
        assert_eq!(
            server.check(&again.access_token),
            Err(TokenProblem::Expired)
        );
        server.configure(OAuthSettings {
            rotate_refresh_tokens: true,
            ..OAuthSettings::default()
        });
        let rotated = server.refresh(&refresh, "app").unwrap();
        let next = rotated.refresh_token.unwrap();
        assert_eq!(
            server.refresh(&refresh, "app").unwrap_err().error,
            "invalid_grant"
        );
        server.revoke(&next);
        assert_eq!(
            server.check(&rotated.access_token),
            Err(TokenProblem::Unknown)
        );
        assert!(server.refresh(&next, "app").is_err());
    }

    #[test]
    fn authorize_requests_are_checked() {
        let server = OAuthServer::default();
        let begin = |redirect: &str, method: &str| {
            server.begin(
                Some("code"),
                Some("app"),
                Some(redirect),
                None,
                Some(CHALLENGE),
                Some(method),
            )
        };
        assert!(begin("https://evil.example/cb", "S256").is_err());
        assert!(begin(REDIRECT, "plain").is_err());
        assert!(begin(REDIRECT, "S256").is_ok());
        server.configure(OAuthSettings {
            client_id: Some("only-me".into()),
            ..OAuthSettings::default()
        });
        assert_eq!(begin(REDIRECT, "S256").unwrap_err().error, "invalid_client");
    }
}
