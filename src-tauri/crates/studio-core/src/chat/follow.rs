//! Following sessions in the background. A session whose job polls it (the tracker records it
//! through [`Engine::record_session`]) is not polled twice; every other followed session (a job
//! already finished and the user asked for a revision, or a session opened from the server's
//! list) is polled here on the same cadence and budget. Every video of a session becomes its own
//! library entry, which the job tracker then follows and downloads.

use std::sync::Arc;
use std::time::Duration;

use heygen_api::models::{PageRequest, Session};
use tokio::time::Instant;

use super::model::SessionRecord;
use super::store::SessionUpsert;
use super::thread::incoming;
use crate::engine::{ActiveGuard, Connected, Engine};
use crate::error::{CoreError, Result};
use crate::events::StudioEvent;
use crate::jobs::tracker::Schedule;
use crate::jobs::{Job, JobRequest, JobState, Mode};
use crate::store::now_unix;

/// Schedule and in-flight keys for sessions (job ids are bare uuids, so these never collide).
fn session_key(session_id: &str) -> String {
    format!("session:{session_id}")
}

/// Whether the job tracker reads this job's session itself (so we need not). Only unfinished
/// sessions are followed here, so the session counts as unfinished.
fn job_polls_session(job: &Job) -> bool {
    crate::jobs::tracker::job_reads_session(job, false)
}

impl Engine {
    /// Record a fresh read of a session: status, title, progress, and new messages merged into
    /// the thread. Sends `session_updated` on a change and `session_messages` for new messages.
    pub(crate) fn record_session(
        &self,
        job_id: Option<&str>,
        session: &Session,
        follow: bool,
    ) -> Result<SessionRecord> {
        // A session read without its job (the list, a revision poll) still belongs to it.
        let job_id = match job_id {
            Some(j) => Some(j.to_string()),
            None => self
                .store
                .session_jobs(&session.session_id)?
                .first()
                .map(|j| j.id.clone()),
        };
        // Messages first: a reader that sees the new status also sees what the agent said.
        let added = self
            .store
            .merge_chat_messages(&session.session_id, &incoming(session))?;
        let (before, after) = self.store.upsert_session(&SessionUpsert {
            session_id: session.session_id.clone(),
            job_id,
            mode: session.mode.clone(),
            status: session.status.as_str().to_string(),
            title: session.title.clone(),
            progress: Some(session.progress),
            created_at: session.created_at,
            follow,
        })?;
        if added > 0 {
            self.events.send(StudioEvent::SessionMessages {
                session_id: session.session_id.clone(),
                job_id: after.job_id.clone(),
                added,
            });
        }
        let changed = before.as_ref().is_none_or(|b| {
            b.status != after.status || b.progress != after.progress || b.title != after.title
        });
        if changed {
            self.send_session_updated(&after);
        }
        Ok(after)
    }

    pub(crate) fn send_session_updated(&self, record: &SessionRecord) {
        self.events.send(StudioEvent::SessionUpdated {
            session_id: record.session_id.clone(),
            job_id: record.job_id.clone(),
            status: record.status.clone(),
            stuck: self.is_stuck(record, now_unix()),
        });
    }

    pub(crate) fn is_stuck(&self, record: &SessionRecord, now: i64) -> bool {
        record.status == "thinking"
            && (now - record.status_since).max(0) as u64 >= self.chat.stuck_after_secs()
    }

    /// One read of a session (from the background, under the budget) and its videos.
    pub(crate) async fn sync_session(
        self: &Arc<Self>,
        guard: Option<&ActiveGuard>,
        session_id: &str,
        follow: bool,
        background: bool,
    ) -> Result<SessionRecord> {
        let conn = self.connected().await?;
        if background {
            self.budget.acquire().await;
        }
        let read = conn.client.get_video_agent_session(session_id);
        let session = match guard {
            Some(g) => tokio::select! {
                r = read => r?,
                _ = g.cancel.cancelled() => return Err(CoreError::Cancelled),
            },
            None => read.await?,
        };
        let record = self.record_session(None, &session, follow)?;
        self.claim_session_videos(&conn, &session, background)
            .await?;
        Ok(record)
    }

