//! The server's whole state as plain data: serialised to `state.json` by `persistence`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::planner::Storyboard;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Thinking,
    WaitingForInput,
    Reviewing,
    Generating,
    Completed,
    Failed,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Thinking => "thinking",
            SessionStatus::WaitingForInput => "waiting_for_input",
            SessionStatus::Reviewing => "reviewing",
            SessionStatus::Generating => "generating",
            SessionStatus::Completed => "completed",
            SessionStatus::Failed => "failed",
        }
    }

    /// Counts against the concurrency limit: the agent is working on it right now.
    pub fn is_active(self) -> bool {
        matches!(self, SessionStatus::Thinking | SessionStatus::Generating)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, SessionStatus::Completed | SessionStatus::Failed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Generate,
    Chat,
}

/// What the session driver does next when the session is `thinking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Nothing: paused for the user or finished.
    Idle,
    /// Think, then ask the user a question (`waiting_for_input`).
    AskQuestion,
    /// Think, then show a storyboard draft (`reviewing`).
    Draft,
    /// (Think and plan if needed, then) render a video.
    Generate,
    /// HeyGen mode's one-shot create: the video already exists (`pending`) and the session says
    /// `generating`; think (title, script), then render it.
    Prepare,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: i64,
    pub resource_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionParams {
    pub prompt: String,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub style_id: Option<String>,
    pub brand_kit_id: Option<String>,
    pub orientation: Option<String>,
    pub attachments: Vec<String>,
    pub callback_url: Option<String>,
    pub callback_id: Option<String>,
    pub incognito_mode: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub mode: Mode,
    pub status: SessionStatus,
    pub step: Step,
    pub created_at: i64,
    pub progress: u8,
    pub title: Option<String>,
    pub video_id: Option<String>,
    pub video_ids: Vec<String>,
    /// Oldest first (the API returns newest first).
    pub messages: Vec<Message>,
    pub params: SessionParams,
    pub revisions: Vec<String>,
    pub storyboard: Option<Storyboard>,
    pub resource_ids: Vec<String>,
    pub runs: u32,
    /// Served under the old `/v3/video-agents/sessions` routes (status vocabulary differs).
    pub legacy: bool,
    /// `POST …/stop` was received; the driver finishes the session at its next checkpoint.
    #[serde(default)]
    pub stop_requested: bool,
}

impl Session {
    pub fn push_message(&mut self, role: &str, kind: &str, content: impl Into<String>) {
        self.messages.push(Message {
            role: role.into(),
            content: content.into(),
            kind: kind.into(),
            created_at: crate::util::now_unix(),
            resource_ids: None,
        });
    }

    pub fn push_resource_message(&mut self, content: impl Into<String>, ids: Vec<String>) {
        self.messages.push(Message {
            role: "model".into(),
            content: content.into(),
            kind: "resource".into(),
            created_at: crate::util::now_unix(),
            resource_ids: Some(ids),
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VideoStatus {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl VideoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoStatus::Pending => "pending",
            VideoStatus::Processing => "processing",
            VideoStatus::Completed => "completed",
            VideoStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub session_id: String,
    pub title: Option<String>,
    pub status: VideoStatus,
    pub created_at: i64,
    pub completed_at: Option<i64>,
    pub duration: Option<f64>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub storyboard: Storyboard,
    pub deleted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    PendingUpload,
    Uploaded,
    Processing,
    Ready,
}

impl AssetStatus {
    /// What `GET /v3/assets/statuses` and `complete` say at `now_ms`.
    pub fn api_status(self, processing_until_ms: Option<i64>, now_ms: i64) -> &'static str {
        match self {
            AssetStatus::PendingUpload | AssetStatus::Uploaded => "queued",
            AssetStatus::Processing if processing_until_ms.is_some_and(|t| now_ms < t) => {
                "processing"
            }
            AssetStatus::Processing | AssetStatus::Ready => "completed",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectUpload {
    pub content_type: String,
    pub size_bytes: u64,
    pub checksum_sha256: Option<String>,
    pub upload_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asset {
    pub id: String,
    pub filename: String,
    pub mime_type: String,
    pub size_bytes: u64,
    pub sha256: Option<String>,
    pub created_at: i64,
    pub status: AssetStatus,
    pub direct: Option<DirectUpload>,
    /// Where the bytes came from: `user_uploaded` via the API or fetched from a URL.
    pub source: String,
    /// A completed direct upload is `processing` until then (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_until_ms: Option<i64>,
}

impl Asset {
    /// Usable by a create: uploaded, completed and done processing.
    pub fn is_available(&self, now_ms: i64) -> bool {
        self.status.api_status(self.processing_until_ms, now_ms) == "completed"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    pub session_id: String,
    pub resource_type: String,
    pub source_type: Option<String>,
    /// For `draft`: the storyboard; for user files: the asset id; for videos: the video id.
    pub metadata: Option<serde_json::Value>,
    pub asset_id: Option<String>,
    pub video_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    pub event_type: String,
    pub event_data: serde_json::Value,
    pub created_at: i64,
    /// Delivery outcomes, for debugging (`url → status or error`).
    pub deliveries: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotentResponse {
    /// SHA-256 of the first request's body: the key reused with another body is refused.
    #[serde(default)]
    pub request_sha256: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub remaining_balance: f64,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            remaining_balance: 3600.0,
        }
    }
}

/// Everything that survives a restart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Db {
    pub signing_key: String,
    pub sessions: BTreeMap<String, Session>,
    pub videos: BTreeMap<String, Video>,
    pub assets: BTreeMap<String, Asset>,
    pub resources: BTreeMap<String, Resource>,
    pub webhook_endpoints: BTreeMap<String, WebhookEndpoint>,
    pub webhook_events: Vec<WebhookEvent>,
    pub idempotency: BTreeMap<String, IdempotentResponse>,
    pub account: Account,
    /// Monotonic creation counter: lists sort by (created_at, seq) so order is stable within a second.
    pub seq: u64,
    pub order: BTreeMap<String, u64>,
}

impl Db {
    pub fn next_seq(&mut self, id: &str) -> u64 {
        self.seq += 1;
        self.order.insert(id.to_string(), self.seq);
        self.seq
    }

    pub fn seq_of(&self, id: &str) -> u64 {
        self.order.get(id).copied().unwrap_or(0)
    }

    pub fn active_jobs(&self) -> usize {
        self.sessions
            .values()
            .filter(|s| s.status.is_active())
            .count()
    }
}
