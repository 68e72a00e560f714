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

impl Store {
    /// Open (or create) the database at `path`, switch to WAL and run pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CoreError::io(parent, e))?;
        }
        let mut conn = Connection::open(path)?;
        // Another process (the app and `vas`) may hold the write lock briefly.
        conn.busy_timeout(Duration::from_secs(10))?;
        // Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting out
        // the busy timeout. A deferred one that reads first and writes later would have to
        // upgrade its read snapshot, and SQLite refuses that at once ("database is locked", no
        // waiting) when another process wrote in between.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
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
