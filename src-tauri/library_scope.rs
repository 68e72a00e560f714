//! The library folder's place in the asset-protocol scope. Only Rust changes it: at start, and
//! when the folder picker's result becomes the library. The previous folder is taken out of the
//! scope (Tauri's scope cannot drop an allowed folder, so it is forbidden instead — which wins
//! over an allow — unless one folder contains the other).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};

#[derive(Default)]
pub struct LibraryScope {
    current: Mutex<Option<PathBuf>>,
}

impl LibraryScope {
    /// Makes `dir` the library folder the web view may read; the previous one leaves the scope.
    pub fn set<R: Runtime>(&self, app: &AppHandle<R>, dir: &Path) {
        let scope = app.asset_protocol_scope();
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = current.as_ref() {
            if old != dir && !old.starts_with(dir) && !dir.starts_with(old) {
                let _ = scope.forbid_directory(old, true);
            }
        }
        let _ = scope.allow_directory(dir, true);
        *current = Some(dir.to_path_buf());
    }
}
