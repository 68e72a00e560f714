//! At most one session per job, without relying on the server's idempotency.
//!
//! HeyGen does not document `Idempotency-Key` for `POST /v3/video-agents`, so after a create
//! whose outcome is unknown (timeout, reset, 5xx after the body went out, a crash between sending
//! and storing the answer) a re-send may make a second, billed session. Before any re-send the
//! engine therefore *reconciles*: it lists the sessions created since the job was first sent
//! (newest first, paging only as far back as that time minus a clock-skew margin), reads the
//! ones no job here holds, and adopts the one whose first user message is the job's prompt
//! (same mode, same number of files when the server lists them). Only when none matches, and
//! the grace period since the last send is over (the server's list may lag), is the create sent
//! again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use heygen_api::models::{PageRequest, Session, SessionListItem};

use super::model::{Job, Mode};
use crate::engine::{ActiveGuard, Connected, Engine};
use crate::error::{CoreError, Result};
use crate::store::{now_unix_ms, CreateAttempts};

/// Sessions created this long before our first send still count (the server's clock and ours
/// may disagree).
pub(crate) const CLOCK_SKEW: Duration = Duration::from_secs(120);
/// After an unknown outcome, how long the server's list gets to show the session before the
/// create is sent again (nominal: scaled by the poll cadence).
pub(crate) const GRACE: Duration = Duration::from_secs(30);
/// Pages of 100 read at most per reconciliation (a bound, not an expectation).
const MAX_PAGES: usize = 20;
/// The API shows at most this many messages of a session.
const MESSAGE_WINDOW: usize = 40;

/// What a session was created with, as far as its first user message tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionOrigin {
    pub prompt: Option<String>,
    pub mode: Option<String>,
    /// Files of the first user message, when the server lists them.
    pub files: Option<usize>,
}

impl SessionOrigin {
    fn of(session: &Session) -> Self {
        let first = session.first_user_message();
        SessionOrigin {
            prompt: first.map(|m| m.content.trim().to_string()),
            mode: session.mode.clone(),
            files: first
                .filter(|m| !m.resource_ids.is_empty())
                .map(|m| m.resource_ids.len()),
        }
    }

    /// Whether a session with this origin is the one `job`'s create made.
    fn matches(&self, job: &Job, files: usize) -> bool {
        let mode = match job.request.mode {
            Mode::Generate => "generate",
            Mode::Chat => "chat",
        };
        self.prompt.as_deref() == Some(job.request.prompt.trim())
            && self.mode.as_deref().is_none_or(|m| m == mode)
            && self.files.is_none_or(|n| n == files)
    }
}

/// Origins already read: a session's first message never changes, so each is read once.
#[derive(Debug, Default)]
pub(crate) struct OriginCache(Mutex<HashMap<String, SessionOrigin>>);

impl OriginCache {
    fn get(&self, session_id: &str) -> Option<SessionOrigin> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(session_id)
            .cloned()
    }

    fn put(&self, session_id: &str, origin: SessionOrigin) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(session_id.to_string(), origin);
    }
}

/// The outcome of a reconciliation.
#[derive(Debug)]
pub(crate) enum Reconciled {
    /// The lost create's session was found and now belongs to the job.
    Adopted(Session),
    /// Nothing found yet, but the server may still be catching up: look again later.
    Wait,
    /// Nothing found after the grace period: the create never arrived; send it again.
    Resend,
}

impl Engine {
    /// Look for the session a job's earlier create may have made. `attempts` is the job's
    /// record (the last send and its unknown outcome); `files` the number of files it sends.
    pub(crate) async fn reconcile_create(
        &self,
        guard: &ActiveGuard,
        conn: &Connected,
        job: &Job,
        attempts: &CreateAttempts,
        files: usize,
    ) -> Result<Reconciled> {
        let first_sent = job.submitted_at.unwrap_or(job.created_at);
        let since = first_sent - CLOCK_SKEW.as_secs() as i64;
        let candidates = self.sessions_created_since(guard, conn, since).await?;
        tracing::info!(
            job_id = %job.id,
            candidates = candidates.len(),
            "create outcome unknown: looking for its session before sending again"
        );
        // Oldest first: the earliest matching session is the one the first lost create made.
        for item in candidates.iter().rev() {
            let Some((origin, session)) = self.origin_of(guard, conn, &item.session_id).await?
            else {
                continue;
            };
            if !origin.matches(job, files) {
                continue;
            }
            let session = match session {
                Some(s) => s,
                None => self.read_session(guard, conn, &item.session_id).await?,
            };
            if self.store.adopt_session(&job.id, &item.session_id)? {
                tracing::info!(job_id = %job.id, session_id = %item.session_id, "create adopted: its session was made although the answer was lost");
                return Ok(Reconciled::Adopted(session));
            }
        }
        let waited =
            Duration::from_millis((now_unix_ms() - attempts.last_sent_at_ms).max(0) as u64);
        if waited < self.cadence.apply(GRACE) {
            return Ok(Reconciled::Wait);
        }
        Ok(Reconciled::Resend)
    }

