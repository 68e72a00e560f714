//! Job rows, their history and messages. `transition` is the only way a job's state changes.

use rusqlite::{OptionalExtension, Row};

use super::{now_unix, Store};
use crate::error::{CoreError, Result};
use crate::jobs::{Job, JobEventRecord, JobOutputs, JobRequest, JobState};

const JOB_COLUMNS: &str = "id, state, request_json, idempotency_key, session_id, video_id, title, \
    progress, failure_code, failure_message, video_page_url, outputs_json, retry_of, created_at, \
    updated_at, submitted_at";

fn bad_column(idx: usize, msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, msg.into())
}

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    let state: String = row.get(1)?;
    let request_json: String = row.get(2)?;
    let outputs_json: String = row.get(11)?;
    Ok(Job {
        id: row.get(0)?,
        state: state.parse().map_err(|e: String| bad_column(1, e))?,
        request: serde_json::from_str::<JobRequest>(&request_json)
            .map_err(|e| bad_column(2, e.to_string()))?,
        idempotency_key: row.get(3)?,
        session_id: row.get(4)?,
        video_id: row.get(5)?,
        title: row.get(6)?,
        progress: row.get::<_, Option<i64>>(7)?.map(|p| p.clamp(0, 100) as u8),
        failure_code: row.get(8)?,
        failure_message: row.get(9)?,
        video_page_url: row.get(10)?,
        outputs: serde_json::from_str::<JobOutputs>(&outputs_json).unwrap_or_default(),
        retry_of: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        submitted_at: row.get(15)?,
    })
}

/// What a poll learned about the job on the server; `None` fields leave the stored value alone.
#[derive(Debug, Default, Clone)]
pub struct RemoteUpdate {
    pub session_id: Option<String>,
    pub video_id: Option<String>,
    pub title: Option<String>,
    pub progress: Option<u8>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub video_page_url: Option<String>,
    pub submitted_at: Option<i64>,
}

