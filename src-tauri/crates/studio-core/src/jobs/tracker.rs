//! The background tracker: follows every live job on HeyGen's cadence under the one request
//! budget, re-sends unconfirmed creates with their idempotency key, and hands finished videos to
//! the downloader. The startup sweep is simply "everything live is due now".

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use heygen_api::models::{PageRequest, SessionStatus, VideoStatus};
use tokio::time::Instant;

use super::model::{Job, Mode};
use super::state::JobState;
use super::submit::state_for_session;
use crate::engine::{ActiveGuard, Engine};
use crate::error::{CoreError, Result};
use crate::events::StudioEvent;
use crate::store::{now_unix, RemoteUpdate};

/// How long after its create a job's session or video may answer 404 before the job fails
/// (nominal: scaled by the poll cadence).
const GONE_AFTER: Duration = Duration::from_secs(5 * 60);

/// Wakes the tracker early (a new job, resume, a finished step), and keeps when each job is due.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    due: std::sync::Mutex<HashMap<String, Instant>>,
    pub wake: tokio::sync::Notify,
    /// What the video list sweep and the one-shot session lane keep (see `video_sweep`).
    pub(crate) lists: super::video_sweep::ListState,
}

impl Schedule {
    pub(crate) fn due(&self, id: &str, now: Instant) -> bool {
        self.due
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .is_none_or(|at| *at <= now)
    }

    pub fn set(&self, id: &str, at: Instant) {
        self.due
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), at);
    }

    /// Make one job due now.
    pub(crate) fn due_now(&self, id: &str) {
        self.due
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Make every job due now.
    pub fn all_due_now(&self) {
        self.due.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.wake.notify_one();
    }
}

/// Which reads one step of a job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poll {
    /// The session when `job_reads_session` says so, then the video (a job not followed by the
    /// video list).
    Full,
    /// Only the video itself: the list showed it finished (fresh URLs, the failure) or did not
    /// tell about it.
    VideoOnly,
    /// Only the session of a one-shot job whose video the list follows (the session lane).
    SessionOnly,
}

/// Whether polling this job reads its session: while it has no video id; for a chat job until
/// its video renders (a chat session goes on after); for a one-shot job until the session is
/// finished, also when the create answer already carried the video id — title, progress,
/// messages and a failure inside the session come only from the session.
pub(crate) fn job_reads_session(job: &Job, session_finished: bool) -> bool {
    job.state.is_live()
        && !matches!(job.state, JobState::Completed | JobState::Downloading)
        && (job.video_id.is_none()
            || match job.request.mode {
                Mode::Chat => job.state != JobState::Generating,
                Mode::Generate => !session_finished,
            })
}

