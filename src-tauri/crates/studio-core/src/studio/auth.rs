//! Sign in with HeyGen, sign out, and which credential is in use (the app's Settings and
//! `vas auth`). The browser is opened by the caller (the app through the opener plugin, `vas`
//! through `open` or by printing the URL); everything else happens here.

use std::sync::Arc;
use std::time::Duration;

use heygen_api::oauth::{AuthorizationRequest, OAuthClient, OAuthConfig};
use heygen_api::{Auth, Secret};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::{lock, AccountSummary, Studio};
use crate::credentials::KeySource;
use crate::error::{CoreError, ErrorCode, Result};
use crate::loopback::{Callback, LoopbackRedirect};
use crate::oauth::{Sensitive, StoredSignIn};
use crate::settings::CredentialKind;

/// What Settings and `vas auth status` show. Never carries a token or a whole key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthStatus {
    /// The credential requests use now (`None` = none stored).
    pub active: Option<CredentialKind>,
    /// Set when a HeyGen sign-in is stored: who signed in.
    pub oauth_account: Option<String>,
    pub oauth_signed_in: bool,
    /// The API key's last four characters ("…1234"), when one is in use or stored.
    pub api_key_last4: Option<String>,
    pub api_key_source: Option<KeySource>,
    /// The OAuth client id in effect (not secret).
    pub client_id: Option<String>,
    /// Why "Sign in with HeyGen" is unavailable, if it is.
    pub sign_in_unavailable: Option<String>,
    pub offline: bool,
    pub base_url: String,
}

/// A sign-in waiting for the browser: open `url`, then [`Studio::finish_sign_in`].
pub struct PendingSignIn {
    pub url: String,
    request: AuthorizationRequest,
    client: OAuthClient,
    client_id: String,
    base_url: String,
    loopback: LoopbackRedirect,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn last4(key: &Secret) -> String {
    let chars: Vec<char> = key.expose().chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

impl Studio {
    fn client_id_or_reason(&self) -> std::result::Result<String, String> {
        self.settings().effective_oauth_client_id().ok_or_else(|| {
            "Sign in with HeyGen needs an OAuth client id from HeyGen: enter it in Settings or set HEYGEN_OAUTH_CLIENT_ID.".to_string()
        })
    }

    /// Who is signed in and with what, without touching the network.
    pub async fn auth_status(&self) -> Result<AuthStatus> {
        let offline = self.is_offline();
        let explicit = self.connector.explicit_key.clone();
        let (key, sign_in) = self
            .blocking(move |c| {
                let key = match explicit {
                    Some(k) => Some((k, KeySource::Environment)),
                    None => c.api_key()?,
                };
                Ok((key, c.sign_in()?))
            })
            .await?;
        let choice = *lock(&self.connector.active);
        let active = match (&key, &sign_in) {
            _ if offline => Some(CredentialKind::ApiKey),
            (Some((_, KeySource::Environment)), _) => Some(CredentialKind::ApiKey),
            (Some(_), Some(_)) => Some(choice),
            (Some(_), None) => Some(CredentialKind::ApiKey),
            (None, Some(_)) => Some(CredentialKind::OAuth),
            (None, None) => None,
        };
        let client_id = self.client_id_or_reason();
        Ok(AuthStatus {
            active,
            oauth_signed_in: sign_in.is_some(),
            oauth_account: sign_in.and_then(|s| s.account),
            api_key_last4: key.as_ref().filter(|_| !offline).map(|(k, _)| last4(k)),
            api_key_source: key.map(|(_, s)| s),
            client_id: client_id.as_ref().ok().cloned(),
            sign_in_unavailable: client_id.err(),
            offline,
            base_url: self.base_url(),
        })
    }

    /// Starts a sign-in: listens on a loopback port and builds the authorize URL (PKCE S256 and
    /// a random `state`). Open `url` in the browser, then call [`finish_sign_in`].
    pub async fn begin_sign_in(&self) -> Result<PendingSignIn> {
        let client_id = self
            .client_id_or_reason()
            .map_err(|message| CoreError::Invalid {
                code: ErrorCode::OauthClientIdMissing,
                param: Some("oauth_client_id".into()),
                message,
            })?;
        let loopback = LoopbackRedirect::bind().await?;
        let base_url = self.base_url();
        let mut config = OAuthConfig::for_base_url(&client_id, loopback.redirect_uri(), &base_url);
        config.proxy = lock(&self.connector.proxy).clone();
        let client = OAuthClient::new(config)?;
        let request = client.authorization_request();
        Ok(PendingSignIn {
            url: request.url.clone(),
            request,
            client,
            client_id,
            base_url,
            loopback,
        })
    }

    /// Waits for the browser (at most `timeout`, or until `cancel`), exchanges the code, reads
    /// the account, stores the tokens in the keyring and makes the sign-in the active credential.
    /// Any failure leaves nothing stored.
    pub async fn finish_sign_in(
        &self,
        pending: PendingSignIn,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<AccountSummary> {
        let PendingSignIn {
            request,
            client,
            client_id,
            base_url,
            loopback,
            ..
        } = pending;
        let code = match loopback.wait(&request.state, timeout, cancel).await? {
            Callback::Code(code) => code,
            Callback::Denied { error, description } => {
                let message = if error == "access_denied" {
                    "Sign-in was denied in the browser. You are not signed in.".to_string()
                } else {
                    format!(
                        "Sign-in was not completed ({error}{}). You are not signed in.",
                        description.map(|d| format!(": {d}")).unwrap_or_default()
                    )
                };
                return Err(CoreError::Invalid {
                    code: ErrorCode::AccessDenied,
                    param: None,
                    message,
                });
            }
        };
        let tokens = client
            .exchange_code(code.expose(), &request.code_verifier)
            .await?;
        let user = self
            .connector
            .client_with(Auth::Bearer(tokens.access_token.clone()))?
            .get_current_user()
            .await?;
        let account = match &user.email {
            Some(email) if !email.is_empty() => format!("{} ({email})", user.display_name()),
            _ => user.display_name(),
        };
        let stored = StoredSignIn {
            tokens: Sensitive::new(tokens),
            client_id,
            base_url,
            account: Some(account),
        };
        self.blocking(move |c| c.set_sign_in(&stored)).await?;
        self.use_credential(CredentialKind::OAuth).await?;
        tracing::info!("signed in with HeyGen");
        self.test_key(None).await
    }

    /// Signs out: revokes the tokens at the server, then deletes them from the keyring (even when
    /// the revoke failed — the user asked to be signed out). Returns whether the server confirmed
    /// the revoke.
    pub async fn sign_out(&self) -> Result<bool> {
        let session = self.blocking_connector(|c| c.session()).await?;
        let revoked = match &session {
            Some(session) => match session.revoke().await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(code = e.code(), "revoking the sign-in failed");
                    false
                }
            },
            None => false,
        };
        self.blocking(|c| c.remove_oauth_tokens()).await?;
        self.use_credential(CredentialKind::ApiKey).await?;
        Ok(revoked)
    }

    /// Chooses the credential requests use when both are stored.
    pub async fn use_credential(&self, kind: CredentialKind) -> Result<()> {
        let mut settings = self.settings();
        if settings.active_credential != kind {
            settings.active_credential = kind;
            settings.save(&self.store)?;
            *lock(&self.settings) = settings;
        }
        *lock(&self.connector.active) = kind;
        self.connector.invalidate();
        Ok(())
    }

    async fn blocking_connector<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::connect::Connector) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let connector = Arc::clone(&self.connector);
        tokio::task::spawn_blocking(move || f(&connector)).await?
    }
}