/// Insert a job and its first history entry inside the caller's transaction.
pub(super) fn insert_job_tx(tx: &rusqlite::Transaction<'_>, job: &Job) -> Result<()> {
    let request = serde_json::to_string(&job.request).expect("request serializes");
    let outputs = serde_json::to_string(&job.outputs).expect("outputs serialize");
    tx.execute(
        &format!(
            "INSERT INTO jobs ({JOB_COLUMNS}, prompt) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ),
        rusqlite::params![
            job.id,
            job.state.as_str(),
            request,
            job.idempotency_key,
            job.session_id,
            job.video_id,
            job.title,
            job.progress.map(i64::from),
            job.failure_code,
            job.failure_message,
            job.video_page_url,
            outputs,
            job.retry_of,
            job.created_at,
            job.updated_at,
            job.submitted_at,
            job.request.prompt,
        ],
    )?;
    tx.execute(
        "INSERT INTO job_events(job_id, at, from_state, to_state, detail) VALUES (?1, ?2, NULL, ?3, 'created')",
        (&job.id, job.created_at, job.state.as_str()),
    )?;
    Ok(())
}

impl Store {
    pub fn insert_job(&self, job: &Job) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_job_tx(&tx, job)?;
        tx.commit()?;
        Ok(())
    }

    pub fn get_job(&self, id: &str) -> Result<Option<Job>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?)
    }

    /// The job whose video this is, if this app made it (index `jobs_video`).
    pub fn job_by_video_id(&self, video_id: &str) -> Result<Option<Job>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE video_id = ?1 ORDER BY created_at DESC LIMIT 1"
            ))?
            .query_row([video_id], job_from_row)
            .optional()?)
    }

    /// Like [`get_job`](Self::get_job) but a missing job is an error.
    pub fn job(&self, id: &str) -> Result<Job> {
        self.get_job(id)?.ok_or_else(|| CoreError::NotFound {
            what: "job",
            id: id.to_string(),
        })
    }

    /// All jobs, newest first.
    pub fn list_jobs(&self) -> Result<Vec<Job>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One page of jobs, newest first (the library view of thousands of jobs).
    pub fn list_jobs_page(&self, offset: u64, limit: u64) -> Result<Vec<Job>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?1 OFFSET ?2"
        ))?;
        let rows = stmt.query_map((limit as i64, offset as i64), job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn count_jobs(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Jobs the tracker and the startup sweep must follow, oldest first. Filtered in SQL (an
    /// index on `state`): the tracker calls this every tick, the library may hold thousands.
    pub fn live_jobs(&self) -> Result<Vec<Job>> {
        let live: Vec<String> = JobState::ALL
            .iter()
            .filter(|s| s.is_live())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ({}) ORDER BY created_at, rowid",
            live.join(", ")
        ))?;
        let rows = stmt.query_map([], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The one place a job's state changes: checks the move against the state machine inside a
    /// transaction and records it in the job's history. Returns the state it came from and the
    /// updated job.
    pub fn transition(
        &self,
        id: &str,
        to: JobState,
        detail: Option<&str>,
    ) -> Result<(JobState, Job)> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let from: Option<String> = tx
            .query_row("SELECT state FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        let from: JobState = from
            .ok_or_else(|| CoreError::NotFound {
                what: "job",
                id: id.to_string(),
            })?
            .parse()
            .map_err(CoreError::Internal)?;
        if !from.can_go_to(to) {
            return Err(CoreError::IllegalTransition {
                job_id: id.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        if from != to {
            let now = now_unix();
            tx.execute(
                "UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1",
                (id, to.as_str(), now),
            )?;
            tx.execute(
                "INSERT INTO job_events(job_id, at, from_state, to_state, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                (id, now, from.as_str(), to.as_str(), detail),
            )?;
        }
        let job = tx.query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
            [id],
            job_from_row,
        )?;
        tx.commit()?;
        Ok((from, job))
    }

    /// Record what the server told us (ids, title, progress, failure details).
    pub fn update_remote(&self, id: &str, u: &RemoteUpdate) -> Result<Job> {
        let n = self.conn().execute(
            "UPDATE jobs SET
                session_id = COALESCE(?2, session_id),
                video_id = COALESCE(?3, video_id),
                title = COALESCE(?4, title),
                progress = COALESCE(?5, progress),
                failure_code = COALESCE(?6, failure_code),
                failure_message = COALESCE(?7, failure_message),
                video_page_url = COALESCE(?8, video_page_url),
                submitted_at = COALESCE(submitted_at, ?9),
                updated_at = ?10
             WHERE id = ?1",
            rusqlite::params![
                id,
                u.session_id,
                u.video_id,
                u.title,
                u.progress.map(i64::from),
                u.failure_code,
                u.failure_message,
                u.video_page_url,
                u.submitted_at,
                now_unix()
            ],
        )?;
        if n == 0 {
            return Err(CoreError::NotFound {
                what: "job",
                id: id.to_string(),
            });
        }
        self.job(id)
    }

    pub fn set_outputs(&self, id: &str, outputs: &JobOutputs) -> Result<()> {
        let json = serde_json::to_string(outputs).expect("outputs serialize");
        self.conn().execute(
            "UPDATE jobs SET outputs_json = ?2, updated_at = ?3 WHERE id = ?1",
            (id, json, now_unix()),
        )?;
        Ok(())
    }

    pub fn delete_job(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM jobs WHERE id = ?1", [id])?
            > 0)
    }

    pub fn job_events(&self, id: &str) -> Result<Vec<JobEventRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT at, from_state, to_state, detail FROM job_events WHERE job_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            let from: Option<String> = r.get(1)?;
            let to: String = r.get(2)?;
            Ok(JobEventRecord {
                at: r.get(0)?,
                from: from.and_then(|f| f.parse().ok()),
                to: to.parse().map_err(|e: String| bad_column(2, e))?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::Mode;

    fn job(id: &str) -> Job {
        let request = JobRequest {
            prompt: "A 5-second test".into(),
            mode: Mode::Generate,
            ..Default::default()
        };
        Job::draft(id, request, format!("vas-{id}"), 1)
    }

    /// Two processes on one database (the app and `vas`, or two `vas`): a transition reads the
    /// job and then writes it. In a deferred transaction the write has to upgrade a read
    /// snapshot, and when the other process committed in between SQLite answers "database is
    /// locked" at once, without waiting out the busy timeout (CI saw `vas generate` fail so).
    #[test]
    fn transitions_from_two_connections_at_once_wait_for_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("s.db");
        let first = Store::open(&path).unwrap();
        let second = Store::open(&path).unwrap();
        for id in ["a", "b"] {
            first.insert_job(&job(id)).unwrap();
            first.transition(id, JobState::Submitted, None).unwrap();
            first.transition(id, JobState::Thinking, None).unwrap();
        }
        let flip = |store: Store, id: &'static str| {
            std::thread::spawn(move || {
                for round in 0..400 {
                    let to = if round % 2 == 0 {
                        JobState::Generating
                    } else {
                        JobState::Thinking
                    };
                    store
                        .transition(id, to, None)
                        .map_err(|e| format!("round {round} of {id}: {e}"))?;
                }
                Ok::<_, String>(())
            })
        };
        let (a, b) = (flip(first, "a"), flip(second, "b"));
        a.join().unwrap().unwrap();
        b.join().unwrap().unwrap();
    }

    #[test]
    fn transition_checks_the_state_machine_and_records_history() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        store.insert_job(&job("j1")).unwrap();
        let (from, j) = store.transition("j1", JobState::Uploading, None).unwrap();
        assert_eq!((from, j.state), (JobState::Draft, JobState::Uploading));
        let err = store
            .transition("j1", JobState::Downloaded, None)
            .unwrap_err();
        assert_eq!(err.code(), "illegal_transition");
        assert_eq!(store.job("j1").unwrap().state, JobState::Uploading);
        store
            .transition("j1", JobState::Submitted, Some("sent"))
            .unwrap();
        let hist = store.job_events("j1").unwrap();
        let states: Vec<_> = hist.iter().map(|e| e.to).collect();
        assert_eq!(
            states,
            [JobState::Draft, JobState::Uploading, JobState::Submitted]
        );
        assert_eq!(hist[2].detail.as_deref(), Some("sent"));
        assert_eq!(store.live_jobs().unwrap().len(), 1);
        for i in 2..=5 {
            let mut j = job(&format!("j{i}"));
            j.created_at = i;
            store.insert_job(&j).unwrap();
        }
        let page: Vec<String> = store
            .list_jobs_page(1, 2)
            .unwrap()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(page, ["j4", "j3"], "newest first, offset then limit");
        assert_eq!(store.count_jobs().unwrap(), 5);
        // Drafts are not live.
        assert_eq!(store.live_jobs().unwrap().len(), 1);
        assert_eq!(
            store
                .transition("nope", JobState::Failed, None)
                .unwrap_err()
                .code(),
            "not_found"
        );
    }

    #[test]
    fn remote_updates_keep_known_values_and_messages_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        store.insert_job(&job("j1")).unwrap();
        store
            .update_remote(
                "j1",
                &RemoteUpdate {
                    session_id: Some("sess_1".into()),
                    submitted_at: Some(5),
                    ..Default::default()
                },
            )
            .unwrap();
        let j = store
            .update_remote(
                "j1",
                &RemoteUpdate {
                    video_id: Some("vid_1".into()),
                    progress: Some(40),
                    submitted_at: Some(99),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(j.session_id.as_deref(), Some("sess_1"));
        assert_eq!(j.video_id.as_deref(), Some("vid_1"));
        assert_eq!(j.progress, Some(40));
        assert_eq!(j.submitted_at, Some(5), "first send time is kept");
        assert!(store.delete_job("j1").unwrap());
    }
}
