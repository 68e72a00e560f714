//! Videos (§4).

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// Status of a rendered video. Unknown values are treated as in progress.
    pub enum VideoStatus {
        Pending = "pending",
        Waiting = "waiting",
        Processing = "processing",
        Completed = "completed",
        Failed = "failed",
    }
}

impl VideoStatus {
    /// `completed` or `failed`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, VideoStatus::Completed | VideoStatus::Failed)
    }
}

/// A video (`GET /v3/videos/{id}`, list items, and a session's videos).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Video {
    #[serde(alias = "video_id")]
    pub id: String,
    #[serde(default = "default_status")]
    pub status: VideoStatus,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub completed_at: Option<i64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub duration: Option<f64>,
    /// Presigned; expires. Each GET of the video returns a fresh one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub captioned_video_url: Option<String>,
    /// SRT.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub subtitle_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub gif_url: Option<String>,
    /// Share page in the HeyGen app.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub video_page_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub folder_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub output_language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub failure_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub failure_message: Option<String>,
}

fn default_status() -> VideoStatus {
    VideoStatus::Pending
}

/// Filters for `GET /v3/videos`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VideoQuery {
    pub title: Option<String>,
}

/// `data` of `DELETE /v3/videos/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedVideo {
    #[serde(alias = "video_id")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub deleted: bool,
}
