//! Typed client for HeyGen's v3 Video Agent API (contract: `shared/spec/video-agent-api.md`).
//!
//! - [`Client`] / [`ClientConfig`]: auth (`X-Api-Key` or Bearer, never both), timeouts, proxy,
//!   the retry policy of HeyGen's own client.
//! - [`models`]: tolerant request/response types (unknown fields ignored, unknown enum values kept).
//! - [`ApiError`]: one error type with stable codes; never carries the key.
//! - Pagination as a [`futures::Stream`] ([`paginate`], `Client::stream_*`).
//! - Uploads streamed from disk with progress ([`Client::upload_file`]); downloads from presigned
//!   URLs with `Range` resume ([`Client::download`]).

mod client;
mod config;
mod download;
mod endpoints;
mod error;
pub mod models;
pub mod oauth;
mod pagination;
pub mod response;
pub mod secret;
pub mod session;
mod upload;
pub mod url_policy;

pub use client::{Client, API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER};
pub use config::{
    default_user_agent, Auth, ClientConfig, RetryHook, RetryNotice, RetryPolicy, Timeouts,
    DEFAULT_BASE_URL, SIMPLE_UPLOAD_MAX_BYTES,
};
pub use download::{parse_content_range, ContentRange, DownloadStream};
pub use endpoints::legacy::LegacySessions;
pub use endpoints::{MAX_FILES, MAX_PROMPT_CHARS, MAX_STATUS_IDS};
pub use error::{is_retryable_status, status_code_name, ApiError, ApiFailure, ErrorReport};
pub use pagination::paginate;
pub use secret::Secret;
pub use session::{OAuthSession, SharedSession, TokenStore};
pub use upload::{
    detect_content_type, sha256_file, ProgressFn, UploadMethod, UploadOptions, UploadedAsset,
};
