//! What the shell tells the page (delivered by `ui_events`, typed through specta).

use serde::{Deserialize, Serialize};

/// The desktop's appearance, light or dark (the setting, `Theme`, may also say "system").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Appearance {
    Light,
    Dark,
}

impl From<tauri::Theme> for Appearance {
    fn from(theme: tauri::Theme) -> Self {
        match theme {
            tauri::Theme::Dark => Appearance::Dark,
            _ => Appearance::Light,
        }
    }
}

/// The desktop switched between light and dark; the UI follows it when its theme is "system".
/// (WebKitGTK does not reliably update `prefers-color-scheme`, so the shell forwards GTK's.)
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SystemThemeChanged {
    pub theme: Appearance,
}

/// A job changed (state, progress or title); the Library replaces its row with `job`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JobChanged {
    pub job: crate::views::JobView,
}

/// Bytes moved for one file of a job: an attachment going up or an output coming down.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    pub job_id: String,
    pub kind: studio_core::TransferKind,
    /// The attachment's path for uploads.
    pub file: Option<String>,
    pub done: f64,
    pub total: Option<f64>,
}

/// The server said 429: every request waits this many seconds (the UI counts down).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RateLimited {
    pub retry_after_secs: u32,
}

/// A transient problem while following a job (it will be tried again), e.g. the network is down.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JobWarning {
    pub job_id: String,
    pub error: crate::error::CommandError,
}

/// Where requests go changed (key stored or removed, offline mode on or off): the offline
/// banner and Settings follow it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ConnectionChanged(pub crate::views::Connection);

/// Files dragged over the window: the drop overlay shows while they are over it; dropped, they
/// are attached (Rust has recorded the paths as received from the user, see `ReceivedPaths`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FileDrop {
    Enter,
    Leave,
    Drop { paths: Vec<String> },
}
