//! Sign in with HeyGen (OAuth 2.0 + PKCE), studio side: the tokens in the OS keyring (one JSON
//! entry, never SQLite, logs or IPC), a cross-process lock around refreshes, and the loopback
//! redirect that receives the browser's answer (`loopback.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use heygen_api::oauth::OAuthTokens;
use heygen_api::{ApiError, Secret, TokenStore};
use serde::{Deserialize, Serialize};

use crate::credentials::Credentials;
use crate::error::{CoreError, Result};

/// Environment variable naming the OAuth client id (overrides the setting).
pub const CLIENT_ID_ENV: &str = "HEYGEN_OAUTH_CLIENT_ID";

/// A value that must never be printed: `Debug` and `Display` redact it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }
    /// The value, for the keyring or a request header only.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(heygen_api::secret::REDACTED)
    }
}

impl<T> std::fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(heygen_api::secret::REDACTED)
    }
}

/// What the keyring's `oauth` entry holds: the tokens plus where and as whom they were issued,
/// so `vas` refreshes at the same endpoints with the same client id as the app.
#[derive(Clone, Serialize, Deserialize)]
struct StoredJson {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<i64>,
    token_type: Option<String>,
    client_id: String,
    base_url: String,
    account: Option<String>,
}

/// A stored sign-in. The tokens are [`Secret`]s; the rest is safe to show.
#[derive(Clone, Debug)]
pub struct StoredSignIn {
    pub tokens: Sensitive<OAuthTokens>,
    pub client_id: String,
    pub base_url: String,
    /// Who signed in (`GET /v3/users/me` at sign-in), for "Signed in as …".
    pub account: Option<String>,
}

impl StoredSignIn {
    fn to_secret(&self) -> Result<Secret> {
        let t = self.tokens.expose();
        let json = StoredJson {
            access_token: t.access_token.expose().to_string(),
            refresh_token: t.refresh_token.as_ref().map(|r| r.expose().to_string()),
            expires_at: t.expires_at,
            token_type: t.token_type.clone(),
            client_id: self.client_id.clone(),
            base_url: self.base_url.clone(),
            account: self.account.clone(),
        };
        serde_json::to_string(&json)
            .map(Secret::new)
            .map_err(|e| CoreError::serialization("the sign-in", e))
    }

    fn from_secret(secret: &Secret) -> Result<Self> {
        // The error never quotes the stored text (it holds the tokens).
        let json: StoredJson =
            serde_json::from_str(secret.expose()).map_err(|_| CoreError::Keyring {
                detail: "the stored HeyGen sign-in is unreadable; sign out and sign in again"
                    .into(),
            })?;
        Ok(StoredSignIn {
            tokens: Sensitive::new(OAuthTokens {
                access_token: Secret::new(json.access_token),
                refresh_token: json.refresh_token.map(Secret::new),
                expires_at: json.expires_at,
                token_type: json.token_type,
            }),
            client_id: json.client_id,
            base_url: json.base_url,
            account: json.account,
        })
    }
}

impl Credentials {
    /// The stored OAuth sign-in, if any. Blocking.
    pub fn sign_in(&self) -> Result<Option<StoredSignIn>> {
        match self.oauth_tokens()? {
            Some(secret) => StoredSignIn::from_secret(&secret).map(Some),
            None => Ok(None),
        }
    }

    /// Stores (or replaces) the sign-in. Blocking.
    pub fn set_sign_in(&self, sign_in: &StoredSignIn) -> Result<()> {
        self.set_oauth_tokens(&sign_in.to_secret()?)
    }

    /// Where the cross-process refresh lock lives: one file per keyring service, in the user's
    /// runtime dir (or the temp dir), so every process sharing the tokens shares the lock.
    pub fn refresh_lock_path(&self) -> PathBuf {
        let dir = dirs::runtime_dir().unwrap_or_else(std::env::temp_dir);
        let name: String = self
            .service()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        dir.join(format!("{name}.oauth-refresh.lock"))
    }
}

/// The keyring behind an [`heygen_api::OAuthSession`]: refreshed tokens are saved there and a
/// file lock keeps two processes from refreshing at once.
pub struct KeyringTokenStore {
    credentials: Credentials,
    lock_path: PathBuf,
}

impl KeyringTokenStore {
    pub fn new(credentials: Credentials) -> Arc<Self> {
        let lock_path = credentials.refresh_lock_path();
        Arc::new(KeyringTokenStore {
            credentials,
            lock_path,
        })
    }
}

fn store_error(e: CoreError) -> ApiError {
    ApiError::Config {
        message: e.to_string(),
    }
}

/// An exclusive lock on the refresh-lock file, released when dropped (or when the process dies,
/// so a crashed `vas` never locks the app out).
struct FileLock(std::fs::File);

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = fs4::fs_std::FileExt::unlock(&self.0);
    }
}

impl TokenStore for KeyringTokenStore {
    fn lock(&self) -> std::result::Result<Box<dyn Send>, ApiError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|e| ApiError::Config {
                message: format!("could not open {}: {e}", self.lock_path.display()),
            })?;
        fs4::fs_std::FileExt::lock_exclusive(&file).map_err(|e| ApiError::Config {
            message: format!("could not lock {}: {e}", self.lock_path.display()),
        })?;
        Ok(Box::new(FileLock(file)))
    }

    fn load(&self) -> std::result::Result<Option<OAuthTokens>, ApiError> {
        Ok(self
            .credentials
            .sign_in()
            .map_err(store_error)?
            .map(|s| s.tokens.expose().clone()))
    }

    fn save(&self, tokens: &OAuthTokens) -> std::result::Result<(), ApiError> {
        // Keep the client id, endpoints and account; replace only the tokens.
        let Some(mut current) = self.credentials.sign_in().map_err(store_error)? else {
            // Signed out meanwhile: do not resurrect the sign-in.
            return Ok(());
        };
        current.tokens = Sensitive::new(tokens.clone());
        self.credentials.set_sign_in(&current).map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_and_stored_sign_in_never_print_tokens() {
        let sign_in = StoredSignIn {
            tokens: Sensitive::new(OAuthTokens {
                access_token: Secret::new("lat_secret_access"),
                refresh_token: Some(Secret::new("lrt_secret_refresh")),
                expires_at: Some(1),
                token_type: None,
            }),
            client_id: "app".into(),
            base_url: "http://127.0.0.1:1".into(),
            account: Some("me".into()),
        };
        let text = format!("{sign_in:?} {}", sign_in.tokens);
        assert!(!text.contains("secret_"), "{text}");
        let round = StoredSignIn::from_secret(&sign_in.to_secret().unwrap()).unwrap();
        assert_eq!(round.tokens, sign_in.tokens);
        assert_eq!(round.account.as_deref(), Some("me"));
        let err =
            StoredSignIn::from_secret(&Secret::new("{\"access_token\": \"lat_x\"")).unwrap_err();
        assert!(!err.to_string().contains("lat_x"));
    }
}
