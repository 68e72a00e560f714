//! The older `/v3/video-agents/sessions` form (spec §2.7, April 2026). The app uses the current
//! `mode: "chat"` form; these exist so tests can exercise servers that still serve the old routes.

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;
use super::video_agents::{AssetInput, Message, Orientation};

open_enum! {
    /// Status of an old-form session.
    pub enum LegacySessionStatus {
        Processing = "processing",
        Reviewing = "reviewing",
        Generating = "generating",
        Completed = "completed",
        Failed = "failed",
    }
}

impl LegacySessionStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            LegacySessionStatus::Completed | LegacySessionStatus::Failed
        )
    }
}

/// Body of `POST /v3/video-agents/sessions`: the create body without `mode`, plus `auto_proceed`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegacyCreateSessionRequest {
    pub prompt: String,
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
    /// Continue past review checkpoints without waiting for a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_proceed: Option<bool>,
}

/// An old-form session (create and get responses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacySession {
    pub session_id: String,
    #[serde(default = "default_status")]
    pub status: LegacySessionStatus,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::percent")]
    pub progress: u8,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub messages: Vec<Message>,
}

fn default_status() -> LegacySessionStatus {
    LegacySessionStatus::Processing
}

/// Body of `POST /v3/video-agents/sessions/{id}/messages`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegacyMessageRequest {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_proceed: Option<bool>,
}

/// `data` of the old message and stop routes (shape loosely specified: all optional but the id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacySessionAck {
    pub session_id: String,
    #[serde(default)]
    pub status: Option<LegacySessionStatus>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub run_id: Option<String>,
}
