//! OAuth 2.0 sign-in (spec §8): authorization code + PKCE (S256) for a public client, token
//! refresh and revocation. The desktop shell opens [`AuthorizationRequest::url`] in the browser,
//! receives the redirect on a loopback port, and hands it to [`OAuthClient::code_from_redirect`].
//!
//! Tokens are [`Secret`]s. Token endpoints answer in plain OAuth JSON (no `data` envelope);
//! their `{"error": "invalid_grant", …}` answers become [`ApiError::Api`] with that code.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::Rng;
use reqwest::Method;
use sha2::{Digest, Sha256};
use url::Url;

use crate::client::{http_client_builder, read_json, send_with_policy};
use crate::config::{default_user_agent, Auth, RetryPolicy};
use crate::error::ApiError;
use crate::models::OAuthTokenResponse;
use crate::secret::Secret;
use crate::url_policy;

pub const AUTHORIZE_URL: &str = "https://app.heygen.com/oauth/authorize";
pub const TOKEN_URL: &str = "https://api2.heygen.com/v1/oauth/token";
pub const REVOKE_URL: &str = "https://api2.heygen.com/v1/oauth/revoke";
/// Tokens count as expired this long before the server says they are.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Where and as whom to sign in. A third-party app needs its own `client_id` from HeyGen.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub client_id: String,
    /// e.g. `http://127.0.0.1:53682/callback` (loopback, any free port).
    pub redirect_uri: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: String,
    /// Space-separated scopes, if the app needs to ask for any.
    pub scope: Option<String>,
    pub user_agent: String,
    pub proxy: Option<String>,
    /// Total time for one token request.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

impl OAuthConfig {
    pub fn new(client_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        OAuthConfig {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            authorize_url: AUTHORIZE_URL.into(),
            token_url: TOKEN_URL.into(),
            revoke_url: REVOKE_URL.into(),
            scope: None,
            user_agent: default_user_agent(),
            proxy: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

impl OAuthConfig {
    /// Endpoints that go with an API base URL: HeyGen's own for `https://api.heygen.com`, and
    /// for any other base URL (a local agent) that server's `/oauth/authorize`,
    /// `/v1/oauth/token` and `/v1/oauth/revoke`.
    pub fn for_base_url(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        base_url: &str,
    ) -> Self {
        let mut config = OAuthConfig::new(client_id, redirect_uri);
        let base = base_url.trim().trim_end_matches('/');
        if base != crate::config::DEFAULT_BASE_URL {
            config.authorize_url = format!("{base}/oauth/authorize");
            config.token_url = format!("{base}/v1/oauth/token");
            config.revoke_url = format!("{base}/v1/oauth/revoke");
        }
        config
    }

    /// The same endpoints and client id with another redirect URI (each sign-in listens on a
    /// new port).
    pub fn with_redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = redirect_uri.into();
        self
    }
}

/// One sign-in attempt: open `url`; keep `state` and `code_verifier` until the redirect arrives.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub code_verifier: Secret,
}

/// Tokens from a code exchange or refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthTokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Unix seconds when the access token stops working (`None` if the server did not say).
    pub expires_at: Option<i64>,
    pub token_type: Option<String>,
}

impl OAuthTokens {
    /// True when the access token is expired or within [`EXPIRY_MARGIN`] of it.
    pub fn is_expired(&self, now_unix: i64) -> bool {
        self.expires_at
            .is_some_and(|at| now_unix + EXPIRY_MARGIN.as_secs() as i64 >= at)
    }

    /// The API client credentials for these tokens.
    pub fn auth(&self) -> Auth {
        Auth::Bearer(self.access_token.clone())
    }

    fn from_response(
        response: OAuthTokenResponse,
        now_unix: i64,
        previous_refresh: Option<&Secret>,
    ) -> Self {
        let refresh_token = response
            .refresh_token
            .filter(|t| !t.is_empty())
            .or_else(|| previous_refresh.cloned());
        OAuthTokens {
            access_token: response.access_token,
            refresh_token,
            expires_at: response
                .expires_in
                .map(|secs| now_unix.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))),
            token_type: response.token_type,
        }
    }
}

