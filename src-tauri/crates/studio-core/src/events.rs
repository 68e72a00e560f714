//! The engine's typed event stream (tokio broadcast): job state changes, progress, rate-limit
//! waits. The desktop shell forwards these to the UI; the CLI draws progress bars from them.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::ErrorView;
use crate::jobs::JobState;

/// Which file of a job a download event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputKind {
    Video,
    Thumbnail,
    Subtitles,
    CaptionedVideo,
}

/// What a transfer's progress is about: an attachment going up, or one of a job's files
/// coming down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    Upload,
    Video,
    Thumbnail,
    Subtitles,
    CaptionedVideo,
}

impl From<OutputKind> for TransferKind {
    fn from(kind: OutputKind) -> Self {
        match kind {
            OutputKind::Video => TransferKind::Video,
            OutputKind::Thumbnail => TransferKind::Thumbnail,
            OutputKind::Subtitles => TransferKind::Subtitles,
            OutputKind::CaptionedVideo => TransferKind::CaptionedVideo,
        }
    }
}

impl OutputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputKind::Video => "video",
            OutputKind::Thumbnail => "thumbnail",
            OutputKind::Subtitles => "subtitles",
            OutputKind::CaptionedVideo => "captioned_video",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StudioEvent {
    /// A job moved between states (persisted before the event is sent).
    JobState {
        job_id: String,
        from: Option<JobState>,
        to: JobState,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Progress or title of a job changed without a state change.
    JobUpdated {
        job_id: String,
        progress: Option<u8>,
        title: Option<String>,
    },
    UploadProgress {
        job_id: String,
        file: String,
        sent: u64,
        total: u64,
    },
    DownloadProgress {
        job_id: String,
        kind: OutputKind,
        received: u64,
        total: Option<u64>,
    },
    /// All requests wait this long because the server answered 429.
    RateLimited { retry_after_secs: u64 },
    /// A transient problem while following a job (it will be tried again).
    JobWarning { job_id: String, error: ErrorView },
    /// A chat session's status, title or progress changed, or it was just flagged as stuck in
    /// `thinking` (read it with `Studio::chat_thread`).
    SessionUpdated {
        session_id: String,
        job_id: Option<String>,
        status: String,
        stuck: bool,
    },
    /// New messages were merged into a session's thread.
    SessionMessages {
        session_id: String,
        job_id: Option<String>,
        added: usize,
    },
    /// A batch started, paused (with why), resumed, finished or was cancelled.
    BatchState {
        batch_id: String,
        state: crate::batch::BatchState,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl StudioEvent {
    pub fn job_id(&self) -> Option<&str> {
        match self {
            StudioEvent::JobState { job_id, .. }
            | StudioEvent::JobUpdated { job_id, .. }
            | StudioEvent::UploadProgress { job_id, .. }
            | StudioEvent::DownloadProgress { job_id, .. }
            | StudioEvent::JobWarning { job_id, .. } => Some(job_id),
            StudioEvent::SessionUpdated { job_id, .. }
            | StudioEvent::SessionMessages { job_id, .. } => job_id.as_deref(),
            StudioEvent::RateLimited { .. } | StudioEvent::BatchState { .. } => None,
        }
    }
}

/// Cloneable sender side; subscribers that fall behind lose the oldest events (progress is
/// re-sent continuously and state lives in the store, so nothing important is lost).
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<StudioEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }

    pub fn send(&self, event: StudioEvent) {
        // No subscriber is fine.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StudioEvent> {
        self.tx.subscribe()
    }
}
