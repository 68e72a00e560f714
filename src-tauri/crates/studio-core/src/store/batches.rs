//! Batches and their rows (migration 4). A row becomes a job only through
//! [`Store::insert_job_linked`], which inserts the job and links it to the row in one
//! transaction, and only while the row has no job: a row is never sent twice, whatever the
//! process dies of in between.

use rusqlite::{OptionalExtension, Row};

use super::{now_unix, Store};
use crate::batch::{Batch, BatchRow, BatchState, CostGuard};
use crate::error::{CoreError, ErrorCode, Result};
use crate::jobs::{Job, JobState};

/// Which batch row a new job is for. The link is made only while the row has no job (a
/// retried row had its failed job moved to `retry_of` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLink {
    pub batch_id: String,
    pub row: usize,
}

/// What the runner needs per row every tick, in one query.
#[derive(Debug, Clone, PartialEq)]
pub struct RowState {
    pub row: usize,
    pub skipped: bool,
    pub job_id: Option<String>,
    pub job_state: Option<JobState>,
    pub failure_code: Option<String>,
    pub session_id: Option<String>,
    pub attempts: u32,
    pub error_code: Option<String>,
}

const BATCH_COLUMNS: &str = "id, name, source, headers_json, state, pause_reason, concurrency, \
    max_videos, min_balance, output_dir, created_at, started_at, finished_at, updated_at";

const ROW_COLUMNS: &str = "row_number, cells_json, request_json, title, output_name, skipped, \
    job_id, retry_of, attempts, error_code, error_message";

fn bad(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, msg.into())
}

