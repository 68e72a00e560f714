//! The engine's SQLite database (WAL): jobs and their history, uploads by content hash, settings
//! and cached catalogues. Every write is a short synchronous statement behind one mutex; callers
//! in async code hold it only for that statement.

mod batches;
mod catalogue;
mod creates;
mod jobs;
pub mod migrations;
mod uploads;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::{CoreError, Result};

pub use batches::{BatchLink, RowState};
pub use catalogue::CachedItem;
pub use creates::{now_unix_ms, CreateAttempts};
pub use jobs::RemoteUpdate;
pub use uploads::{AttachmentRecord, UploadRecord};

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Current time in Unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// How long a statement waits for another process's lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// WAL, the connection's settings and pending migrations.
fn prepare(conn: &mut Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrations::migrate(conn)?;
    Ok(())
}

/// [`prepare`], tried again while another process is creating the same database. A new
/// database is in rollback-journal mode until one opener switches it to WAL; until then two
/// openers can each hold a lock the other needs, and SQLite breaks that deadlock by answering
/// one of them "database is locked" at once, without the busy timeout. Every step is safe to
/// repeat (a WAL switch that is done, a migration applied by the other process, are no-ops).
fn prepare_retrying_while_busy(conn: &mut Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        match prepare(conn) {
            Err(CoreError::Store(e)) if is_busy(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Store {
    /// Open (or create) the database at `path`, switch to WAL and run pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CoreError::io(parent, e))?;
        }
        let mut conn = Connection::open(path)?;
        // Another process (the app and `vas`) may hold the write lock briefly.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting out
        // the busy timeout. A deferred one that reads first and writes later would have to
        // upgrade its read snapshot, and SQLite refuses that at once ("database is locked", no
        // waiting) when another process wrote in between.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        prepare_retrying_while_busy(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    pub fn get_setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let raw: Option<String> = self
            .conn()
            .query_row(
                "SELECT value_json FROM settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        // A value we can no longer parse (older build) reads as unset rather than failing.
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn set_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let json =
            serde_json::to_string(value).map_err(|e| CoreError::serialization("a setting", e))?;
        self.conn().execute(
            "INSERT INTO settings(key, value_json) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json",
            (key, json),
        )?;
        Ok(())
    }

    pub fn remove_setting(&self, key: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_first_opens_migrate_once() {
        // The app and several `vas` processes may create the database at the same moment.
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("studio.db");
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version()))
            })
            .collect();
        for handle in handles {
            let version = handle.join().unwrap().expect("open").expect("version");
            assert_eq!(version, migrations::SCHEMA_VERSION);
        }
    }

    /// A brand-new database is in rollback-journal mode until one opener switches it to WAL;
    /// meanwhile two openers can each hold a lock the other needs, and SQLite answers one of
    /// them "database is locked" at once instead of waiting (CI saw `vas generate` fail so
    /// while `vas jobs` opened the same new database). Many rounds of simultaneous first opens.
    #[test]
    fn simultaneous_first_opens_never_fail_as_locked() {
        for round in 0..150 {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("studio.db");
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        let store = Store::open(&path)?;
                        store.set_setting("opened", &true)
                    })
                })
                .collect();
            for handle in handles {
                if let Err(e) = handle.join().unwrap() {
                    panic!("round {round}: {e}");
                }
            }
        }
    }

    #[test]
    fn opens_in_wal_and_migrates_once() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("studio.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::SCHEMA_VERSION);
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Reopening runs nothing twice.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::SCHEMA_VERSION);
    }

    #[test]
    fn settings_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        assert_eq!(store.get_setting::<String>("x").unwrap(), None);
        store.set_setting("x", &"hello").unwrap();
        store.set_setting("x", &"again").unwrap();
        assert_eq!(
            store.get_setting::<String>("x").unwrap().as_deref(),
            Some("again")
        );
        store.remove_setting("x").unwrap();
        assert_eq!(store.get_setting::<String>("x").unwrap(), None);
    }
}
