//! Where the engine keeps its files: the data dir (database, thumbnails, the embedded local agent's
//! data) and the default library folder for finished videos.

use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

/// Environment variable that overrides the data dir (same meaning as `vas --data-dir`).
pub const DATA_DIR_ENV: &str = "VAS_DATA_DIR";
/// Folder name under the platform's data dir and under the user's Videos folder.
pub const APP_DIR_NAME: &str = "Video Agent Studio";
const APP_DATA_SLUG: &str = "video-agent-studio";

/// The engine's data dir and the well-known paths inside it.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolve the data dir: an explicit path wins, then `VAS_DATA_DIR`, then the platform's
    /// per-user data dir (`$XDG_DATA_HOME/video-agent-studio` on Linux). The folder is created.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self> {
        let root = explicit
            .or_else(|| {
                std::env::var_os(DATA_DIR_ENV)
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| dirs::data_dir().map(|d| d.join(APP_DATA_SLUG)))
            .ok_or_else(|| {
                CoreError::DataDir("no data dir: set VAS_DATA_DIR or pass --data-dir".to_string())
            })?;
        Self::at(root)
    }

    /// Use exactly `root` (created if missing).
    pub fn at(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| CoreError::io(&root, e))?;
        let root = std::fs::canonicalize(&root).map_err(|e| CoreError::io(&root, e))?;
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite database (WAL mode).
    pub fn db_path(&self) -> PathBuf {
        self.root.join("studio.db")
    }

    /// On-disk cache of catalogue thumbnails (style and avatar previews).
    pub fn thumbnails_dir(&self) -> PathBuf {
        self.root.join("thumbnails")
    }

    /// Data of the embedded local agent (offline mode).
    pub fn local_agent_dir(&self) -> PathBuf {
        self.root.join("local-agent")
    }
}

/// The default library folder: the OS Videos folder / "Video Agent Studio" (falls back to
/// `~/Videos` when the platform does not name one).
pub fn default_library_dir() -> PathBuf {
    dirs::video_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join("Videos")))
        .unwrap_or_else(|| PathBuf::from("Videos"))
        .join(APP_DIR_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_and_is_created() {
        let tmp = tempfile::tempdir().unwrap();
        let want = tmp.path().join("a/b");
        let dir = DataDir::resolve(Some(want.clone())).unwrap();
        assert!(want.is_dir());
        assert_eq!(
            dir.db_path(),
            want.canonicalize().unwrap().join("studio.db")
        );
    }

    #[test]
    fn default_library_ends_with_app_folder() {
        assert!(default_library_dir().ends_with(APP_DIR_NAME));
    }
}
