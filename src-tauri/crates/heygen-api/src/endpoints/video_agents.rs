//! `/v3/video-agents` (spec §2.1–§2.4).

use reqwest::Method;

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    CreateVideoAgentRequest, CreateVideoAgentResponse, Page, PageRequest, Resource,
    SendMessageRequest, SendMessageResponse, Session, SessionListItem, StopSessionResponse, Video,
};

/// Longest prompt or message the API accepts.
pub const MAX_PROMPT_CHARS: usize = 10_000;
/// Most files one request may attach.
pub const MAX_FILES: usize = 20;

impl Client {
    /// `POST /v3/video-agents` — creates a session (one-shot or `mode: chat`). Pass an
    /// `idempotency_key` stored before sending so a retry after a lost answer cannot create a
    /// second job *where the server honours it* — HeyGen does not document the key for this
    /// endpoint, so a caller must not rely on it. Never retried on 5xx/network errors (the
    /// create may have been processed: a blind re-send can bill a second session); only on 429,
    /// which the server did not process.
    pub async fn create_video_agent(
        &self,
        request: &CreateVideoAgentRequest,
        idempotency_key: Option<&str>,
    ) -> Result<CreateVideoAgentResponse, ApiError> {
        check_text(&request.prompt, "prompt")?;
        check_files(request.files.len())?;
        self.send_data(
            Method::POST,
            &["v3", "video-agents"],
            Some(request),
            idempotency_key,
        )
        .await
    }

    /// `GET /v3/video-agents` — sessions, newest first, as list items (id, time, title only:
    /// read a session for its status).
    pub async fn list_video_agent_sessions(
        &self,
        page: &PageRequest,
    ) -> Result<Page<SessionListItem>, ApiError> {
        self.get_page(&["v3", "video-agents"], &page.query_pairs())
            .await
    }

    /// `GET /v3/video-agents/{session_id}` — status, progress and the newest 40 messages.
    pub async fn get_video_agent_session(&self, session_id: &str) -> Result<Session, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        self.get_data(&["v3", "video-agents", id], &[]).await
    }

    /// `POST /v3/video-agents/{session_id}` — a follow-up message, approval or revision
    /// request (chat sessions only).
    pub async fn send_video_agent_message(
        &self,
        session_id: &str,
        request: &SendMessageRequest,
    ) -> Result<SendMessageResponse, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        check_text(&request.message, "message")?;
        check_files(request.files.len())?;
        self.send_data(
            Method::POST,
            &["v3", "video-agents", id],
            Some(request),
            None,
        )
        .await
    }

    /// `POST /v3/video-agents/{session_id}/stop` — stops at the next checkpoint.
    pub async fn stop_video_agent_session(
        &self,
        session_id: &str,
    ) -> Result<StopSessionResponse, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        let empty = serde_json::Map::new();
        self.send_data(
            Method::POST,
            &["v3", "video-agents", id, "stop"],
            Some(&empty),
            None,
        )
        .await
    }

    /// `GET /v3/video-agents/{session_id}/videos` — every video of the session, newest first.
    pub async fn list_session_videos(
        &self,
        session_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Video>, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        self.get_page(&["v3", "video-agents", id, "videos"], &page.query_pairs())
            .await
    }

    /// `GET /v3/video-agents/{session_id}/resources/{resource_id}`.
    pub async fn get_session_resource(
        &self,
        session_id: &str,
        resource_id: &str,
    ) -> Result<Resource, ApiError> {
        let session = Client::id(session_id, "session_id")?;
        let resource = Client::id(resource_id, "resource_id")?;
        self.get_data(&["v3", "video-agents", session, "resources", resource], &[])
            .await
    }
}

pub(crate) fn check_text(text: &str, param: &str) -> Result<(), ApiError> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        return Err(ApiError::invalid_request(
            format!("{param} is required"),
            Some(param),
        ));
    }
    if chars > MAX_PROMPT_CHARS {
        return Err(ApiError::invalid_request(
            format!("{param} is {chars} characters long; the limit is {MAX_PROMPT_CHARS}"),
            Some(param),
        ));
    }
    Ok(())
}

pub(crate) fn check_files(count: usize) -> Result<(), ApiError> {
    if count > MAX_FILES {
        return Err(ApiError::invalid_request(
            format!("{count} files attached; at most {MAX_FILES} are allowed"),
            Some("files"),
        ));
    }
    Ok(())
}
