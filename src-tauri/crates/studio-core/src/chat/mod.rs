//! Interactive (`mode: "chat"`) sessions, spec §2.2–§2.4 and §2.8: the message thread merged
//! incrementally (the API only ever shows the newest 40), resources resolved and cached, replies
//! with attachments and overrides, approve / request-changes helpers, stop, every video of a
//! session followed into the library as its own entry, the server's session list merged with
//! local history, and sessions stuck in `thinking` flagged.
//!
//! A session may be anchored by the job that created it (the tracker follows that job and
//! records the session on every poll) or have no job at all (started in the CLI on another
//! machine or in HeyGen's web app, then opened here). Either way the thread lives under the
//! session id.

mod api;
mod follow;
mod links;
mod model;
mod store;
pub mod storyboard;
mod thread;

pub use model::{
    ChatMessage, ChatReply, ChatSession, ChatThread, ResourceView, SessionList, SessionRecord,
    SessionRow, SessionVideo, APPROVE_MESSAGE,
};
pub use storyboard::{Field, Scene, Storyboard};

/// The status a session list item is shown with until the session itself has been read (a
/// list item carries no status; nothing may be inferred from that).
pub const UNKNOWN_STATUS: &str = "unknown";

/// `completed` or `failed`: the server does nothing more without a new message.
pub(crate) fn session_finished(status: &str) -> bool {
    store::FINISHED.contains(&status)
}

/// Engine-wide chat settings.
#[derive(Debug)]
pub(crate) struct ChatState {
    /// After this long in `thinking`, a session is flagged as stuck (seconds).
    stuck_after_secs: std::sync::atomic::AtomicU64,
}

impl ChatState {
    pub fn new(stuck_after: std::time::Duration) -> Self {
        Self {
            stuck_after_secs: std::sync::atomic::AtomicU64::new(stuck_after.as_secs().max(1)),
        }
    }

    pub fn stuck_after_secs(&self) -> u64 {
        self.stuck_after_secs
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_stuck_after(&self, d: std::time::Duration) {
        self.stuck_after_secs
            .store(d.as_secs().max(1), std::sync::atomic::Ordering::Relaxed);
    }
}