impl Engine {
    /// Run until shutdown: every tick, start work for each live job that is due and idle.
    pub(crate) async fn run_tracker(self: Arc<Self>, schedule: Arc<Schedule>) {
        let tick = self
            .cadence
            .apply(Duration::from_secs(1))
            .min(Duration::from_secs(1));
        loop {
            let live = match self.store.live_jobs() {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "tracker cannot read jobs");
                    Vec::new()
                }
            };
            let now = Instant::now();
            let mut by_list = Vec::new();
            for job in live {
                let listed = follows_by_list(&job);
                if listed && !schedule.lists.needs_item_read(&job.id) {
                    by_list.push(job);
                    continue;
                }
                if !schedule.due(&job.id, now) {
                    continue;
                }
                let Some(guard) = self.try_begin(&job.id) else {
                    continue;
                };
                let poll = if listed { Poll::VideoOnly } else { Poll::Full };
                let engine = self.clone();
                let schedule = schedule.clone();
                tokio::spawn(async move {
                    let id = job.id.clone();
                    let outcome = engine.advance(&guard, job, poll).await;
                    let next = engine.next_poll(&id, outcome.as_ref().err());
                    schedule.set(&id, Instant::now() + next);
                    if outcome.is_ok() {
                        schedule.lists.item_read_done(&id);
                    }
                    drop(guard);
                    if outcome.as_ref().is_ok_and(|progressed| *progressed) {
                        schedule.wake.notify_one();
                    }
                });
            }
            self.start_video_sweep(&schedule, &by_list, now);
            self.start_session_read(&schedule, &by_list, now);
            self.follow_sessions(&schedule, now);
            tokio::select! {
                _ = self.shutdown.cancelled() => break,
                _ = tokio::time::sleep(tick) => {}
                _ = schedule.wake.notified() => {}
            }
        }
    }

    pub(crate) fn next_poll(&self, id: &str, error: Option<&CoreError>) -> Duration {
        let job = self.store.get_job(id).ok().flatten();
        let since = job
            .as_ref()
            .and_then(|j| j.submitted_at)
            .map(|t| Duration::from_secs((now_unix() - t).max(0) as u64))
            .unwrap_or_default();
        let base = self.cadence.interval(since);
        match (error, job.map(|j| j.state)) {
            (Some(e), _) => {
                tracing::warn!(job_id = id, code = e.code().as_str(), error = %e, "job step failed; will retry");
                self.events.send(StudioEvent::JobWarning {
                    job_id: id.to_string(),
                    error: e.view(),
                });
                base
            }
            // A finished video should be fetched right away.
            (None, Some(JobState::Completed)) => Duration::ZERO,
            _ => base,
        }
    }

    /// One step for one job. Returns whether the job moved on (so the next step runs soon).
    pub(crate) async fn advance(
        self: &Arc<Self>,
        guard: &ActiveGuard,
        job: Job,
        poll: Poll,
    ) -> Result<bool> {
        let before = job.state;
        let result = match job.state {
            JobState::Uploading | JobState::Submitted if job.session_id.is_none() => {
                self.drive_create(guard, None).await.map(|_| ())
            }
            JobState::Completed | JobState::Downloading => self.download_job(guard, &job.id).await,
            s if s.is_live() => self.poll_remote(guard, job.clone(), poll).await,
            _ => Ok(()),
        };
        if let Err(e) = &result {
            self.note_rate_limit(e);
            if matches!(e, CoreError::Cancelled) {
                return Ok(false);
            }
        }
        result?;
        Ok(self.store.job(&job.id)?.state != before)
    }

    /// A 404 for a job's session (or video, see `video_missing`): right after the create it may
    /// be the server catching up, so keep polling for a while; after that the server has lost
    /// or deleted it and no poll will bring it back, so fail the job (Retry makes it again).
    /// Any other error is passed on (the tracker polls again).
    fn fail_if_gone(&self, job: &Job, what: &str, e: heygen_api::ApiError) -> Result<()> {
        let since = now_unix() - job.submitted_at.unwrap_or(job.created_at);
        if e.http_status() != Some(404) || since < self.cadence.apply(GONE_AFTER).as_secs() as i64 {
            return Err(e.into());
        }
        let code = format!("{what}_not_found");
        let message = format!(
            "The server no longer knows this job's {what} (HTTP 404): it was deleted or lost. \
             Press Retry to make the video again."
        );
        tracing::warn!(job_id = %job.id, code = %code, "the server lost the job; failed");
        self.fail(&job.id, &code, &message)?;
        Ok(())
    }

    /// A 404 for a job's video. The id may come with the create answer before the video exists
    /// (HeyGen's example answers `generating` with a `video_id`), so while the session is still
    /// working it only means "not yet". Once the session is finished, a video still missing
    /// after a grace period (nominal: scaled by the cadence) was lost or deleted.
    fn video_missing(&self, job: &Job, e: heygen_api::ApiError) -> Result<()> {
        if e.http_status() != Some(404) {
            return Err(e.into());
        }
        let session_finished = match &job.session_id {
            Some(s) => self
                .store
                .chat_session(s)?
                .is_some_and(|r| crate::chat::session_finished(&r.status)),
            None => true,
        };
        let since = {
            let mut missing = self
                .video_missing_since
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            *missing.entry(job.id.clone()).or_insert_with(Instant::now)
        };
        if !session_finished || since.elapsed() < self.cadence.apply(GONE_AFTER) {
            tracing::debug!(job_id = %job.id, "video not found yet; still in the making");
            return Ok(());
        }
        self.video_found(&job.id);
        self.fail_if_gone(job, "video", e)
    }

    fn video_found(&self, job_id: &str) {
        self.video_missing_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(job_id);
    }

    /// Ask the server where a job stands and record it.
    async fn poll_remote(
        self: &Arc<Self>,
        guard: &ActiveGuard,
        job: Job,
        poll: Poll,
    ) -> Result<()> {
        let conn = self.connected().await?;
        let id = job.id.clone();
        let Some(session_id) = job.session_id.clone() else {
            return Ok(());
        };
        let mut video_id = job.video_id.clone();
        let session_finished = self
            .store
            .chat_session(&session_id)?
            .is_some_and(|r| crate::chat::session_finished(&r.status));
        // What the session says the job should be (None = not read, or no opinion).
        let mut session_state = None;
        let reads_session = poll != Poll::VideoOnly && job_reads_session(&job, session_finished);
        if reads_session {
            self.budget.acquire().await;
            let session = tokio::select! {
                r = conn.client.get_video_agent_session(&session_id) => r,
                _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
            };
            let session = match session {
                Ok(s) => s,
                Err(e) => return self.fail_if_gone(&job, "session", e),
            };
            let record =
                self.record_session(Some(&id), &session, job.request.mode == Mode::Chat)?;
            // Followed (chat) sessions are flagged by `follow_sessions`; a one-shot's here, for
            // either create answer (with or without a video id).
            if !record.followed && !record.stuck_notified && self.is_stuck(&record, now_unix()) {
                self.store.set_stuck_notified(&record.session_id)?;
                tracing::warn!(job_id = %id, session_id = %record.session_id, "session stuck in thinking");
                self.send_session_updated(&record);
            }
            if session.video_id.is_none() && session.status == SessionStatus::Completed {
                // Completed without a video id on the session: ask for the session's videos.
                self.budget.acquire().await;
                let page = conn
                    .client
                    .list_session_videos(&session_id, &PageRequest::default())
                    .await?;
                video_id = page.data.first().map(|v| v.id.clone());
            } else if session.video_id.is_some() {
                video_id = session.video_id.clone();
            }
            let updated = self.store.update_remote(
                &id,
                &RemoteUpdate {
                    video_id: video_id.clone(),
                    title: session.title.clone(),
                    progress: Some(session.progress),
                    ..Default::default()
                },
            )?;
            if updated.progress != job.progress || updated.title != job.title {
                self.events.send(StudioEvent::JobUpdated {
                    job_id: id.clone(),
                    progress: updated.progress,
                    title: updated.title.clone(),
                });
            }
            session_state = state_for_session(&session.status);
            match session_state {
                Some(JobState::Failed) => {
                    let message = session
                        .latest_error()
                        .unwrap_or("The agent could not make this video")
                        .to_string();
                    self.fail(&id, "session_failed", &message)?;
                    return Ok(());
                }
                Some(next) if !(next == JobState::Generating && video_id.is_none()) => {
                    self.move_to(&id, next, None)?;
                }
                Some(_) => {}
                None if job.state == JobState::Submitted => {
                    self.move_to(&id, JobState::Thinking, None)?;
                }
                None => {}
            }
        }
        let Some(video_id) = video_id else {
            return Ok(());
        };
        if poll == Poll::SessionOnly {
            return Ok(());
        }
        self.budget.acquire().await;
        let video = tokio::select! {
            r = conn.client.get_video(&video_id) => r,
            _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
        };
        let video = match video {
            Ok(v) => {
                self.video_found(&id);
                v
            }
            Err(e) => return self.video_missing(&job, e),
        };
        self.store.update_remote(
            &id,
            &RemoteUpdate {
                title: video.title.clone(),
                video_page_url: video.video_page_url.clone(),
                ..Default::default()
            },
        )?;
        match video.status {
            VideoStatus::Completed => {
                self.move_to(&id, JobState::Completed, Some("video ready"))?;
            }
            VideoStatus::Failed => {
                let code = video.failure_code.as_deref().unwrap_or("video_failed");
                let message = video
                    .failure_message
                    .as_deref()
                    .unwrap_or("The video could not be rendered");
                self.fail(&id, code, message)?;
            }
            // Pending or processing (for however long): still in the making. The session, when
            // read, says which phase the agent is in; otherwise the video says "generating".
            _ if session_state.is_some_and(|s| s != JobState::Generating) => {}
            _ if !reads_session && !self.session_allows_generating(&job)? => {}
            _ => self.video_in_progress(&id)?,
        }
        Ok(())
    }

    /// A video still in the making: the job is generating (once its session lets it).
    pub(crate) fn video_in_progress(&self, id: &str) -> Result<()> {
        let current = self.store.job(id)?.state;
        if current != JobState::Generating && current.can_go_to(JobState::Generating) {
            self.move_to(id, JobState::Generating, None)?;
        }
        Ok(())
    }

    /// For a video read without its session: whether the session, as last read, lets a video
    /// in the making move the job to `generating`. A one-shot session not read yet or last seen
    /// in an earlier phase does not (the session lane reads it soon); a chat job reaches here
    /// only once generating.
    pub(crate) fn session_allows_generating(&self, job: &Job) -> Result<bool> {
        if job.request.mode != Mode::Generate {
            return Ok(true);
        }
        let Some(session_id) = &job.session_id else {
            return Ok(true);
        };
        Ok(match self.store.chat_session(session_id)? {
            None => false,
            Some(r) if crate::chat::session_finished(&r.status) => true,
            Some(r) => state_for_session(&SessionStatus::from_wire(&r.status))
                .is_none_or(|s| s == JobState::Generating),
        })
    }
}

/// Whether the video list follows this job's video (rather than a read of the video each
/// cadence): it has a video id and its session is not what the job is waiting on — a one-shot
/// job (its session is read in the session lane) or a chat job that is generating.
pub(crate) fn follows_by_list(job: &Job) -> bool {
    job.state.is_live()
        && !matches!(job.state, JobState::Completed | JobState::Downloading)
        && job.session_id.is_some()
        && job.video_id.is_some()
        && (job.request.mode == Mode::Generate || job.state == JobState::Generating)
}