/// Talks to the OAuth endpoints.
#[derive(Clone)]
pub struct OAuthClient {
    config: OAuthConfig,
    token_url: Url,
    revoke_url: Url,
    http: reqwest::Client,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// Checks the endpoints (https, or http on loopback) and the redirect URI.
    pub fn new(config: OAuthConfig) -> Result<Self, ApiError> {
        if config.client_id.trim().is_empty() {
            return Err(ApiError::Config {
                message: "an OAuth client id is required".into(),
            });
        }
        url_policy::parse_allowed(&config.authorize_url)?;
        url_policy::parse_allowed(&config.redirect_uri)?;
        let token_url = url_policy::parse_allowed(&config.token_url)?;
        let revoke_url = url_policy::parse_allowed(&config.revoke_url)?;
        let http = http_client_builder(
            &config.user_agent,
            config.proxy.as_deref(),
            Duration::from_secs(10),
        )?
        .build()
        .map_err(|e| ApiError::Config {
            message: format!("could not build the HTTP client: {}", e.without_url()),
        })?;
        Ok(OAuthClient {
            config,
            token_url,
            revoke_url,
            http,
        })
    }

    /// A new PKCE (S256) authorization URL with a random `state`.
    pub fn authorization_request(&self) -> AuthorizationRequest {
        let code_verifier = random_token(64);
        let state = random_token(32);
        let mut url = match Url::parse(&self.config.authorize_url) {
            Ok(url) => url,
            // Checked in `new`.
            Err(_) => Url::parse(AUTHORIZE_URL).expect("constant URL"),
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.config.client_id)
                .append_pair("redirect_uri", &self.config.redirect_uri)
                .append_pair("state", &state)
                .append_pair("code_challenge", &pkce_challenge(&code_verifier))
                .append_pair("code_challenge_method", "S256");
            if let Some(scope) = &self.config.scope {
                query.append_pair("scope", scope);
            }
        }
        AuthorizationRequest {
            url: url.into(),
            state,
            code_verifier: Secret::new(code_verifier),
        }
    }

    /// The `code` from the redirect the browser was sent to, after checking `state`. A denied
    /// sign-in (`?error=access_denied`) becomes an error with that code.
    pub fn code_from_redirect(
        &self,
        redirect: &str,
        expected_state: &str,
    ) -> Result<String, ApiError> {
        let url = Url::parse(redirect.trim()).map_err(|_| ApiError::InvalidUrl {
            reason: "the sign-in redirect is not a URL".into(),
        })?;
        let get = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(error) = get("error") {
            let message = get("error_description")
                .unwrap_or_else(|| format!("sign-in was not completed ({error})"));
            return Err(ApiError::Api(Box::new(crate::error::ApiFailure {
                status: 400,
                code: error
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(64)
                    .collect(),
                message,
                param: None,
                doc_url: None,
                request_id: None,
                retry_after: None,
            })));
        }
        if get("state").as_deref() != Some(expected_state) {
            return Err(ApiError::invalid_request(
                "the sign-in answer does not match this sign-in (state)",
                Some("state"),
            ));
        }
        get("code").filter(|c| !c.is_empty()).ok_or_else(|| {
            ApiError::invalid_request("the sign-in answer has no code", Some("code"))
        })
    }

    /// Exchanges an authorization code for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &Secret,
    ) -> Result<OAuthTokens, ApiError> {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.config.redirect_uri.clone()),
            ("client_id", self.config.client_id.clone()),
            ("code_verifier", code_verifier.expose().to_owned()),
        ];
        let response = self
            .post_form::<OAuthTokenResponse>(&self.token_url, form)
            .await?;
        Ok(OAuthTokens::from_response(response, now_unix(), None))
    }

    /// New tokens from a refresh token. The old refresh token is kept when the server omits one.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<OAuthTokens, ApiError> {
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose().to_owned()),
            ("client_id", self.config.client_id.clone()),
        ];
        let response = self
            .post_form::<OAuthTokenResponse>(&self.token_url, form)
            .await?;
        Ok(OAuthTokens::from_response(
            response,
            now_unix(),
            Some(refresh_token),
        ))
    }

    /// Revokes a token (sign-out). Success bodies are ignored.
    pub async fn revoke(&self, token: &Secret) -> Result<(), ApiError> {
        let form = vec![
            ("token", token.expose().to_owned()),
            ("client_id", self.config.client_id.clone()),
        ];
        self.post_form::<serde::de::IgnoredAny>(&self.revoke_url, form)
            .await
            .map(|_| ())
    }

    async fn post_form<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        url: &Url,
        form: Vec<(&'static str, String)>,
    ) -> Result<T, ApiError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter())
            .finish();
        let make = || {
            Ok(self
                .http
                .request(Method::POST, url.clone())
                .timeout(self.config.timeout)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header(reqwest::header::ACCEPT, "application/json")
                .body(body.clone()))
        };
        send_with_policy(&self.config.retry, None, false, make, |response| {
            Box::pin(async move {
                // An empty 200 (common for revoke) is success for callers that ignore the body.
                if response.status().is_success() && response.content_length() == Some(0) {
                    return serde_json::from_slice::<T>(b"null").map_err(|_| ApiError::Decode {
                        status: response.status().as_u16(),
                        reason: "the body was empty".into(),
                        truncated: false,
                        request_id: crate::response::request_id(response.headers()),
                    });
                }
                read_json::<T>(response).await
            })
        })
        .await
    }
}

