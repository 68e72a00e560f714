//! `state.json` in the data dir: loaded at start, rewritten atomically (temp file + rename)
//! shortly after each change by a background writer.

use std::path::{Path, PathBuf};

use crate::store::Db;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parsing {path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub fn state_path(data_dir: &Path) -> PathBuf {
    data_dir.join("state.json")
}

pub fn load(data_dir: &Path) -> Result<Db, PersistError> {
    let path = state_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| PersistError::Parse {
            path: path.clone(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Db::default()),
        Err(source) => Err(PersistError::Read { path, source }),
    }
}

pub fn save_bytes(data_dir: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    let path = state_path(data_dir);
    let tmp = data_dir.join("state.json.tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|source| PersistError::Write { path, source })
}
