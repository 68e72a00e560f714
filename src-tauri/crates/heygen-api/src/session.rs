//! An OAuth sign-in in use: the current tokens, refreshed [`EXPIRY_MARGIN`] before they expire
//! and once after a 401, with an optional [`TokenStore`] that persists them (the app's keyring)
//! and serialises refreshes across processes.
//!
//! Why the store is consulted under its lock: the app and `vas` share one sign-in. When both
//! find the token stale at once, the first refreshes and saves; the second, once it gets the
//! lock, re-reads the store and adopts the first one's tokens instead of spending the refresh
//! token again (with rotation, a second use would answer `invalid_grant` and sign both out).

use std::sync::Arc;

use crate::error::ApiError;
use crate::oauth::{OAuthClient, OAuthTokens};
use crate::secret::Secret;

/// Where a session's tokens persist. Every method is blocking (keyring, file lock): the session
/// calls them on tokio's blocking pool.
pub trait TokenStore: Send + Sync + 'static {
    /// Held around a refresh; dropping the returned guard releases it.
    fn lock(&self) -> Result<Box<dyn Send>, ApiError>;
    /// The tokens as persisted now (another process may have refreshed them).
    fn load(&self) -> Result<Option<OAuthTokens>, ApiError>;
    fn save(&self, tokens: &OAuthTokens) -> Result<(), ApiError>;
}

/// A signed-in session: hand it to [`crate::Auth::OAuth`] and every request of the client uses
/// (and refreshes) it.
pub struct OAuthSession {
    client: OAuthClient,
    tokens: tokio::sync::Mutex<OAuthTokens>,
    store: Option<Arc<dyn TokenStore>>,
}

impl std::fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OAuthSession(<redacted>)")
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn signed_out(reason: &ApiError) -> ApiError {
    // The refresh token is no longer accepted: only a new sign-in helps. Keep the 401 shape so
    // callers treat it like any other rejected credential.
    ApiError::Api(Box::new(crate::error::ApiFailure {
        status: 401,
        code: "oauth_signed_out".into(),
        message: format!(
            "Your HeyGen sign-in has expired or was revoked ({}). Sign in again.",
            reason.code()
        ),
        param: None,
        doc_url: None,
        request_id: reason.request_id().map(str::to_string),
        retry_after: None,
    }))
}

impl OAuthSession {
    pub fn new(
        client: OAuthClient,
        tokens: OAuthTokens,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Self {
        OAuthSession {
            client,
            tokens: tokio::sync::Mutex::new(tokens),
            store,
        }
    }

    pub fn oauth_client(&self) -> &OAuthClient {
        &self.client
    }

    /// A copy of the current tokens.
    pub async fn tokens(&self) -> OAuthTokens {
        self.tokens.lock().await.clone()
    }

    /// An access token good for at least [`crate::oauth::EXPIRY_MARGIN`], refreshed first if not.
    pub async fn access_token(&self) -> Result<Secret, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.is_expired(now_unix()) {
            let stale = tokens.access_token.clone();
            self.refresh_locked(&mut tokens, &stale).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// After the server refused `refused` with a 401: a new access token (refreshed once; if
    /// another request or process already refreshed, its token is used instead).
    pub async fn refresh_after_unauthorized(&self, refused: &Secret) -> Result<Secret, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if &tokens.access_token == refused {
            self.refresh_locked(&mut tokens, refused).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// Forces a refresh now (tests, "refresh" buttons).
    pub async fn refresh_now(&self) -> Result<(), ApiError> {
        let mut tokens = self.tokens.lock().await;
        let stale = tokens.access_token.clone();
        self.refresh_locked(&mut tokens, &stale).await
    }

    async fn refresh_locked(
        &self,
        tokens: &mut OAuthTokens,
        stale: &Secret,
    ) -> Result<(), ApiError> {
        let guard = match &self.store {
            Some(store) => {
                let store = store.clone();
                let (guard, stored) = tokio::task::spawn_blocking(move || {
                    let guard = store.lock()?;
                    let stored = store.load()?;
                    Ok::<_, ApiError>((guard, stored))
                })
                .await
                .map_err(|e| ApiError::Config {
                    message: format!("the token store task failed: {e}"),
                })??;
                match stored {
                    // Someone else refreshed while we waited for the lock.
                    Some(fresh)
                        if &fresh.access_token != stale && !fresh.is_expired(now_unix()) =>
                    {
                        tracing::debug!("adopting tokens another process refreshed");
                        *tokens = fresh;
                        return Ok(());
                    }
                    // Newer refresh token (rotated by another process) but no usable access.
                    Some(fresh) if fresh.refresh_token.is_some() => {
                        tokens.refresh_token = fresh.refresh_token;
                    }
                    Some(_) => {}
                    None => {
                        return Err(signed_out(&ApiError::Config {
                            message: "signed out elsewhere".into(),
                        }))
                    }
                }
                Some(guard)
            }
            None => None,
        };
        let Some(refresh) = tokens.refresh_token.clone() else {
            return Err(signed_out(&ApiError::Config {
                message: "no refresh token".into(),
            }));
        };
        let fresh = match self.client.refresh(&refresh).await {
            Ok(fresh) => fresh,
            Err(err) if matches!(err.http_status(), Some(400) | Some(401)) => {
                return Err(signed_out(&err))
            }
            Err(err) => return Err(err),
        };
        tracing::info!("OAuth access token refreshed");
        if let Some(store) = &self.store {
            let store = store.clone();
            let to_save = fresh.clone();
            tokio::task::spawn_blocking(move || store.save(&to_save))
                .await
                .map_err(|e| ApiError::Config {
                    message: format!("the token store task failed: {e}"),
                })??;
        }
        *tokens = fresh;
        drop(guard);
        Ok(())
    }

    /// Sign-out at the server: revokes the refresh token (which ends the grant) and the access
    /// token. The caller deletes the stored tokens afterwards either way.
    pub async fn revoke(&self) -> Result<(), ApiError> {
        let tokens = self.tokens.lock().await.clone();
        let mut result = Ok(());
        if let Some(refresh) = &tokens.refresh_token {
            result = self.client.revoke(refresh).await;
        }
        let access = self.client.revoke(&tokens.access_token).await;
        result.and(access)
    }
}

/// An [`OAuthSession`] shared by clients; equal when it is the same session.
#[derive(Clone)]
pub struct SharedSession(pub Arc<OAuthSession>);

impl PartialEq for SharedSession {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedSession {}

impl std::fmt::Debug for SharedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for SharedSession {
    type Target = OAuthSession;
    fn deref(&self) -> &OAuthSession {
        &self.0
    }
}
