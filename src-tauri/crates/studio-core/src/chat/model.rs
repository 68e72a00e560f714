//! What the chat API hands out: sessions, messages, resolved resources, a session's videos.
//! These are also the shapes the app's Session screens receive (camelCase, as the TypeScript
//! bindings say) and what `vas chat … --json` prints. Unix times and counts are 64-bit here;
//! TypeScript sees them as `number` (typed as u32: whole and never negative; a JavaScript
//! number holds them exactly).

use std::path::PathBuf;

use heygen_api::models::{
    MessageRole, MessageType, Resource, ResourceSourceType, SessionStatus, VideoAgentMode,
};
use serde::{Deserialize, Serialize};

use super::storyboard::Storyboard;
use crate::error::ErrorView;
use crate::jobs::JobState;

/// The message "Approve and generate" sends (the API has no approval field, spec §2.3).
pub const APPROVE_MESSAGE: &str = "Looks good — generate it.";

/// One message of a session thread, in the order it is shown (oldest first, by `seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Position in the merged thread (grows with every newly seen message).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    /// `user` or `model` (`assistant` is read as `model`).
    pub role: MessageRole,
    pub content: String,
    /// `text`, `resource`, `error` or whatever the server sends.
    pub kind: MessageType,
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub created_at: Option<i64>,
    pub resource_ids: Vec<String>,
}

/// A session as stored locally (merged from polls, the server's list and our own actions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub session_id: String,
    /// The job that created it here, if it was created here.
    pub job_id: Option<String>,
    pub mode: Option<String>,
    /// The server's status verbatim (`thinking`, `waiting_for_input`, `reviewing`, …).
    pub status: String,
    pub title: Option<String>,
    pub progress: u8,
    /// Server time (Unix seconds), when known.
    pub created_at: Option<i64>,
    /// When the session entered `status` (as first seen here).
    pub status_since: i64,
    pub updated_at: i64,
    /// Followed in the background until the server says it is finished.
    pub followed: bool,
    pub stuck_notified: bool,
}

/// A session for the UI and CLI: the record plus what it means right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChatSession {
    pub session_id: String,
    pub job_id: Option<String>,
    pub mode: Option<VideoAgentMode>,
    /// The server's status; `unknown` (kept as `Other`) for a session known only from the
    /// server's list, which carries no status ([`UNKNOWN_STATUS`](super::UNKNOWN_STATUS)).
    pub status: SessionStatus,
    pub title: Option<String>,
    pub progress: u8,
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub created_at: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub status_since: i64,
    /// Seconds in the current status.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub elapsed_secs: i64,
    /// `waiting_for_input` or `reviewing`: the agent waits for the user.
    pub needs_input: bool,
    /// Still working (not completed or failed).
    pub active: bool,
    /// In `thinking` longer than the configured threshold: offer Stop, with `stuck_explanation`.
    pub stuck: bool,
    pub stuck_explanation: Option<String>,
    pub followed: bool,
    /// Videos of this session in the library.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub video_count: usize,
}

/// A resource referenced by a message, resolved (and cached) or with the reason it is not: an
/// image, video, avatar, voice, a storyboard draft, or any other type (shown as its fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    pub resource_id: String,
    /// The server's resource as read (not sent on: its fields below are what is shown).
    #[serde(skip)]
    pub resource: Option<Resource>,
    pub resource_type: Option<String>,
    pub source_type: Option<ResourceSourceType>,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// A storyboard read generically from a `draft` resource's metadata.
    pub storyboard: Option<Storyboard>,
    /// The metadata of any other resource, readable.
    #[serde(with = "super::storyboard::field_list")]
    #[cfg_attr(feature = "specta", specta(type = Vec<super::storyboard::Field>))]
    pub fields: Vec<(String, String)>,
    pub error: Option<ErrorView>,
    /// For a video resource: the job id of the session video (library entry) it is, so the
    /// Session screen can show the local thumbnail and play the downloaded file.
    pub video_job_id: Option<String>,
}

/// One video of a session, as a library entry (each revision is its own job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionVideo {
    pub job_id: String,
    pub video_id: Option<String>,
    /// 1 = the first video of the session, 2 = the first revision, …
    pub revision: u32,
    pub state: JobState,
    pub title: Option<String>,
    pub progress: Option<u8>,
    /// The downloaded files in the library folder, once there.
    pub video_path: Option<PathBuf>,
    pub thumbnail_path: Option<PathBuf>,
    pub failure_message: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub created_at: i64,
}

/// Everything the Session screen and `vas chat show` display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChatThread {
    pub session: ChatSession,
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    /// Every resource the messages reference, in first-reference order.
    pub resources: Vec<ResourceView>,
    /// Oldest first.
    pub videos: Vec<SessionVideo>,
}

/// A reply to the agent: an answer, an approval or a change request (spec §2.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ChatReply {
    pub message: String,
    /// Attachments (absolute paths), uploaded and deduplicated like a job's.
    pub files: Vec<PathBuf>,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
}

impl ChatReply {
    pub fn text(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Default::default()
        }
    }
}

/// The sessions list: the server's sessions merged with local history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionList {
    pub sessions: Vec<SessionRow>,
    /// The server's cursor for more of its sessions.
    pub next_token: Option<String>,
    /// Why the server's list could not be read (local history is still shown).
    pub remote_error: Option<ErrorView>,
}

/// A row of the sessions list: the session and the first line of what the user asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionRow {
    pub session: ChatSession,
    /// The first line of the job's prompt (started here) or of the first user message, when
    /// known here.
    pub first_prompt: Option<String>,
}

/// A row reads as its session (`row.session_id`, `row.status`, …).
impl std::ops::Deref for SessionRow {
    type Target = ChatSession;
    fn deref(&self) -> &ChatSession {
        &self.session
    }
}
