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

/// Loads the state. An unreadable (corrupt) file is moved aside to `state.json.corrupt-<unix>`
/// and the server starts empty, so offline mode never gets stuck on a damaged file.
pub fn load(data_dir: &Path) -> Result<Db, PersistError> {
    let path = state_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(db) => Ok(db),
            Err(source) => {
                let aside =
                    data_dir.join(format!("state.json.corrupt-{}", crate::util::now_unix()));
                tracing::error!(
                    "{}: {source}; moved to {} and starting with an empty state",
                    path.display(),
                    aside.display()
                );
                std::fs::rename(&path, &aside).map_err(|_| PersistError::Parse {
                    path: path.clone(),
                    source,
                })?;
                Ok(Db::default())
            }
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_state_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(state_path(dir.path()), b"{not json").unwrap();
        let db = load(dir.path()).unwrap();
        assert!(db.sessions.is_empty());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("state.json.corrupt-")),
            "{names:?}"
        );
    }

    #[test]
    fn saves_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db {
            signing_key: "k".into(),
            ..Default::default()
        };
        save_bytes(dir.path(), &serde_json::to_vec(&db).unwrap()).unwrap();
        assert_eq!(load(dir.path()).unwrap().signing_key, "k");
    }
}
