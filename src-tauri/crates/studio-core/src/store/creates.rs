//! Create attempts (migration 3): when a job's create last went out and whether its outcome is
//! known. Written *before* each send, so a crash mid-send leaves the outcome marked unknown.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::Result;

/// What we know about a job's create attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateAttempts {
    pub attempts: u32,
    /// Unix milliseconds of the latest send.
    pub last_sent_at_ms: i64,
    /// The latest create may have been processed without its answer reaching us.
    pub outcome_unknown: bool,
}

/// Current time in Unix milliseconds.
pub fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Recorded just before a create goes out: one more attempt, outcome unknown until the
    /// answer is read.
    pub(crate) fn create_sending(&self, job_id: &str) -> Result<CreateAttempts> {
        let now = now_unix_ms();
        self.conn().execute(
            "INSERT INTO create_attempts(job_id, attempts, last_sent_at_ms, outcome_unknown)
             VALUES (?1, 1, ?2, 1)
             ON CONFLICT(job_id) DO UPDATE SET attempts = attempts + 1,
                 last_sent_at_ms = excluded.last_sent_at_ms, outcome_unknown = 1",
            (job_id, now),
        )?;
        Ok(self.create_attempts(job_id)?.expect("just written"))
    }

    /// The server answered (a session id, or an error it certainly did not act on, such as 429
    /// or `asset_not_available`): nothing to reconcile.
    pub(crate) fn create_outcome_known(&self, job_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE create_attempts SET outcome_unknown = 0 WHERE job_id = ?1",
            [job_id],
        )?;
        Ok(())
    }

    pub fn create_attempts(&self, job_id: &str) -> Result<Option<CreateAttempts>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT attempts, last_sent_at_ms, outcome_unknown FROM create_attempts
                 WHERE job_id = ?1",
                [job_id],
                |r| {
                    Ok(CreateAttempts {
                        attempts: r.get::<_, i64>(0)?.max(0) as u32,
                        last_sent_at_ms: r.get(1)?,
                        outcome_unknown: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether some job already holds this session.
    pub(crate) fn session_claimed(&self, session_id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM jobs WHERE session_id = ?1 LIMIT 1",
                [session_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Give a job that has no session yet the session its lost create made — unless another job
    /// holds it already (checked in the same statement, so two reconciling jobs with the same
    /// prompt can never share one session). Returns whether the job took it.
    pub(crate) fn adopt_session(&self, job_id: &str, session_id: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE jobs SET session_id = ?2, updated_at = ?3
             WHERE id = ?1 AND session_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE session_id = ?2)",
            (job_id, session_id, super::now_unix()),
        )?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::{Job, JobRequest, JobState};

    fn job(id: &str) -> Job {
        let request = JobRequest {
            prompt: "p".into(),
            ..Default::default()
        };
        Job {
            state: JobState::Submitted,
            submitted_at: Some(1),
            ..Job::draft(id, request, format!("k-{id}"), 1)
        }
    }

    #[test]
    fn attempts_count_up_and_the_outcome_is_unknown_until_an_answer() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        store.insert_job(&job("a")).unwrap();
        assert!(store.create_attempts("a").unwrap().is_none());
        let first = store.create_sending("a").unwrap();
        assert_eq!((first.attempts, first.outcome_unknown), (1, true));
        store.create_outcome_known("a").unwrap();
        assert!(!store.create_attempts("a").unwrap().unwrap().outcome_unknown);
        let second = store.create_sending("a").unwrap();
        assert_eq!((second.attempts, second.outcome_unknown), (2, true));
    }

    #[test]
    fn a_session_is_adopted_by_one_job_only() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        store.insert_job(&job("a")).unwrap();
        store.insert_job(&job("b")).unwrap();
        assert!(!store.session_claimed("s1").unwrap());
        assert!(store.adopt_session("a", "s1").unwrap());
        assert!(store.session_claimed("s1").unwrap());
        assert!(
            !store.adopt_session("b", "s1").unwrap(),
            "already held by a"
        );
        assert!(
            !store.adopt_session("a", "s2").unwrap(),
            "a has its session"
        );
        assert_eq!(store.job("a").unwrap().session_id.as_deref(), Some("s1"));
        assert_eq!(store.job("b").unwrap().session_id, None);
    }
}