    /// The server's sessions created at or after `since` (Unix seconds) that no job here holds,
    /// newest first. Pages only as far back as `since`.
    async fn sessions_created_since(
        &self,
        guard: &ActiveGuard,
        conn: &Connected,
        since: i64,
    ) -> Result<Vec<SessionListItem>> {
        let mut found = Vec::new();
        let mut page = PageRequest::with_limit(100);
        for _ in 0..MAX_PAGES {
            self.budget.acquire().await;
            let listed = tokio::select! {
                r = conn.client.list_video_agent_sessions(&page) => r?,
                _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
            };
            let mut older_reached = listed.data.is_empty();
            for item in &listed.data {
                if item.created_at.is_some_and(|t| t < since) {
                    older_reached = true;
                    continue;
                }
                if !self.store.session_claimed(&item.session_id)? {
                    found.push(item.clone());
                }
            }
            match listed.next() {
                Some(token) if !older_reached => page = page.after(token),
                _ => break,
            }
        }
        Ok(found)
    }

    /// What a session was created with (cached), and the session itself when it was just read.
    /// `None` for a session that is gone or whose first message is out of the window.
    async fn origin_of(
        &self,
        guard: &ActiveGuard,
        conn: &Connected,
        session_id: &str,
    ) -> Result<Option<(SessionOrigin, Option<Session>)>> {
        if let Some(origin) = self.origins.get(session_id) {
            return Ok(Some((origin, None)));
        }
        let session = match self.read_session(guard, conn, session_id).await {
            Ok(s) => s,
            Err(CoreError::Api(e)) if e.http_status() == Some(404) => return Ok(None),
            Err(e) => return Err(e),
        };
        let origin = SessionOrigin::of(&session);
        // No user message yet may mean "not written yet": cache only a settled answer.
        if origin.prompt.is_some() || session.messages.len() >= MESSAGE_WINDOW {
            self.origins.put(session_id, origin.clone());
        }
        Ok(Some((origin, Some(session))))
    }

    async fn read_session(
        &self,
        guard: &ActiveGuard,
        conn: &Connected,
        session_id: &str,
    ) -> Result<Session> {
        self.budget.acquire().await;
        tokio::select! {
            r = conn.client.get_video_agent_session(session_id) => Ok(r?),
            _ = guard.cancel.cancelled() => Err(CoreError::Cancelled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::{JobRequest, JobState};

    fn job(prompt: &str, mode: Mode) -> Job {
        let request = JobRequest {
            prompt: prompt.into(),
            mode,
            ..Default::default()
        };
        Job {
            state: JobState::Submitted,
            submitted_at: Some(0),
            ..Job::draft("j", request, "k", 0)
        }
    }

    fn session(json: serde_json::Value) -> Session {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_first_user_message_identifies_the_create() {
        // Newest first, as the API sends them: the prompt is the oldest user message.
        let s = session(serde_json::json!({
            "session_id": "s", "status": "thinking", "mode": "generate",
            "messages": [
                {"role": "user", "content": "Make it blue", "created_at": 30},
                {"role": "model", "content": "Here is a plan", "created_at": 20},
                {"role": "user", "content": " A 10-second video about bees ", "created_at": 10,
                 "resource_ids": ["r1"]}
            ]
        }));
        let origin = SessionOrigin::of(&s);
        assert_eq!(
            origin.prompt.as_deref(),
            Some("A 10-second video about bees")
        );
        assert_eq!(origin.files, Some(1));
        let j = job("A 10-second video about bees", Mode::Generate);
        assert!(origin.matches(&j, 1));
        assert!(!origin.matches(&j, 0), "another number of files");
        assert!(!origin.matches(&job("A 10-second video about bees", Mode::Chat), 1));
        assert!(!origin.matches(&job("Make it blue", Mode::Generate), 1));
    }

    #[test]
    fn missing_details_do_not_block_a_match_but_a_missing_prompt_never_matches() {
        let s = session(serde_json::json!({
            "session_id": "s", "status": "generating",
            "messages": [{"role": "user", "content": "p"}]
        }));
        assert!(SessionOrigin::of(&s).matches(&job("p", Mode::Chat), 3));
        let empty = session(serde_json::json!({"session_id": "s", "status": "thinking"}));
        assert!(!SessionOrigin::of(&empty).matches(&job("p", Mode::Generate), 0));
    }
}
