//! Events pushed from Rust to the UI, typed through tauri-specta.

use serde::{Deserialize, Serialize};
use tauri_specta::Event;

/// A light or dark appearance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    Light,
    Dark,
}

impl From<tauri::Theme> for Theme {
    fn from(theme: tauri::Theme) -> Self {
        match theme {
            tauri::Theme::Dark => Theme::Dark,
            _ => Theme::Light,
        }
    }
}

/// The desktop switched between light and dark; the UI follows it when its theme is "system".
/// (WebKitGTK does not reliably update `prefers-color-scheme`, so the shell forwards GTK's.)
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SystemThemeChanged {
    pub theme: Theme,
}
