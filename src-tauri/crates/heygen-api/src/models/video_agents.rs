//! Video Agent sessions (spec §2.1–§2.4): create, session status, messages, follow-ups, resources.

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// How a session runs: straight through to one video, or interactively.
    pub enum VideoAgentMode {
        Generate = "generate",
        Chat = "chat",
    }
}

open_enum! {
    /// Requested video orientation (`None` on the request = decided from the content).
    pub enum Orientation {
        Landscape = "landscape",
        Portrait = "portrait",
    }
}

open_enum! {
    /// Status of a Video Agent session. Unknown values mean "still working".
    pub enum SessionStatus {
        Thinking = "thinking",
        WaitingForInput = "waiting_for_input",
        Reviewing = "reviewing",
        Generating = "generating",
        Completed = "completed",
        Failed = "failed",
    }
}

impl SessionStatus {
    /// `completed` or `failed`: nothing more will happen without a new message.
    pub fn is_terminal(&self) -> bool {
        matches!(self, SessionStatus::Completed | SessionStatus::Failed)
    }

    /// Paused until the user answers (`waiting_for_input` or `reviewing`).
    pub fn needs_input(&self) -> bool {
        matches!(
            self,
            SessionStatus::WaitingForInput | SessionStatus::Reviewing
        )
    }
}

open_enum! {
    /// Who wrote a message. `assistant` is accepted as `model`.
    pub enum MessageRole {
        User = "user",
        Model = "model" | "assistant",
    }
}

open_enum! {
    /// What a message carries.
    pub enum MessageType {
        Text = "text",
        Resource = "resource",
        Error = "error",
    }
}

open_enum! {
    /// Where a resource came from.
    pub enum ResourceSourceType {
        Generated = "generated",
        UserUploaded = "user_uploaded",
    }
}

/// An input file for a session (elements of `files[]`, spec §3.1), discriminated by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AssetInput {
    /// HeyGen fetches the URL itself; unreachable → 400 `download_failed`.
    Url { url: String },
    /// An uploaded asset (preferred).
    AssetId { asset_id: String },
    /// Inline bytes, base64-encoded.
    Base64 { media_type: String, data: String },
}

impl AssetInput {
    pub fn asset_id(asset_id: impl Into<String>) -> Self {
        AssetInput::AssetId {
            asset_id: asset_id.into(),
        }
    }

    pub fn url(url: impl Into<String>) -> Self {
        AssetInput::Url { url: url.into() }
    }
}

/// Body of `POST /v3/video-agents`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateVideoAgentRequest {
    /// 1–10,000 characters; put the target length in the prompt (there is no duration field).
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<VideoAgentMode>,
    /// An avatar *look* id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_kit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<Orientation>,
    /// At most 20.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient::null_as_default"
    )]
    pub files: Vec<AssetInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incognito_mode: Option<bool>,
}

impl CreateVideoAgentRequest {
    /// A one-shot request with just a prompt.
    pub fn new(prompt: impl Into<String>) -> Self {
        CreateVideoAgentRequest {
            prompt: prompt.into(),
            ..Default::default()
        }
    }
}

/// `data` of the create response. `video_id` may be null until rendering starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateVideoAgentResponse {
    pub session_id: String,
    #[serde(default = "default_session_status")]
    pub status: SessionStatus,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
}

fn default_session_status() -> SessionStatus {
    SessionStatus::Thinking
}

/// An item of `GET /v3/video-agents`: only the id, when it was made and its title. It says
/// nothing about status, progress or video: read the session for those (a list item is not a
/// session, so nothing may be inferred from the missing fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionListItem {
    pub session_id: String,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
}

/// A session (`GET /v3/video-agents/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    #[serde(default = "default_session_status")]
    pub status: SessionStatus,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    /// 0–100.
    #[serde(default, deserialize_with = "lenient::percent")]
    pub progress: u8,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub mode: Option<String>,
    /// At most 40, newest first (as the server sends them).
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub messages: Vec<Message>,
}

impl Session {
    /// Messages oldest → newest (the order a chat view shows them).
    pub fn messages_chronological(&self) -> Vec<&Message> {
        // The server sends newest first: reverse, then a stable sort by timestamp fixes any
        // out-of-order entries while keeping the server's order among equal/missing timestamps.
        let mut messages: Vec<&Message> = self.messages.iter().rev().collect();
        if messages.iter().all(|m| m.created_at.is_some()) {
            messages.sort_by_key(|m| m.created_at);
        }
        messages
    }

    /// The oldest user message still in the window: for a young session, the prompt it was
    /// created with (how a create whose answer was lost is recognised).
    pub fn first_user_message(&self) -> Option<&Message> {
        self.messages_chronological()
            .into_iter()
            .find(|m| m.role == MessageRole::User)
    }

    /// The text of the newest `error` message, if any (why a session failed).
    pub fn latest_error(&self) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.kind == Some(MessageType::Error))
            .map(|m| m.content.as_str())
    }
}

/// One message of a session thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    #[serde(default = "default_role")]
    pub role: MessageRole,
    #[serde(default, deserialize_with = "lenient::string")]
    pub content: String,
    #[serde(rename = "type", default)]
    pub kind: Option<MessageType>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub resource_ids: Vec<String>,
}

fn default_role() -> MessageRole {
    MessageRole::Model
}

/// Body of `POST /v3/video-agents/{session_id}` (chat sessions only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// 1–10,000 characters. Approving a storyboard is a message that approves it.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_kit_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient::null_as_default"
    )]
    pub files: Vec<AssetInput>,
}

impl SendMessageRequest {
    pub fn new(message: impl Into<String>) -> Self {
        SendMessageRequest {
            message: message.into(),
            ..Default::default()
        }
    }
}

/// `data` of the follow-up response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessageResponse {
    pub session_id: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub run_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
}

/// `data` of `POST …/{session_id}/stop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopSessionResponse {
    pub session_id: String,
}

/// A session resource (storyboard draft, image, video, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub resource_id: String,
    /// Free string: `image`, `video`, `draft`, `avatar`, `voice`, …
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub source_type: Option<ResourceSourceType>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    /// Type-specific and unpublished (a storyboard's shape is unknown): render generically.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl Resource {
    /// True for a storyboard draft.
    pub fn is_draft(&self) -> bool {
        self.resource_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("draft"))
    }
}
