//! What the chat API hands out: sessions, messages, resolved resources, a session's videos.

use std::path::PathBuf;

use heygen_api::models::Resource;
use serde::{Deserialize, Serialize};

use super::storyboard::Storyboard;
use crate::error::ErrorView;
use crate::jobs::{JobOutputs, JobState};

/// The message "Approve and generate" sends (the API has no approval field, spec §2.3).
pub const APPROVE_MESSAGE: &str = "Looks good — generate it.";

/// One message of a session thread, in the order it is shown (oldest first, by `seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Position in the merged thread (grows with every newly seen message).
    pub seq: i64,
    /// `user` or `model` (`assistant` is read as `model`).
    pub role: String,
    pub content: String,
    /// `text`, `resource`, `error` or whatever the server sends.
    pub kind: String,
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
pub struct ChatSession {
    pub session_id: String,
    pub job_id: Option<String>,
    pub mode: Option<String>,
    pub status: String,
    pub title: Option<String>,
    pub progress: u8,
    pub created_at: Option<i64>,
    pub status_since: i64,
    /// Seconds in the current status.
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
    pub video_count: usize,
}

/// A resource referenced by a message, resolved (and cached) or with the reason it is not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceView {
    pub resource_id: String,
    pub resource: Option<Resource>,
    /// A storyboard read generically from a `draft` resource's metadata.
    pub storyboard: Option<Storyboard>,
    pub error: Option<ErrorView>,
}

/// One video of a session, as a library entry (each revision is its own job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionVideo {
    pub job_id: String,
    pub video_id: Option<String>,
    /// 1 = the first video of the session, 2 = the first revision, …
    pub revision: u32,
    pub state: JobState,
    pub title: Option<String>,
    pub progress: Option<u8>,
    pub outputs: JobOutputs,
    pub failure_message: Option<String>,
    pub created_at: i64,
}

/// Everything the Session screen and `vas chat show` display.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[serde(default)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionList {
    pub sessions: Vec<ChatSession>,
    /// The server's cursor for more of its sessions.
    pub next_token: Option<String>,
    /// Why the server's list could not be read (local history is still shown).
    pub remote_error: Option<ErrorView>,
}
