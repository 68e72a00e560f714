//! Settings commands: the API key (in the keyring, never returned), the account, settings and
//! offline mode.

use tauri::{AppHandle, Runtime, State};

use crate::error::{CommandError, ErrorCode};
use crate::events::ConnectionChanged;
use crate::studio_handle::StudioHandle;
use crate::views::{Account, Connection, SettingsView};

/// Whether a key is stored and where requests go.
#[tauri::command]
#[specta::specta]
pub async fn connection(handle: State<'_, StudioHandle>) -> Result<Connection, CommandError> {
    handle.connection().await
}

/// Stores the key in the OS keyring. It arrives from the input field and never goes back.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    key: String,
) -> Result<Connection, CommandError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(
            CommandError::new(ErrorCode::KeyEmpty, "Paste your HeyGen API key first.")
                .with_param("api_key"),
        );
    }
    handle
        .studio()?
        .set_api_key(studio_core::Secret::new(key.to_string()))
        .await?;
    announce(&app, &handle).await
}

/// Removes the stored key.
#[tauri::command]
#[specta::specta]
pub async fn remove_api_key<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
) -> Result<Connection, CommandError> {
    handle.studio()?.remove_api_key().await?;
    announce(&app, &handle).await
}

/// Calls the account endpoint with the key in use (or `candidate`, not stored) and returns who
/// it belongs to and the remaining credits.
#[tauri::command]
#[specta::specta]
pub async fn test_api_key(
    handle: State<'_, StudioHandle>,
    candidate: Option<String>,
) -> Result<Account, CommandError> {
    let candidate = candidate
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .map(studio_core::Secret::new);
    Ok(handle.studio()?.test_key(candidate).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(handle: State<'_, StudioHandle>) -> Result<SettingsView, CommandError> {
    Ok(SettingsView::from(&handle.studio()?.settings()))
}

/// Saves and applies settings (offline mode starts or stops the embedded local agent).
#[tauri::command]
#[specta::specta]
pub async fn update_settings<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    settings: SettingsView,
) -> Result<SettingsView, CommandError> {
    let studio = handle.studio()?;
    let saved = studio
        .update_settings(settings.apply_to(studio.settings()))
        .await?;
    announce(&app, &handle).await?;
    Ok(SettingsView::from(&saved))
}

/// Tells every screen (the offline banner, Settings) where requests go now.
pub(crate) async fn announce<R: Runtime>(
    app: &AppHandle<R>,
    handle: &StudioHandle,
) -> Result<Connection, CommandError> {
    let connection = handle.connection().await?;
    crate::ui_events::publish(app, ConnectionChanged(connection.clone()));
    Ok(connection)
}
