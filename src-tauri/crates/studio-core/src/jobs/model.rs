//! What a job is: the user's request (kept verbatim so a retry can repeat it) and what we learned
//! from the server.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::state::JobState;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Runs straight through to one video.
    #[default]
    Generate,
    /// May pause for input; allows revisions.
    Chat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    Landscape,
    Portrait,
}

impl Orientation {
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        }
    }
}

/// Everything the user asked for. Stored as JSON so older rows stay readable as fields are added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobRequest {
    pub prompt: String,
    pub mode: Mode,
    pub orientation: Option<Orientation>,
    pub style_id: Option<String>,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
    /// Absolute paths of attached files.
    pub files: Vec<PathBuf>,
    /// Where this job's files go (None = the library folder in settings).
    pub output_dir: Option<PathBuf>,
    /// Ask the agent not to use or record memory for this session (`incognito_mode`).
    pub incognito: bool,
}

/// Files written into the library folder for a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobOutputs {
    pub video: Option<PathBuf>,
    pub thumbnail: Option<PathBuf>,
    pub subtitles: Option<PathBuf>,
    pub captioned_video: Option<PathBuf>,
    /// The video's length in milliseconds, as the API reported it (`duration`, §4) when the
    /// files were fetched: how long the video is, not how long making it took.
    pub video_duration_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Our id (never the server's).
    pub id: String,
    pub state: JobState,
    pub request: JobRequest,
    /// Sent as `Idempotency-Key` on create; stored before the first send.
    pub idempotency_key: String,
    pub session_id: Option<String>,
    pub video_id: Option<String>,
    pub title: Option<String>,
    /// 0–100 as reported by the session.
    pub progress: Option<u8>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// HeyGen's share page for the video, when known.
    pub video_page_url: Option<String>,
    pub outputs: JobOutputs,
    /// The job this one retries, if any.
    pub retry_of: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// When the create request first went out (drives the poll cadence).
    pub submitted_at: Option<i64>,
}

impl Job {
    /// A new job as it is first stored: a draft with nothing from the server yet. Other
    /// starting points (a video claimed from a session, test fixtures) override fields with
    /// struct-update syntax: `Job { state, session_id, ..Job::draft(…) }`.
    pub fn draft(
        id: impl Into<String>,
        request: JobRequest,
        idempotency_key: impl Into<String>,
        now: i64,
    ) -> Job {
        Job {
            id: id.into(),
            state: JobState::Draft,
            request,
            idempotency_key: idempotency_key.into(),
            session_id: None,
            video_id: None,
            title: None,
            progress: None,
            failure_code: None,
            failure_message: None,
            video_page_url: None,
            outputs: JobOutputs::default(),
            retry_of: None,
            created_at: now,
            updated_at: now,
            submitted_at: None,
        }
    }
}

/// A persisted state change (the job's history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEventRecord {
    pub at: i64,
    pub from: Option<JobState>,
    pub to: JobState,
    pub detail: Option<String>,
}