    /// Make a library entry for every video of the session that none has yet (oldest first).
    /// Skipped while one of the session's jobs still waits to learn its own video id, so the
    /// first video is never claimed twice.
    pub(crate) async fn claim_session_videos(
        &self,
        conn: &Connected,
        session: &Session,
        background: bool,
    ) -> Result<usize> {
        let jobs = self.store.session_jobs(&session.session_id)?;
        if jobs
            .iter()
            .any(|j| j.state.is_live() && j.video_id.is_none())
        {
            return Ok(0);
        }
        // Nothing can have been rendered before the agent was approved.
        if session.video_id.is_none()
            && !matches!(session.status.as_str(), "generating" | "completed")
        {
            return Ok(0);
        }
        if background {
            self.budget.acquire().await;
        }
        let page = conn
            .client
            .list_session_videos(&session.session_id, &PageRequest::with_limit(100))
            .await?;
        let prompt = self
            .store
            .chat_messages(&session.session_id)?
            .into_iter()
            .rev()
            .find(|m| m.role == "user")
            .map(|m| m.content)
            .or_else(|| jobs.first().map(|j| j.request.prompt.clone()))
            .or_else(|| session.title.clone())
            .unwrap_or_else(|| "Video Agent session".to_string());
        let template = jobs.first().map(|j| j.request.clone());
        let mut claimed = 0;
        // Newest first from the server: create entries oldest first so revisions count up.
        for video in page.data.iter().rev() {
            if self.store.video_claimed(&video.id)? {
                continue;
            }
            let id = uuid::Uuid::new_v4().simple().to_string();
            let now = now_unix();
            let request = JobRequest {
                prompt: prompt.clone(),
                mode: Mode::Chat,
                files: Vec::new(),
                ..template.clone().unwrap_or_default()
            };
            let job = Job {
                state: JobState::Generating,
                session_id: Some(session.session_id.clone()),
                video_id: Some(video.id.clone()),
                title: video.title.clone().or_else(|| session.title.clone()),
                video_page_url: video.video_page_url.clone(),
                submitted_at: Some(video.created_at.unwrap_or(now)),
                // Unique per video: a second claim of the same video fails on insert.
                ..Job::draft(id.clone(), request, format!("vas-video-{}", video.id), now)
            };
            match self.store.insert_job(&job) {
                Ok(()) => {}
                Err(e) if self.store.video_claimed(&video.id)? => {
                    tracing::debug!(error = %e, video_id = %video.id, "video claimed meanwhile");
                    continue;
                }
                Err(e) => return Err(e),
            }
            tracing::info!(job_id = %id, session_id = %session.session_id, video_id = %video.id, "session video added to the library");
            self.events.send(StudioEvent::JobState {
                job_id: id,
                from: None,
                to: JobState::Generating,
                detail: Some(format!("video of session {}", session.session_id)),
            });
            claimed += 1;
        }
        Ok(claimed)
    }

    /// One tracker tick for sessions: flag stuck ones, poll the due ones no job polls.
    pub(crate) fn follow_sessions(self: &Arc<Self>, schedule: &Arc<Schedule>, now: Instant) {
        let sessions = match self.store.followed_sessions() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "tracker cannot read sessions");
                return;
            }
        };
        let unix_now = now_unix();
        for record in sessions {
            if !record.stuck_notified && self.is_stuck(&record, unix_now) {
                if let Err(e) = self.store.set_stuck_notified(&record.session_id) {
                    tracing::warn!(error = %e, "cannot record the stuck flag");
                }
                tracing::warn!(session_id = %record.session_id, "session stuck in thinking");
                self.send_session_updated(&record);
            }
            let key = session_key(&record.session_id);
            if !schedule.due(&key, now) {
                continue;
            }
            match self.store.session_jobs(&record.session_id) {
                Ok(jobs) if jobs.iter().any(job_polls_session) => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read a session's jobs");
                    continue;
                }
            }
            let Some(guard) = self.try_begin(&key) else {
                continue;
            };
            let engine = self.clone();
            let schedule = schedule.clone();
            tokio::spawn(async move {
                let session_id = record.session_id.clone();
                let outcome = engine
                    .sync_session(Some(&guard), &session_id, false, true)
                    .await;
                let since = engine
                    .store
                    .chat_session(&session_id)
                    .ok()
                    .flatten()
                    .map_or(0, |r| (now_unix() - r.status_since).max(0) as u64);
                let next = engine.cadence.interval(Duration::from_secs(since));
                schedule.set(&key, Instant::now() + next);
                drop(guard);
                match outcome {
                    Ok(_) => schedule.wake.notify_one(),
                    Err(CoreError::Cancelled) => {}
                    Err(e) => {
                        engine.note_rate_limit(&e);
                        tracing::warn!(session_id = %session_id, code = e.code().as_str(), error = %e, "session poll failed; will retry");
                    }
                }
            });
        }
    }
}
