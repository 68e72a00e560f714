//! Uploaded assets keyed by content (sha256 + size) and server scope, so an unchanged file is
//! uploaded once per server; and the attachments of each job.

use rusqlite::OptionalExtension;

use super::{now_unix, Store};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub sha256: String,
    pub size_bytes: u64,
    /// Which server (base URL) the asset lives on: ids from one are meaningless on another.
    pub scope: String,
    pub asset_id: String,
    pub url: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
    pub mime_type: String,
    pub asset_id: Option<String>,
}

impl Store {
    pub fn find_upload(
        &self,
        sha256: &str,
        size: u64,
        scope: &str,
    ) -> Result<Option<UploadRecord>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT asset_id, url, mime_type FROM uploads WHERE sha256 = ?1 AND size_bytes = ?2 AND scope = ?3",
                (sha256, size as i64, scope),
                |r| {
                    Ok(UploadRecord {
                        sha256: sha256.to_string(),
                        size_bytes: size,
                        scope: scope.to_string(),
                        asset_id: r.get(0)?,
                        url: r.get(1)?,
                        mime_type: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn record_upload(&self, u: &UploadRecord) -> Result<()> {
        self.conn().execute(
            "INSERT INTO uploads(sha256, size_bytes, scope, asset_id, url, mime_type, uploaded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(sha256, size_bytes, scope) DO UPDATE SET
               asset_id = excluded.asset_id, url = excluded.url, mime_type = excluded.mime_type,
               uploaded_at = excluded.uploaded_at",
            rusqlite::params![
                u.sha256,
                u.size_bytes as i64,
                u.scope,
                u.asset_id,
                u.url,
                u.mime_type,
                now_unix()
            ],
        )?;
        Ok(())
    }

    /// Forget an uploaded asset the server says failed or no longer has, so the next job with
    /// that content uploads it again instead of naming a dead asset.
    pub fn forget_upload(&self, asset_id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM uploads WHERE asset_id = ?1", [asset_id])?;
        Ok(())
    }

    /// How many distinct uploads are recorded (diagnostics and tests).
    pub fn upload_count(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM uploads", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    pub fn set_attachments(&self, job_id: &str, items: &[AttachmentRecord]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM job_attachments WHERE job_id = ?1", [job_id])?;
        for (i, a) in items.iter().enumerate() {
            tx.execute(
                "INSERT INTO job_attachments(job_id, position, path, sha256, size_bytes, mime_type, asset_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    job_id,
                    i as i64,
                    a.path,
                    a.sha256,
                    a.size_bytes as i64,
                    a.mime_type,
                    a.asset_id
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn attachments(&self, job_id: &str) -> Result<Vec<AttachmentRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT path, sha256, size_bytes, mime_type, asset_id FROM job_attachments
             WHERE job_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([job_id], |r| {
            Ok(AttachmentRecord {
                path: r.get(0)?,
                sha256: r.get(1)?,
                size_bytes: r.get::<_, i64>(2)? as u64,
                mime_type: r.get(3)?,
                asset_id: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_keyed_by_content_and_scope() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        let rec = UploadRecord {
            sha256: "ab".into(),
            size_bytes: 3,
            scope: "http://a".into(),
            asset_id: "asset_1".into(),
            url: None,
            mime_type: Some("image/png".into()),
        };
        store.record_upload(&rec).unwrap();
        assert_eq!(store.find_upload("ab", 3, "http://a").unwrap(), Some(rec));
        assert_eq!(store.find_upload("ab", 4, "http://a").unwrap(), None);
        assert_eq!(store.find_upload("ab", 3, "http://b").unwrap(), None);
    }
}
