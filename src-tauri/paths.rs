//! Where the app keeps its data and its videos.
//!
//! `VAS_DATA_DIR` overrides the data folder (the CLI honours the same variable), which is also
//! how tests give each run its own isolated data.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "VAS_DATA_DIR";

/// Folder name used inside the OS Videos folder for finished videos.
pub const LIBRARY_FOLDER_NAME: &str = "Video Agent Studio";

/// The resolved folders, managed as Tauri state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub library_dir: PathBuf,
}

impl AppPaths {
    /// Resolves the folders: the override wins, then the platform's app data folder.
    pub fn resolve(data_dir_override: Option<PathBuf>, platform_data_dir: PathBuf) -> Self {
        let data_dir = data_dir_override.unwrap_or(platform_data_dir);
        Self {
            data_dir,
            library_dir: default_library_dir(),
        }
    }

    /// Creates the data folder so the engine can open its database there.
    pub fn ensure_data_dir(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
    }
}

/// Reads `VAS_DATA_DIR`, ignoring an empty value.
pub fn data_dir_from_env() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// The OS Videos folder (or `~/Videos` when the desktop has none configured) / "Video Agent Studio".
pub fn default_library_dir() -> PathBuf {
    let videos = dirs::video_dir()
        .or_else(|| dirs::home_dir().map(|home| home.join("Videos")))
        .unwrap_or_else(|| Path::new(".").to_path_buf());
    videos.join(LIBRARY_FOLDER_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_over_platform_folder() {
        let paths = AppPaths::resolve(Some("/tmp/vas-a".into()), "/tmp/vas-b".into());
        assert_eq!(paths.data_dir, PathBuf::from("/tmp/vas-a"));
        let paths = AppPaths::resolve(None, "/tmp/vas-b".into());
        assert_eq!(paths.data_dir, PathBuf::from("/tmp/vas-b"));
    }

    #[test]
    fn library_is_named_after_the_app() {
        assert!(default_library_dir().ends_with(LIBRARY_FOLDER_NAME));
    }

    #[test]
    fn ensure_data_dir_creates_nested_folders() {
        let root = tempfile::tempdir().unwrap();
        let paths = AppPaths::resolve(Some(root.path().join("a/b")), root.path().into());
        paths.ensure_data_dir().unwrap();
        assert!(root.path().join("a/b").is_dir());
    }
}
