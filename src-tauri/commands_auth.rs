//! "Sign in with HeyGen" (OAuth): start a sign-in in the system browser, cancel it, sign out,
//! choose the credential in use. Tokens stay in Rust (keyring); the UI only learns who signed in.

use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use crate::error::{CommandError, ErrorCode};
use crate::studio_handle::StudioHandle;
use crate::views::{Account, Connection};

/// The sign-in waiting for the browser, so Cancel (or a second sign-in) can end it.
#[derive(Default)]
pub struct PendingSignIns(Mutex<Option<CancellationToken>>);

impl PendingSignIns {
    fn replace(&self, token: Option<CancellationToken>) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = std::mem::replace(&mut *slot, token) {
            old.cancel();
        }
    }
}

/// The browser's wait: 5 minutes (`VAS_SIGN_IN_TIMEOUT_SECS` shortens it for tests).
fn sign_in_timeout() -> Duration {
    std::env::var("VAS_SIGN_IN_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(studio_core::loopback::SIGN_IN_TIMEOUT)
}

/// `$BROWSER` when it names one program (not a `%s` template or a `:` list).
fn browser_from_env() -> Option<String> {
    std::env::var("BROWSER")
        .ok()
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty() && !b.contains("%s") && !b.contains(':'))
}

/// Opens HeyGen's sign-in page in the system browser and waits (up to 5 minutes, or until
/// `cancel_sign_in`) for it to come back to the app's loopback port. On success the sign-in is
/// the active credential and the account is returned.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_with_heygen<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
) -> Result<Account, CommandError> {
    let studio = handle.studio()?.clone();
    let pending = studio.begin_sign_in().await?;
    let cancel = CancellationToken::new();
    let sign_ins = app.state::<PendingSignIns>();
    sign_ins.replace(Some(cancel.clone()));
    // The system browser through the opener: the one `$BROWSER` names when set (the common
    // Unix convention), else the desktop's default.
    if let Err(error) = app
        .opener()
        .open_url(pending.url.clone(), browser_from_env())
    {
        sign_ins.replace(None);
        return Err(CommandError::new(
            ErrorCode::BrowserUnavailable,
            format!("Could not open the browser for sign-in: {error}"),
        ));
    }
    let result = studio
        .finish_sign_in(pending, sign_in_timeout(), cancel)
        .await;
    app.state::<PendingSignIns>().replace(None);
    let account = result?;
    crate::commands_account::announce(&app, &handle).await?;
    Ok(account.into())
}

/// Ends a sign-in that is waiting for the browser.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sign_in<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    app.state::<PendingSignIns>().replace(None);
    Ok(())
}

/// Signs out of HeyGen: revokes the tokens, removes them from the keyring.
#[tauri::command]
#[specta::specta]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
) -> Result<Connection, CommandError> {
    handle.studio()?.sign_out().await?;
    crate::commands_account::announce(&app, &handle).await
}

/// Chooses the credential in use when both an API key and a sign-in are stored
/// (`api_key` or `oauth`).
#[tauri::command]
#[specta::specta]
pub async fn use_credential<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    kind: String,
) -> Result<Connection, CommandError> {
    let kind = match kind.as_str() {
        "api_key" => studio_core::CredentialKind::ApiKey,
        "oauth" => studio_core::CredentialKind::OAuth,
        _ => {
            return Err(CommandError::new(
                ErrorCode::InvalidParameter,
                "The credential is api_key or oauth.",
            )
            .with_param("kind"))
        }
    };
    handle.studio()?.use_credential(kind).await?;
    crate::commands_account::announce(&app, &handle).await
}
