//! The one error type of the client.
//!
//! Every failure — an API error envelope, a bare HTTP status from a gateway, an unreadable body,
//! a network fault, a bad URL — becomes an [`ApiError`] with a stable machine [`code`](ApiError::code)
//! and a human message. No variant ever holds the API key, an auth header or a presigned URL's
//! query string.

use std::time::Duration;

use serde::Serialize;

/// An error returned by the API inside its envelope (`{"error": {...}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status of the response.
    pub status: u16,
    /// Lower snake_case code, e.g. `invalid_parameter`, `rate_limit_exceeded`.
    pub code: String,
    pub message: String,
    /// The offending parameter on validation errors.
    pub param: Option<String>,
    pub doc_url: Option<String>,
    /// From the `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// From the `Retry-After` header (either form).
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(param) = &self.param {
            write!(f, " (parameter `{param}`)")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong talking to the API or its CDN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The API answered with an error envelope.
    #[error("{0}")]
    Api(Box<ApiFailure>),

    /// An error status without an envelope (an HTML gateway page, an empty body, plain text).
    #[error("{message}")]
    Status {
        status: u16,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },

    /// The body could not be decoded (truncated or malformed JSON, unexpected shape).
    #[error("the server's response could not be read (HTTP {status}): {reason}")]
    Decode {
        status: u16,
        reason: String,
        /// The JSON ended early (a cut-off response): worth retrying.
        truncated: bool,
        request_id: Option<String>,
    },

    /// Connecting failed or the connection broke.
    #[error("network error: {message}")]
    Network { message: String },

    /// No answer within the configured time.
    #[error("the request timed out{}", after.map(|d| format!(" after {:.1} s", d.as_secs_f64())).unwrap_or_default())]
    Timeout { after: Option<Duration> },

    /// A presigned download link was refused (403/404): it expired. Re-read the video for a
    /// freshly signed URL and try again.
    #[error(
        "the download link has expired (HTTP {status}); fetch the video again for a fresh link"
    )]
    LinkExpired {
        status: u16,
        request_id: Option<String>,
    },

    /// A URL was malformed or not allowed (e.g. plain `http` to a non-loopback host).
    #[error("invalid URL: {reason}")]
    InvalidUrl { reason: String },

    /// The request was refused before sending (bad idempotency key, file too large, …).
    #[error("invalid request: {message}")]
    InvalidRequest {
        message: String,
        param: Option<String>,
    },

    /// Reading a local file failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// The client could not be built (bad proxy, TLS setup, …).
    #[error("client configuration: {message}")]
    Config { message: String },
}

/// What the UI shows: `{code, message, param?, request_id?, retry_after?}` (+ the HTTP status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Seconds to wait before trying again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl ApiError {
    /// A stable machine code: the API's own code when it sent one, else one derived from the
    /// status or the failure kind (`network_error`, `timeout`, `decode_error`, `link_expired`, …).
    pub fn code(&self) -> &str {
        match self {
            ApiError::Api(failure) if !failure.code.is_empty() => &failure.code,
            ApiError::Api(failure) => status_code_name(failure.status),
            ApiError::Status { status, .. } => status_code_name(*status),
            ApiError::Decode { .. } => "decode_error",
            ApiError::Network { .. } => "network_error",
            ApiError::Timeout { .. } => "timeout",
            ApiError::LinkExpired { .. } => "link_expired",
            ApiError::InvalidUrl { .. } => "invalid_url",
            ApiError::InvalidRequest { .. } => "invalid_request",
            ApiError::Io { .. } => "io_error",
            ApiError::Config { .. } => "invalid_config",
        }
    }

    /// The HTTP status, when a response was received.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Api(failure) => Some(failure.status),
            ApiError::Status { status, .. }
            | ApiError::Decode { status, .. }
            | ApiError::LinkExpired { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's `X-Request-Id`, when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Api(failure) => failure.request_id.as_deref(),
            ApiError::Status { request_id, .. }
            | ApiError::Decode { request_id, .. }
            | ApiError::LinkExpired { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// How long the server asked us to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Api(failure) => failure.retry_after,
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The offending request parameter (validation errors).
    pub fn param(&self) -> Option<&str> {
        match self {
            ApiError::Api(failure) => failure.param.as_deref(),
            ApiError::InvalidRequest { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    /// True when trying again later might succeed: 429, 500/502/503/504, network faults,
    /// timeouts and cut-off responses. (Whether the client itself retries also depends on the
    /// method: only 429 is retried for non-idempotent requests.)
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Api(_) | ApiError::Status { .. } => {
                self.http_status().is_some_and(is_retryable_status)
            }
            ApiError::Decode {
                truncated, status, ..
            } => *truncated || is_retryable_status(*status),
            ApiError::Network { .. } | ApiError::Timeout { .. } => true,
            _ => false,
        }
    }

    /// 429: the server did not process the request.
    pub fn is_rate_limited(&self) -> bool {
        self.http_status() == Some(429)
    }

    /// 401: the key or token is missing, wrong or expired.
    pub fn is_unauthorized(&self) -> bool {
        self.http_status() == Some(401)
    }

    /// 404 from the API (an unknown id).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Api(_) | ApiError::Status { .. })
            && self.http_status() == Some(404)
    }

    /// The structure the UI shows.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code().to_owned(),
            message: self.to_string(),
            param: self.param().map(str::to_owned),
            request_id: self.request_id().map(str::to_owned),
            retry_after: self
                .retry_after()
                .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            status: self.http_status(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ApiError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>, param: Option<&str>) -> Self {
        ApiError::InvalidRequest {
            message: message.into(),
            param: param.map(str::to_owned),
        }
    }
}

/// 429 and the transient 5xx statuses.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// A code for a status that came without an envelope (matches the API's codes where they exist).
pub fn status_code_name(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        402 => "insufficient_credit",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        416 => "range_not_satisfiable",
        429 => "rate_limit_exceeded",
        500 => "internal_error",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "http_error",
    }
}
