//! The older `/v3/video-agents/sessions` routes (spec §2.7), reached through
//! [`Client::legacy_sessions`]. For tests against servers that still serve them.

use reqwest::Method;

use crate::client::Client;
use crate::endpoints::video_agents::{check_files, check_text};
use crate::error::ApiError;
use crate::models::legacy::{
    LegacyCreateSessionRequest, LegacyMessageRequest, LegacySession, LegacySessionAck,
};
use crate::models::{Page, PageRequest, Resource};

/// The old session routes, borrowed from a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct LegacySessions<'a> {
    client: &'a Client,
}

impl Client {
    /// The April 2026 `/v3/video-agents/sessions` routes.
    pub fn legacy_sessions(&self) -> LegacySessions<'_> {
        LegacySessions { client: self }
    }
}

impl LegacySessions<'_> {
    /// `POST /v3/video-agents/sessions`.
    pub async fn create(
        &self,
        request: &LegacyCreateSessionRequest,
        idempotency_key: Option<&str>,
    ) -> Result<LegacySession, ApiError> {
        check_text(&request.prompt, "prompt")?;
        check_files(request.files.len())?;
        self.client
            .send_data(
                Method::POST,
                &["v3", "video-agents", "sessions"],
                Some(request),
                idempotency_key,
            )
            .await
    }

    /// `GET /v3/video-agents/sessions/{id}`.
    pub async fn get(&self, session_id: &str) -> Result<LegacySession, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        self.client
            .get_data(&["v3", "video-agents", "sessions", id], &[])
            .await
    }

    /// `POST /v3/video-agents/sessions/{id}/messages`.
    pub async fn send_message(
        &self,
        session_id: &str,
        request: &LegacyMessageRequest,
    ) -> Result<LegacySessionAck, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        check_text(&request.message, "message")?;
        self.client
            .send_data(
                Method::POST,
                &["v3", "video-agents", "sessions", id, "messages"],
                Some(request),
                None,
            )
            .await
    }

    /// `GET /v3/video-agents/sessions/{id}/resources`.
    pub async fn resources(
        &self,
        session_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Resource>, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        self.client
            .get_page(
                &["v3", "video-agents", "sessions", id, "resources"],
                &page.query_pairs(),
            )
            .await
    }

    /// `POST /v3/video-agents/sessions/{id}/stop`.
    pub async fn stop(&self, session_id: &str) -> Result<LegacySessionAck, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        let empty = serde_json::Map::new();
        self.client
            .send_data(
                Method::POST,
                &["v3", "video-agents", "sessions", id, "stop"],
                Some(&empty),
                None,
            )
            .await
    }
}
