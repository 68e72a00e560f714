//! Errors: `StartError` for starting the server, `ApiError` for the spec's error envelope.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load persisted state: {0}")]
    State(#[from] crate::persistence::PersistError),
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// An API error rendered as `{"error": {code, message, param?, doc_url}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
    pub retry_after: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", message);
        e.param = Some(param.into());
        e
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid API key (send X-Api-Key or Authorization: Bearer)",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn rate_limited(retry_after_secs: u64, message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            message,
        );
        e.retry_after = Some(retry_after_secs.to_string());
        e
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn body_json(&self) -> serde_json::Value {
        envelope(self.code, &self.message, self.param.as_deref())
    }
}

/// The spec's error envelope; `doc_url` = error-codes page + `#` + code with `_` → `-`.
pub fn envelope(code: &str, message: &str, param: Option<&str>) -> serde_json::Value {
    let doc_url = format!(
        "https://developers.heygen.com/docs/error-codes#{}",
        code.replace('_', "-")
    );
    let mut err = json!({"code": code, "message": message, "doc_url": doc_url});
    if let Some(p) = param {
        err["param"] = json!(p);
    }
    json!({ "error": err })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body_json())).into_response();
        if let Some(ra) = &self.retry_after {
            if let Ok(v) = HeaderValue::from_str(ra) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format!("I/O error: {e}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
