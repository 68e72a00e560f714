//! The engine's error type and the serializable view the UI and CLI show.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::error_code::ErrorCode;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input the user can fix (prompt length, file count, file type...).
    #[error("{message}")]
    Invalid {
        code: ErrorCode,
        param: Option<String>,
        message: String,
    },
    #[error("No Secret Service is running — install and start gnome-keyring (or KeePassXC with Secret Service enabled). ({detail})")]
    KeyringUnavailable { detail: String },
    #[error("The keyring is locked or refused access — unlock it and try again. ({detail})")]
    KeyringLocked { detail: String },
    /// Any other keyring failure; `detail` always ends with what to do.
    #[error("The keyring failed: {detail}")]
    Keyring { detail: String },
    #[error("No API key is set — run `vas auth set`, set HEYGEN_API_KEY, or add a key in Settings (or use offline mode).")]
    NoApiKey,
    /// A failure from the HeyGen API (or the network and CDN in front of it).
    #[error(transparent)]
    Api(#[from] heygen_api::ApiError),
    #[error("database error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("job {job_id} cannot go from {from} to {to}")]
    IllegalTransition {
        job_id: String,
        from: String,
        to: String,
    },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("download failed: {0}")]
    Download(String),
    #[error("cancelled")]
    Cancelled,
    /// Another task holds the job (a poll or a download finishing); the user can simply retry.
    #[error("{0} is busy; try again in a moment")]
    Busy(String),
    /// No data folder could be found or made.
    #[error("{0}")]
    DataDir(String),
    /// A value could not be written as JSON or CSV.
    #[error("could not write {what}: {detail}")]
    Serialization { what: &'static str, detail: String },
    /// A broken invariant or a background task that died: a bug, not the user's doing.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("local agent: {0}")]
    LocalAgent(String),
}

impl From<tokio::task::JoinError> for CoreError {
    /// A blocking task panicked or was cancelled at shutdown.
    fn from(e: tokio::task::JoinError) -> Self {
        CoreError::Internal(format!("a background task failed: {e}"))
    }
}

impl CoreError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub fn serialization(what: &'static str, detail: impl std::fmt::Display) -> Self {
        CoreError::Serialization {
            what,
            detail: detail.to_string(),
        }
    }

    pub fn invalid(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> Self {
        CoreError::Invalid {
            code,
            param: param.map(str::to_string),
            message: message.into(),
        }
    }

    /// The stable machine-readable code (the UI switches on it).
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Invalid { code, .. } => *code,
            CoreError::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            CoreError::KeyringLocked { .. } => ErrorCode::KeyringLocked,
            CoreError::Keyring { .. } => ErrorCode::KeyringError,
            CoreError::NoApiKey => ErrorCode::NoApiKey,
            CoreError::Api(e) => ErrorCode::of_api(e),
            CoreError::Store(_) => ErrorCode::StoreError,
            CoreError::Io { .. } => ErrorCode::IoError,
            CoreError::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::Download(_) => ErrorCode::DownloadFailed,
            CoreError::Cancelled => ErrorCode::Cancelled,
            CoreError::Busy(_) => ErrorCode::Busy,
            CoreError::DataDir(_) => ErrorCode::DataDirUnavailable,
            CoreError::Serialization { .. } => ErrorCode::SerializationFailed,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::LocalAgent(_) => ErrorCode::LocalAgentFailed,
        }
    }

    /// Seconds the server asked us to wait (429), if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            CoreError::Api(e) => e.report().retry_after,
            _ => None,
        }
    }

    /// The shape the UI receives: `{code, message, param?, request_id?, retry_after?}`.
    pub fn view(&self) -> ErrorView {
        let (param, request_id) = match self {
            CoreError::Invalid { param, .. } => (param.clone(), None),
            CoreError::Api(e) => (
                e.param().map(str::to_string),
                e.request_id().map(str::to_string),
            ),
            _ => (None, None),
        };
        let mut message = self.to_string();
        if let CoreError::Api(e) = self {
            // An API code we have no name for is reported by its status; keep the server's
            // own word for support.
            if ErrorCode::parse(e.code()).is_none() {
                message = format!("{message} (code `{}`)", e.code());
            }
        }
        ErrorView {
            code: self.code(),
            message,
            param,
            request_id,
            // Retry-After values beyond u32 seconds (136 years) are not meaningful.
            retry_after: self
                .retry_after_secs()
                .map(|secs| u32::try_from(secs).unwrap_or(u32::MAX)),
        }
    }
}

/// The one error shape every front end shows: what Tauri commands return, what events carry,
/// what `vas` prints on failure. A stable `code`, a sentence for people (including what to do), and
/// the API's extra context when there is some — never a Debug string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{code}: {message}")]
pub struct ErrorView {
    /// Stable identifier the UI can branch on, e.g. `data_dir_unavailable`.
    pub code: ErrorCode,
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

impl ErrorView {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            param: None,
            request_id: None,
            retry_after: None,
        }
    }

    /// Names the input field the error is about, so the UI can highlight it.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }
}

impl From<&CoreError> for ErrorView {
    fn from(e: &CoreError) -> Self {
        e.view()
    }
}

impl From<CoreError> for ErrorView {
    fn from(e: CoreError) -> Self {
        e.view()
    }
}

impl Serialize for CoreError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.view().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_has_stable_code_and_omits_empty_fields() {
        let e = CoreError::invalid(ErrorCode::PromptTooLong, Some("prompt"), "too long");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "prompt_too_long", "message": "too long", "param": "prompt"})
        );
        let k = CoreError::KeyringUnavailable { detail: "x".into() };
        assert_eq!(k.code(), "keyring_unavailable");
        assert!(k.to_string().contains("gnome-keyring"));
    }
}
