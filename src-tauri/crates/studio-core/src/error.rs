//! The engine's error type and the serializable view the UI and CLI show.

use std::path::Path;

use serde::Serialize;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input the user can fix (prompt length, file count, file type...).
    #[error("{message}")]
    Invalid {
        code: &'static str,
        param: Option<String>,
        message: String,
    },
    #[error("No Secret Service is running — install and start gnome-keyring (or KeePassXC with Secret Service enabled). ({detail})")]
    KeyringUnavailable { detail: String },
    #[error("The keyring is locked or refused access — unlock it and try again. ({detail})")]
    KeyringLocked { detail: String },
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
    #[error("configuration: {0}")]
    Config(String),
    #[error("local agent: {0}")]
    LocalAgent(String),
}

impl CoreError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub fn config(message: String) -> Self {
        CoreError::Config(message)
    }

    pub fn invalid(code: &'static str, param: Option<&str>, message: impl Into<String>) -> Self {
        CoreError::Invalid {
            code,
            param: param.map(str::to_string),
            message: message.into(),
        }
    }

    /// The stable machine-readable code (the UI switches on it).
    pub fn code(&self) -> &str {
        match self {
            CoreError::Invalid { code, .. } => code,
            CoreError::KeyringUnavailable { .. } => "keyring_unavailable",
            CoreError::KeyringLocked { .. } => "keyring_locked",
            CoreError::Keyring { .. } => "keyring_error",
            CoreError::NoApiKey => "no_api_key",
            CoreError::Api(e) => e.code(),
            CoreError::Store(_) => "store_error",
            CoreError::Io { .. } => "io_error",
            CoreError::IllegalTransition { .. } => "illegal_transition",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Download(_) => "download_failed",
            CoreError::Cancelled => "cancelled",
            CoreError::Config(_) => "config_error",
            CoreError::LocalAgent(_) => "local_agent_failed",
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
        ErrorView {
            code: self.code().to_string(),
            message: self.to_string(),
            param,
            request_id,
            retry_after: self.retry_after_secs(),
        }
    }
}

/// Serializable error for the UI (through Tauri commands) and `vas --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl From<&CoreError> for ErrorView {
    fn from(e: &CoreError) -> Self {
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
        let e = CoreError::invalid("prompt_too_long", Some("prompt"), "too long");
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
