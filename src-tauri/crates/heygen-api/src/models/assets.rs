//! Assets (§3.2 simple upload, §3.3 direct upload).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// Lifecycle of an uploaded asset.
    pub enum AssetStatus {
        PendingUpload = "pending_upload",
        Processing = "processing",
        Ready = "ready",
        Completed = "completed",
        Failed = "failed",
    }
}

/// An uploaded asset (`POST /v3/assets`, `POST /v3/assets/{id}/complete`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub asset_id: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub mime_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub size_bytes: Option<u64>,
    /// Present on `/complete` responses (e.g. `processing`).
    #[serde(default)]
    pub status: Option<AssetStatus>,
}

/// Body of `POST /v3/assets/direct-uploads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDirectUploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_sha256: Option<String>,
}

/// `data` of `POST /v3/assets/direct-uploads`: where and how to PUT the bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectUpload {
    pub asset_id: String,
    pub upload_url: String,
    /// Send exactly these headers with the PUT (and no HeyGen auth header).
    #[serde(default, deserialize_with = "lenient::string_map")]
    pub upload_headers: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub expires_in_seconds: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    pub status: Option<AssetStatus>,
}

/// Body of `POST /v3/assets/{asset_id}/complete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteUploadRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_sha256: Option<String>,
}
