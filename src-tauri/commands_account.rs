//! Settings commands: the API key (in the keyring, never returned), the account, settings and
//! offline mode.

use tauri::{AppHandle, Manager, Runtime, State};
use tauri_specta::Event as _;

use crate::engine::Engine;
use crate::error::CommandError;
use crate::events::ConnectionChanged;
use crate::views::{Account, Connection, SettingsView};

/// Whether a key is stored and where requests go.
#[tauri::command]
#[specta::specta]
pub async fn connection(engine: State<'_, Engine>) -> Result<Connection, CommandError> {
    engine.connection().await
}

/// Stores the key in the OS keyring. It arrives from the input field and never goes back.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    key: String,
) -> Result<Connection, CommandError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(
            CommandError::new("key_empty", "Paste your HeyGen API key first.")
                .with_param("api_key"),
        );
    }
    engine
        .studio()?
        .set_api_key(studio_core::Secret::new(key.to_string()))
        .await?;
    announce(&app, &engine).await
}

/// Removes the stored key.
#[tauri::command]
#[specta::specta]
pub async fn remove_api_key<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
) -> Result<Connection, CommandError> {
    engine.studio()?.remove_api_key().await?;
    announce(&app, &engine).await
}

/// Calls the account endpoint with the key in use (or `candidate`, not stored) and returns who
/// it belongs to and the remaining credits.
#[tauri::command]
#[specta::specta]
pub async fn test_api_key(
    engine: State<'_, Engine>,
    candidate: Option<String>,
) -> Result<Account, CommandError> {
    let candidate = candidate
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .map(studio_core::Secret::new);
    Ok(engine.studio()?.test_key(candidate).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(engine: State<'_, Engine>) -> Result<SettingsView, CommandError> {
    Ok(SettingsView::from(&engine.studio()?.settings()))
}

/// Saves and applies settings (offline mode starts or stops the embedded local agent).
#[tauri::command]
#[specta::specta]
pub async fn update_settings<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    settings: SettingsView,
) -> Result<SettingsView, CommandError> {
    let studio = engine.studio()?;
    let saved = studio
        .update_settings(settings.apply_to(studio.settings()))
        .await?;
    // Videos in a newly chosen library folder must be playable in the app too.
    let _ = app
        .asset_protocol_scope()
        .allow_directory(saved.effective_library_dir(), true);
    announce(&app, &engine).await?;
    Ok(SettingsView::from(&saved))
}

/// Tells every screen (the offline banner, Settings) where requests go now.
async fn announce<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
) -> Result<Connection, CommandError> {
    let connection = engine.connection().await?;
    let _ = ConnectionChanged(connection.clone()).emit(app);
    Ok(connection)
}
