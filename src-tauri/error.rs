//! The one error shape every command returns to the UI.

use serde::Serialize;

/// What the UI receives when a command fails: a stable machine-readable `code`, a sentence for
/// people, and the API's extra context when there is some. Never a Debug string.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type, thiserror::Error,
)]
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

    /// Names the input field the error is about, so the UI can highlight it.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }
}

impl From<studio_core::ErrorView> for CommandError {
    fn from(view: studio_core::ErrorView) -> Self {
        Self {
            code: view.code,
            message: view.message,
            param: view.param,
            request_id: view.request_id,
            // Retry-After values beyond u32 seconds (136 years) are not meaningful.
            retry_after: view
                .retry_after
                .map(|secs| u32::try_from(secs).unwrap_or(u32::MAX)),
        }
    }
}

impl From<studio_core::CoreError> for CommandError {
    fn from(error: studio_core::CoreError) -> Self {
        error.view().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_field_of_the_engine_error() {
        let view = studio_core::ErrorView {
            code: "rate_limit_exceeded".into(),
            message: "Too many requests.".into(),
            param: Some("prompt".into()),
            request_id: Some("req_123".into()),
            retry_after: Some(u64::MAX),
        };
        let error = CommandError::from(view);
        assert_eq!(error.code, "rate_limit_exceeded");
        assert_eq!(error.message, "Too many requests.");
        assert_eq!(error.param.as_deref(), Some("prompt"));
        assert_eq!(error.request_id.as_deref(), Some("req_123"));
        assert_eq!(error.retry_after, Some(u32::MAX));
    }

    #[test]
    fn serializes_to_the_ui_shape_without_empty_fields() {
        let json = serde_json::to_value(CommandError::new("not_found", "No such job.")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No such job."})
        );
    }
}
