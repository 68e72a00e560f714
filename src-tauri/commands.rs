//! IPC commands: thin adapters that parse, call the studio, and map errors to `CommandError`.

use serde::Serialize;
use tauri::{Runtime, State};

use crate::error::CommandError;
use crate::events::Appearance;
use crate::studio_handle::StudioHandle;

/// What the Settings screen shows about the app itself.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub product_name: String,
    pub version: String,
    /// Where the database, caches and settings live.
    pub data_dir: String,
    /// Where finished videos are saved.
    pub library_dir: String,
    /// The desktop's current light/dark preference, for the "system" theme.
    pub system_theme: Appearance,
}

/// Returns the app's name, version and the studio's folders.
#[tauri::command]
#[specta::specta]
pub fn app_info<R: Runtime>(
    app: tauri::AppHandle<R>,
    window: tauri::Window<R>,
    handle: State<'_, StudioHandle>,
) -> Result<AppInfo, CommandError> {
    let studio = handle.studio()?;
    let package = app.package_info();
    Ok(AppInfo {
        product_name: package.name.clone(),
        version: package.version.to_string(),
        data_dir: studio.data_dir().display().to_string(),
        library_dir: studio
            .settings()
            .effective_library_dir()
            .display()
            .to_string(),
        system_theme: window
            .theme()
            .map(Appearance::from)
            .unwrap_or(Appearance::Light),
    })
}
