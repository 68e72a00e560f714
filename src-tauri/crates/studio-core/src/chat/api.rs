//! The chat part of the [`Studio`] facade (see README.md, "Chat sessions").

use std::time::Duration;

use heygen_api::models::{
    AssetInput, PageRequest, SendMessageRequest, SessionStatus, VideoAgentMode,
};

use super::links::{first_line, link_videos};
use super::model::{
    ChatReply, ChatSession, ChatThread, ResourceView, SessionList, SessionRecord, SessionRow,
    SessionVideo, APPROVE_MESSAGE,
};
use super::thread::referenced_resources;
use crate::error::{CoreError, ErrorCode, Result};
use crate::jobs::validate::check_request;
use crate::jobs::{Job, JobRequest, JobState, Mode};
use crate::store::now_unix;
use crate::studio::Studio;

/// Most session details one listing reads (the rest stay as they are until the next listing).
const LIST_DETAIL_READS: usize = 10;
/// How long one listing may spend reading details (the list itself is shown regardless).
const LIST_DETAIL_TIME: Duration = Duration::from_secs(3);
/// A listed session not finished and not followed is re-read when its status is this old.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// Prefix that makes a revision request unmistakable as one (never read as an approval).
const CHANGES_PREFIX: &str = "Please change the following: ";

impl Studio {
    /// Start an interactive session (the request's mode is forced to `chat`). Follow it with
    /// `chat_thread(job.id)` and the `session_*` events.
    pub async fn chat_start(&self, request: JobRequest) -> Result<Job> {
        self.submit(JobRequest {
            mode: Mode::Chat,
            ..request
        })
        .await
    }

