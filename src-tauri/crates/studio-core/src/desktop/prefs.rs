//! Desktop preferences that are not settings shown on the Settings screen: the answer to "keep
//! working in the tray when the window closes?", asked once and remembered.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "desktop.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesktopPrefs {
    /// None: not asked yet. Some(true): closing the window while jobs run hides it to the tray;
    /// Some(false): closing quits (the jobs resume at the next start).
    pub keep_running_in_tray: Option<bool>,
}

/// Reads and writes `desktop.json` in the data folder.
#[derive(Debug, Clone)]
pub struct PrefsStore {
    path: PathBuf,
}

impl PrefsStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(FILE_NAME),
        }
    }

    /// The saved preferences (defaults when the file is missing or unreadable).
    pub fn load(&self) -> DesktopPrefs {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, prefs: &DesktopPrefs) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(prefs).map_err(std::io::Error::other)?;
        super::write_atomically(&self.path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_answer_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = PrefsStore::new(dir.path());
        assert_eq!(store.load().keep_running_in_tray, None, "not asked yet");
        store
            .save(&DesktopPrefs {
                keep_running_in_tray: Some(true),
            })
            .unwrap();
        assert_eq!(
            PrefsStore::new(dir.path()).load().keep_running_in_tray,
            Some(true)
        );
    }
}