fn batch_from_row(r: &Row<'_>) -> rusqlite::Result<Batch> {
    let headers: String = r.get(3)?;
    let state: String = r.get(4)?;
    Ok(Batch {
        id: r.get(0)?,
        name: r.get(1)?,
        source: r.get(2)?,
        headers: serde_json::from_str(&headers).map_err(|e| bad(3, e.to_string()))?,
        state: state.parse().map_err(|e: String| bad(4, e))?,
        pause_reason: r.get(5)?,
        concurrency: r.get::<_, i64>(6)?.max(1) as u32,
        guard: CostGuard {
            max_videos: r.get::<_, Option<i64>>(7)?.map(|n| n.max(0) as u32),
            min_balance: r.get(8)?,
        },
        output_dir: r.get::<_, Option<String>>(9)?.map(Into::into),
        created_at: r.get(10)?,
        started_at: r.get(11)?,
        finished_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

fn row_from_row(r: &Row<'_>) -> rusqlite::Result<BatchRow> {
    let cells: String = r.get(1)?;
    let request: String = r.get(2)?;
    Ok(BatchRow {
        row: r.get::<_, i64>(0)? as usize,
        cells: serde_json::from_str(&cells).map_err(|e| bad(1, e.to_string()))?,
        request: serde_json::from_str(&request).map_err(|e| bad(2, e.to_string()))?,
        title: r.get(3)?,
        output_name: r.get(4)?,
        skipped: r.get::<_, i64>(5)? != 0,
        job_id: r.get(6)?,
        retry_of: r.get(7)?,
        attempts: r.get::<_, i64>(8)?.max(0) as u32,
        error_code: r.get(9)?,
        error_message: r.get(10)?,
    })
}

impl Store {
    /// Store a new batch and all its rows in one transaction.
    pub fn insert_batch(&self, batch: &Batch, rows: &[BatchRow]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            &format!(
                "INSERT INTO batches ({BATCH_COLUMNS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            rusqlite::params![
                batch.id,
                batch.name,
                batch.source,
                serde_json::to_string(&batch.headers).expect("headers serialize"),
                batch.state.as_str(),
                batch.pause_reason,
                batch.concurrency as i64,
                batch.guard.max_videos.map(i64::from),
                batch.guard.min_balance,
                batch.output_dir.as_ref().map(|p| p.display().to_string()),
                batch.created_at,
                batch.started_at,
                batch.finished_at,
                batch.updated_at,
            ],
        )?;
        {
            let mut stmt = tx.prepare(&format!(
                "INSERT INTO batch_rows ({ROW_COLUMNS}, batch_id) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))?;
            for r in rows {
                stmt.execute(rusqlite::params![
                    r.row as i64,
                    serde_json::to_string(&r.cells).expect("cells serialize"),
                    serde_json::to_string(&r.request).expect("request serializes"),
                    r.title,
                    r.output_name,
                    r.skipped as i64,
                    r.job_id,
                    r.retry_of,
                    r.attempts as i64,
                    r.error_code,
                    r.error_message,
                    batch.id,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn get_batch(&self, id: &str) -> Result<Option<Batch>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?1"),
                [id],
                batch_from_row,
            )
            .optional()?)
    }

    pub fn batch(&self, id: &str) -> Result<Batch> {
        self.get_batch(id)?.ok_or_else(|| CoreError::NotFound {
            what: "batch",
            id: id.to_string(),
        })
    }

    /// All batches, newest first.
    pub fn list_batches(&self) -> Result<Vec<Batch>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches ORDER BY created_at DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], batch_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn batch_rows(&self, batch_id: &str) -> Result<Vec<BatchRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM batch_rows WHERE batch_id = ?1 ORDER BY row_number"
        ))?;
        let rows = stmt.query_map([batch_id], row_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn batch_row(&self, batch_id: &str, row: usize) -> Result<BatchRow> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM batch_rows WHERE batch_id = ?1 AND row_number = ?2"
                ),
                (batch_id, row as i64),
                row_from_row,
            )
            .optional()?
            .ok_or_else(|| CoreError::NotFound {
                what: "batch row",
                id: format!("{batch_id}#{row}"),
            })
    }

    /// Each row's job state (one join; the runner reads this every tick).
    pub fn batch_row_states(&self, batch_id: &str) -> Result<Vec<RowState>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT r.row_number, r.skipped, r.job_id, j.state, j.failure_code, j.session_id,
                    r.attempts, r.error_code
             FROM batch_rows r LEFT JOIN jobs j ON j.id = r.job_id
             WHERE r.batch_id = ?1 ORDER BY r.row_number",
        )?;
        let rows = stmt.query_map([batch_id], |r| {
            let state: Option<String> = r.get(3)?;
            Ok(RowState {
                row: r.get::<_, i64>(0)? as usize,
                skipped: r.get::<_, i64>(1)? != 0,
                job_id: r.get(2)?,
                job_state: state
                    .map(|s| s.parse().map_err(|e: String| bad(3, e)))
                    .transpose()?,
                failure_code: r.get(4)?,
                session_id: r.get(5)?,
                attempts: r.get::<_, i64>(6)?.max(0) as u32,
                error_code: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Move a batch to `state` (with why, for a pause). Finished batches stay finished.
    pub fn set_batch_state(
        &self,
        id: &str,
        state: BatchState,
        reason: Option<&str>,
    ) -> Result<Batch> {
        let now = now_unix();
        let n = self.conn().execute(
            "UPDATE batches SET state = ?2, pause_reason = ?3, updated_at = ?4,
                started_at = CASE WHEN ?2 = 'running' THEN COALESCE(started_at, ?4) ELSE started_at END,
                finished_at = CASE WHEN ?2 IN ('completed', 'cancelled') THEN ?4 ELSE NULL END
             WHERE id = ?1 AND (state NOT IN ('completed', 'cancelled') OR ?2 = 'running')",
            (id, state.as_str(), reason, now),
        )?;
        let batch = self.batch(id)?;
        if n == 0 && batch.state != state {
            return Err(CoreError::invalid(
                ErrorCode::BatchFinished,
                None,
                format!("batch {id} is {}", batch.state),
            ));
        }
        Ok(batch)
    }

    pub fn set_batch_concurrency(&self, id: &str, concurrency: u32) -> Result<Batch> {
        self.conn().execute(
            "UPDATE batches SET concurrency = ?2, updated_at = ?3 WHERE id = ?1",
            (id, concurrency as i64, now_unix()),
        )?;
        self.batch(id)
    }

    pub fn set_batch_guard(&self, id: &str, guard: &CostGuard) -> Result<Batch> {
        self.conn().execute(
            "UPDATE batches SET max_videos = ?2, min_balance = ?3, updated_at = ?4 WHERE id = ?1",
            (
                id,
                guard.max_videos.map(i64::from),
                guard.min_balance,
                now_unix(),
            ),
        )?;
        self.batch(id)
    }

    /// A row that could not become a job at all (its file vanished since the preview).
    pub fn set_batch_row_error(
        &self,
        batch_id: &str,
        row: usize,
        code: &str,
        message: &str,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE batch_rows SET error_code = ?3, error_message = ?4
             WHERE batch_id = ?1 AND row_number = ?2 AND job_id IS NULL",
            (batch_id, row as i64, code, message),
        )?;
        Ok(())
    }

    /// Make a row pending again (retry): its failed job is kept as `retry_of`.
    pub fn reopen_batch_row(&self, batch_id: &str, row: usize, failed_job: &str) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE batch_rows SET job_id = NULL, retry_of = ?3, error_code = NULL, error_message = NULL
             WHERE batch_id = ?1 AND row_number = ?2 AND job_id = ?3",
            (batch_id, row as i64, failed_job),
        )? > 0)
    }

    /// Clear a row's admission error so the runner tries it again.
    pub fn clear_batch_row_error(&self, batch_id: &str, row: usize) -> Result<()> {
        self.conn().execute(
            "UPDATE batch_rows SET error_code = NULL, error_message = NULL
             WHERE batch_id = ?1 AND row_number = ?2 AND job_id IS NULL",
            (batch_id, row as i64),
        )?;
        Ok(())
    }

    /// The batch row a job belongs to (currently), if any.
    pub fn batch_row_of_job(&self, job_id: &str) -> Result<Option<(String, BatchRow)>> {
        let conn = self.conn();
        let found = conn
            .query_row(
                &format!("SELECT batch_id, {ROW_COLUMNS} FROM batch_rows WHERE job_id = ?1"),
                [job_id],
                |r| {
                    let batch: String = r.get(0)?;
                    // The row columns start at index 1.
                    let cells: String = r.get(2)?;
                    let request: String = r.get(3)?;
                    Ok((
                        batch,
                        BatchRow {
                            row: r.get::<_, i64>(1)? as usize,
                            cells: serde_json::from_str(&cells)
                                .map_err(|e| bad(2, e.to_string()))?,
                            request: serde_json::from_str(&request)
                                .map_err(|e| bad(3, e.to_string()))?,
                            title: r.get(4)?,
                            output_name: r.get(5)?,
                            skipped: r.get::<_, i64>(6)? != 0,
                            job_id: r.get(7)?,
                            retry_of: r.get(8)?,
                            attempts: r.get::<_, i64>(9)?.max(0) as u32,
                            error_code: r.get(10)?,
                            error_message: r.get(11)?,
                        },
                    ))
                },
            )
            .optional()?;
        Ok(found)
    }

    /// Insert a job for a batch row and link it, in one transaction; fails (inserting nothing)
    /// when the row already has another job — someone admitted it meanwhile.
    pub fn insert_job_linked(&self, job: &Job, link: &BatchLink) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let linked = tx.execute(
            "UPDATE batch_rows SET job_id = ?3, attempts = attempts + 1,
                error_code = NULL, error_message = NULL
             WHERE batch_id = ?1 AND row_number = ?2 AND job_id IS NULL",
            (&link.batch_id, link.row as i64, &job.id),
        )?;
        if linked != 1 {
            return Err(CoreError::invalid(
                ErrorCode::RowAlreadyAdmitted,
                None,
                format!(
                    "row {} of batch {} already has a job",
                    link.row, link.batch_id
                ),
            ));
        }
        super::jobs::insert_job_tx(&tx, job)?;
        tx.commit()?;
        Ok(())
    }

    pub fn delete_batch(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM batches WHERE id = ?1", [id])?
            > 0)
    }
}