    /// A job id (or unique prefix) or a session id → (session id, the session's first job).
    pub fn resolve_session(&self, id: &str) -> Result<(String, Option<String>)> {
        if let Some(record) = self.store().chat_session(id)? {
            let anchor = record.job_id.clone().or_else(|| {
                self.store()
                    .session_jobs(id)
                    .ok()
                    .and_then(|j| j.first().map(|j| j.id.clone()))
            });
            return Ok((record.session_id, anchor));
        }
        let job = match self.job(id) {
            Ok(job) => job,
            Err(CoreError::NotFound { .. }) => {
                return Err(CoreError::NotFound {
                    what: "session",
                    id: id.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let session_id = job.session_id.clone().ok_or_else(|| {
            CoreError::invalid(
                ErrorCode::NoSession,
                None,
                "This job has not reached the server yet",
            )
        })?;
        Ok((session_id, Some(job.id)))
    }

    /// The session as shown: status, thread (oldest first), resources resolved (cached after the
    /// first read; one that cannot be read carries its error), and its videos in the library.
    /// Reads the session once from the server if it was never read here.
    pub async fn chat_thread(&self, id: &str) -> Result<ChatThread> {
        let (session_id, _) = self.resolve_session(id)?;
        let record = match self.store().chat_session(&session_id)? {
            Some(r) => r,
            None => {
                self.engine()
                    .sync_session(None, &session_id, false, false)
                    .await?
            }
        };
        self.thread_for(record).await
    }

    /// Read the session from the server now (and claim any new videos), then show it.
    pub async fn chat_refresh(&self, id: &str) -> Result<ChatThread> {
        let (session_id, _) = self.resolve_session(id)?;
        let record = self
            .engine()
            .sync_session(None, &session_id, false, false)
            .await?;
        self.wake_tracker();
        self.thread_for(record).await
    }

    /// Open a session by its server id (e.g. one started in HeyGen's web app or another
    /// machine) and follow it from now on: its thread here, its videos into the library.
    pub async fn open_session(&self, session_id: &str) -> Result<ChatThread> {
        let record = self
            .engine()
            .sync_session(None, session_id, true, false)
            .await?;
        self.wake_tracker();
        self.thread_for(record).await
    }

    /// Send a reply: an answer, an approval or a change request, with optional attachments
    /// (validated, uploaded and deduplicated like a job's) and avatar / voice / brand overrides.
    /// The session is followed until the agent has answered.
    pub async fn chat_reply(&self, id: &str, reply: ChatReply) -> Result<ChatSession> {
        let (session_id, anchor) = self.resolve_session(id)?;
        let probe = JobRequest {
            prompt: reply.message.clone(),
            files: reply
                .files
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
                .collect(),
            ..Default::default()
        };
        let checked = tokio::task::spawn_blocking(move || check_request(&probe)).await??;
        let engine = self.engine().clone();
        let conn = engine.connected().await?;
        let progress_id = anchor.clone().unwrap_or_else(|| session_id.clone());
        let mut files = Vec::new();
        for file in &checked {
            files.push(AssetInput::asset_id(
                engine.upload_once(&conn, &progress_id, file).await?,
            ));
        }
        let request = SendMessageRequest {
            message: reply.message.clone(),
            avatar_id: non_empty(reply.avatar_id),
            voice_id: non_empty(reply.voice_id),
            brand_kit_id: non_empty(reply.brand_kit_id),
            files,
        };
        conn.client
            .send_video_agent_message(&session_id, &request)
            .await?;
        tracing::info!(session_id = %session_id, "chat reply sent");
        // The job that follows this session (if still live) goes back to thinking.
        if let Some(job_id) = &anchor {
            if let Ok(job) = self.store().job(job_id) {
                if job.state.is_live()
                    && job.state != JobState::Thinking
                    && job.state.can_go_to(JobState::Thinking)
                    && !matches!(job.state, JobState::Completed | JobState::Downloading)
                {
                    engine.move_to(job_id, JobState::Thinking, Some("message sent"))?;
                }
            }
        }
        self.store().session_replied(&session_id)?;
        // Show the reply in the thread right away (the agent's answer comes with later polls).
        if let Err(e) = engine.sync_session(None, &session_id, true, false).await {
            tracing::warn!(session_id = %session_id, error = %e, "could not re-read the session after a reply");
        }
        let record = self.session_record(&session_id)?;
        engine.send_session_updated(&record);
        self.wake_tracker();
        self.session_view(&record)
    }

    /// "Approve and generate": the approval is a plain message (spec §2.3).
    pub async fn chat_approve(&self, id: &str) -> Result<ChatSession> {
        self.chat_reply(id, ChatReply::text(APPROVE_MESSAGE)).await
    }

    /// "Request changes…": the user's text, marked as a change request.
    pub async fn chat_request_changes(&self, id: &str, changes: &str) -> Result<ChatSession> {
        if changes.trim().is_empty() {
            return Err(CoreError::invalid(
                ErrorCode::PromptEmpty,
                Some("message"),
                "Say what should change",
            ));
        }
        self.chat_reply(
            id,
            ChatReply::text(format!("{CHANGES_PREFIX}{}", changes.trim())),
        )
        .await
    }

    /// Stop the session at the agent's next checkpoint (its job, if live, becomes `stopped`).
    pub async fn chat_stop(&self, id: &str) -> Result<ChatSession> {
        let (session_id, anchor) = self.resolve_session(id)?;
        let live_job = anchor
            .as_deref()
            .and_then(|j| self.store().job(j).ok())
            .filter(|j| j.state.is_live());
        match live_job {
            Some(job) => {
                self.stop(&job.id).await?;
            }
            None => {
                let conn = self.engine().connected().await?;
                conn.client.stop_video_agent_session(&session_id).await?;
            }
        }
        if let Err(e) = self
            .engine()
            .sync_session(None, &session_id, false, false)
            .await
        {
            tracing::warn!(session_id = %session_id, error = %e, "could not re-read a stopped session");
        }
        self.session_view(&self.session_record(&session_id)?)
    }

    /// The sessions list: the server's newest sessions (`GET /v3/video-agents`, `token` for more)
    /// merged with every session known here, newest first. Works offline from local history.
    pub async fn chat_sessions(&self, token: Option<String>) -> Result<SessionList> {
        let engine = self.engine().clone();
        let mut remote_error = None;
        let mut next_token = None;
        match engine.connected().await {
            Ok(conn) => {
                let page = PageRequest {
                    limit: Some(50),
                    token,
                };
                match conn.client.list_video_agent_sessions(&page).await {
                    Ok(page) => {
                        for item in &page.data {
                            self.store().note_listed_session(item)?;
                        }
                        next_token = page.next().map(str::to_string);
                        self.read_listed_details(&conn, &page.data).await;
                    }
                    Err(e) => remote_error = Some(CoreError::from(e).view()),
                }
            }
            Err(e) => remote_error = Some(e.view()),
        }
        let sessions = self
            .store()
            .chat_sessions()?
            .iter()
            .map(|r| {
                Ok(SessionRow {
                    session: self.session_view(r)?,
                    first_prompt: self.first_prompt(r)?.as_deref().and_then(first_line),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SessionList {
            sessions,
            next_token,
            remote_error,
        })
    }

    /// Read the details of the listed (visible) sessions whose status is unknown here or may
    /// be out of date (not finished, and nothing here reads it), so a session finished
    /// elsewhere shows as finished. Lazily, within the request budget: at most
    /// [`LIST_DETAIL_READS`] reads and [`LIST_DETAIL_TIME`] per listing; rows not read stay
    /// as they are (unknown says so).
    async fn read_listed_details(
        &self,
        conn: &crate::engine::Connected,
        items: &[heygen_api::models::SessionListItem],
    ) {
        let engine = self.engine();
        let deadline = tokio::time::Instant::now() + LIST_DETAIL_TIME;
        let now = now_unix();
        let mut reads = 0;
        for item in items {
            if reads >= LIST_DETAIL_READS {
                break;
            }
            let Ok(Some(record)) = self.store().chat_session(&item.session_id) else {
                continue;
            };
            let unknown = record.status == super::UNKNOWN_STATUS;
            let stale = !super::session_finished(&record.status)
                && !record.followed
                && now - record.updated_at >= STALE_AFTER.as_secs() as i64
                && !self
                    .store()
                    .session_jobs(&record.session_id)
                    .is_ok_and(|jobs| jobs.iter().any(|j| j.state.is_live()));
            if !(unknown || stale) {
                continue;
            }
            if tokio::time::timeout_at(deadline, engine.budget.acquire())
                .await
                .is_err()
            {
                break;
            }
            reads += 1;
            let read = tokio::time::timeout_at(
                deadline,
                conn.client.get_video_agent_session(&item.session_id),
            )
            .await;
            match read {
                Ok(Ok(session)) => {
                    if let Err(e) = engine.record_session(None, &session, false) {
                        tracing::warn!(session_id = %item.session_id, error = %e, "cannot record a listed session");
                    }
                }
                Ok(Err(e)) => {
                    tracing::debug!(session_id = %item.session_id, code = e.code(), "listed session not read")
                }
                Err(_) => break,
            }
        }
    }

    /// Flag sessions as stuck after this long in `thinking` (also `StudioConfig`).
    pub fn set_stuck_threshold(&self, after: Duration) {
        self.engine().chat.set_stuck_after(after);
    }

    fn session_record(&self, session_id: &str) -> Result<SessionRecord> {
        self.store()
            .chat_session(session_id)?
            .ok_or_else(|| CoreError::NotFound {
                what: "session",
                id: session_id.to_string(),
            })
    }

    /// What the user first asked in a session: the prompt of the job that started it here, else
    /// its first user message stored here (none for a session never opened).
    fn first_prompt(&self, r: &SessionRecord) -> Result<Option<String>> {
        self.store()
            .session_first_prompt(&r.session_id, r.job_id.as_deref())
    }

    fn session_view(&self, r: &SessionRecord) -> Result<ChatSession> {
        let now = now_unix();
        let elapsed = (now - r.status_since).max(0);
        let stuck = self.engine().is_stuck(r, now);
        let video_count = self
            .store()
            .session_jobs(&r.session_id)?
            .iter()
            .filter(|j| j.video_id.is_some())
            .count();
        Ok(ChatSession {
            session_id: r.session_id.clone(),
            job_id: r.job_id.clone(),
            mode: r.mode.as_deref().map(VideoAgentMode::from_wire),
            status: SessionStatus::from_wire(&r.status),
            title: r.title.clone(),
            progress: r.progress,
            created_at: r.created_at,
            status_since: r.status_since,
            elapsed_secs: elapsed,
            needs_input: matches!(r.status.as_str(), "waiting_for_input" | "reviewing"),
            active: !super::store::FINISHED.contains(&r.status.as_str()),
            stuck,
            stuck_explanation: stuck.then(|| stuck_explanation(elapsed)),
            followed: r.followed,
            video_count,
        })
    }

    async fn thread_for(&self, record: SessionRecord) -> Result<ChatThread> {
        let messages = self.store().chat_messages(&record.session_id)?;
        let mut resources = Vec::new();
        for resource_id in referenced_resources(&messages) {
            resources.push(self.resolve_resource(&record.session_id, resource_id).await);
        }
        let videos = self
            .store()
            .session_jobs(&record.session_id)?
            .into_iter()
            .filter(|j| j.video_id.is_some())
            .enumerate()
            .map(|(i, j)| SessionVideo {
                job_id: j.id,
                video_id: j.video_id,
                revision: i as u32 + 1,
                state: j.state,
                title: j.title,
                progress: j.progress,
                video_path: j.outputs.video,
                thumbnail_path: j.outputs.thumbnail,
                failure_message: j.failure_message,
                created_at: j.created_at,
            })
            .collect::<Vec<_>>();
        let links = link_videos(&resources, &videos);
        for (resource, job_id) in resources.iter_mut().zip(links) {
            resource.video_job_id = job_id;
        }
        let thread = ChatThread {
            session: self.session_view(&record)?,
            messages,
            resources,
            videos,
        };
        // Its images (storyboard, resources — all of what the server said about them — the
        // video's thumbnail) are media the UI may show.
        self.media_urls().record_all(&thread);
        for resource in thread.resources.iter().filter_map(|r| r.resource.as_ref()) {
            self.media_urls().record_all(resource);
        }
        Ok(thread)
    }

    /// A resource from the cache, else from the server (then cached). Never fails the thread.
    async fn resolve_resource(&self, session_id: &str, resource_id: String) -> ResourceView {
        let found = match self.store().cached_resource(session_id, &resource_id) {
            Ok(Some(r)) => Ok(r),
            _ => self.fetch_resource(session_id, &resource_id).await,
        };
        match found {
            Ok(resource) => ResourceView::resolved(resource),
            Err(e) => ResourceView::failed(resource_id, e.view()),
        }
    }

    async fn fetch_resource(
        &self,
        session_id: &str,
        resource_id: &str,
    ) -> Result<heygen_api::models::Resource> {
        let conn = self.engine().connected().await?;
        let resource = conn
            .client
            .get_session_resource(session_id, resource_id)
            .await?;
        self.store().cache_resource(session_id, &resource)?;
        Ok(resource)
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn stuck_explanation(elapsed_secs: i64) -> String {
    format!(
        "The agent has been thinking for {} without moving on. HeyGen sessions sometimes stall \
         here. You can keep waiting, or stop the session — nothing is charged for a video that \
         was not made — and start again.",
        human_duration(elapsed_secs)
    )
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 90 => format!("{s} seconds"),
        s if s < 90 * 60 => format!("{} minutes", (s + 30) / 60),
        s => format!("{:.1} hours", s as f64 / 3600.0),
    }
}
