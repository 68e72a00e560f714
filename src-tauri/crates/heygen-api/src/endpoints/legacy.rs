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

    /// `GET /v3/video-agents/sessions/{id}/resources`. The interim form answers
    /// `{"data": {"resources": […], "next_cursor"}}`; a plain page (`{"data": […],
    /// "next_token"}`) is read too. Either way the next page's cursor is `next_token`.
    pub async fn resources(
        &self,
        session_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Resource>, ApiError> {
        let id = Client::id(session_id, "session_id")?;
        let body: serde_json::Value = self
            .client
            .get_json(
                &["v3", "video-agents", "sessions", id, "resources"],
                &page.query_pairs(),
            )
            .await?;
        resources_page(body)
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

/// Reads either resources shape into a page (items that do not decode are skipped, as in pages).
fn resources_page(body: serde_json::Value) -> Result<Page<Resource>, ApiError> {
    let bad = |reason: String| ApiError::Decode {
        status: 200,
        reason,
        truncated: false,
        request_id: None,
    };
    if body["data"].is_array() {
        return serde_json::from_value(body).map_err(|e| bad(e.to_string()));
    }
    let data = &body["data"];
    let Some(items) = data["resources"].as_array() else {
        return Err(bad("expected data.resources to be a list".into()));
    };
    let next = data["next_cursor"]
        .as_str()
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    Ok(Page {
        data: items
            .iter()
            .filter_map(|i| serde_json::from_value(i.clone()).ok())
            .collect(),
        has_more: next.is_some(),
        next_token: next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_resources_shapes_are_read() {
        let interim = serde_json::json!({"data": {"resources": [
            {"resource_id": "r1", "resource_type": "draft"}, {"oops": 1}
        ], "next_cursor": "c2"}});
        let page = resources_page(interim).unwrap();
        assert_eq!(page.data.len(), 1);
        assert_eq!(page.next(), Some("c2"));
        let last = serde_json::json!({"data": {"resources": [], "next_cursor": null}});
        assert_eq!(resources_page(last).unwrap().next(), None);
        let plain = serde_json::json!({"data": [{"resource_id": "r1"}], "has_more": false});
        assert_eq!(resources_page(plain).unwrap().data.len(), 1);
        assert!(resources_page(serde_json::json!({"data": {}})).is_err());
    }
}