/// `BASE64URL(SHA256(verifier))` without padding (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Random characters from the PKCE "unreserved" set.
fn random_token(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_example() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorization_url_and_redirect_parsing() {
        let client =
            OAuthClient::new(OAuthConfig::new("app_1", "http://127.0.0.1:53682/callback")).unwrap();
        let request = client.authorization_request();
        let url = Url::parse(&request.url).unwrap();
        assert!(request.url.starts_with(AUTHORIZE_URL));
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["client_id"], "app_1");
        assert_eq!(pairs["redirect_uri"], "http://127.0.0.1:53682/callback");
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(
            pairs["code_challenge"],
            pkce_challenge(request.code_verifier.expose())
        );
        assert_eq!(pairs["state"], request.state);
        assert_eq!(request.code_verifier.expose().len(), 64);
        assert!(
            !request.url.contains(request.code_verifier.expose()),
            "the verifier stays private"
        );

        let ok = format!(
            "http://127.0.0.1:53682/callback?code=abc&state={}",
            request.state
        );
        assert_eq!(
            client.code_from_redirect(&ok, &request.state).unwrap(),
            "abc"
        );
        let forged = "http://127.0.0.1:53682/callback?code=abc&state=other";
        assert_eq!(
            client
                .code_from_redirect(forged, &request.state)
                .unwrap_err()
                .param(),
            Some("state")
        );
        let denied = "http://127.0.0.1:53682/callback?error=access_denied&state=x";
        assert_eq!(
            client
                .code_from_redirect(denied, &request.state)
                .unwrap_err()
                .code(),
            "access_denied"
        );
        // Two requests never share a verifier or state.
        let other = client.authorization_request();
        assert_ne!(other.state, request.state);
        assert_ne!(other.code_verifier, request.code_verifier);
    }

    #[test]
    fn expiry_margin_and_kept_refresh_token() {
        let response: OAuthTokenResponse = serde_json::from_str(
            r#"{"token_type": "Bearer", "access_token": "a2", "expires_in": 864000}"#,
        )
        .unwrap();
        let old = Secret::new("r1");
        let tokens = OAuthTokens::from_response(response, 1_000, Some(&old));
        assert_eq!(tokens.refresh_token, Some(old));
        assert_eq!(tokens.expires_at, Some(865_000));
        assert!(!tokens.is_expired(864_939));
        assert!(tokens.is_expired(864_940));
        assert_eq!(tokens.auth(), Auth::Bearer(Secret::new("a2")));
    }

    #[test]
    fn refuses_plain_http_endpoints_and_empty_client_id() {
        let mut config = OAuthConfig::new("app", "http://127.0.0.1:1/cb");
        config.token_url = "http://auth.example.com/token".into();
        assert_eq!(OAuthClient::new(config).unwrap_err().code(), "invalid_url");
        assert_eq!(
            OAuthClient::new(OAuthConfig::new(" ", "http://127.0.0.1:1/cb"))
                .unwrap_err()
                .code(),
            "invalid_config"
        );
    }
}
