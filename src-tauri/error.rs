//! The one error shape every command returns to the UI.

use serde::Serialize;

/// What the UI receives when a command fails: a stable machine-readable `code`, a sentence for
/// people, and the API's extra context when there is some. Never a Debug string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    /// Stable identifier the UI can branch on, e.g. `data_dir_unavailable`.
    pub code: String,
    /// Human-readable explanation, including what to do about it.
    pub message: String,
    /// The request field the error refers to, when the API names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// The API's request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Seconds to wait before retrying (from `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            param: None,
            request_id: None,
            retry_after: None,
        }
    }
}
