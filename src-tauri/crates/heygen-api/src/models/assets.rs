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

open_enum! {
    /// Whether an uploaded asset may be used yet (`GET /v3/assets/statuses`, spec §3.3).
    pub enum AssetReadiness {
        Queued = "queued",
        Processing = "processing",
        Completed = "completed",
        Failed = "failed",
        NotFound = "not_found",
    }
}

impl AssetReadiness {
    /// Usable in a create (`completed`; `ready` is read the same way).
    pub fn is_ready(&self) -> bool {
        matches!(self, AssetReadiness::Completed) || self.as_str() == "ready"
    }

    /// Will never become usable (`failed`, `not_found`).
    pub fn is_dead(&self) -> bool {
        matches!(self, AssetReadiness::Failed | AssetReadiness::NotFound)
    }
}

/// One asset's readiness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetStatusItem {
    pub asset_id: String,
    pub status: AssetReadiness,
}

/// `data` of `GET /v3/assets/statuses`. The exact shape is not published, so it is read
/// liberally: a list of `{asset_id|id, status}`, an object holding such a list (`assets`,
/// `statuses`, `items`), or a map of id → status (string or `{status}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AssetStatuses {
    pub assets: Vec<AssetStatusItem>,
}

impl AssetStatuses {
    pub fn status_of(&self, asset_id: &str) -> Option<&AssetReadiness> {
        self.assets
            .iter()
            .find(|a| a.asset_id == asset_id)
            .map(|a| &a.status)
    }
}

impl<'de> Deserialize<'de> for AssetStatuses {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        fn status_of(v: &Value) -> Option<AssetReadiness> {
            let s = match v {
                Value::String(s) => s.as_str(),
                Value::Object(o) => o.get("status")?.as_str()?,
                _ => return None,
            };
            Some(AssetReadiness::from_wire(s))
        }
        fn item(v: &Value) -> Option<AssetStatusItem> {
            let o = v.as_object()?;
            let id = o
                .get("asset_id")
                .or_else(|| o.get("id"))
                .and_then(Value::as_str)?;
            Some(AssetStatusItem {
                asset_id: id.to_string(),
                status: status_of(v)?,
            })
        }
        fn list(v: &Value) -> Option<Vec<AssetStatusItem>> {
            Some(v.as_array()?.iter().filter_map(item).collect())
        }
        let value = Value::deserialize(d)?;
        let assets = match &value {
            Value::Array(_) => list(&value).unwrap_or_default(),
            Value::Object(o) => ["assets", "statuses", "items", "data"]
                .iter()
                .find_map(|k| o.get(*k).and_then(list))
                .unwrap_or_else(|| {
                    o.iter()
                        .filter_map(|(id, v)| {
                            Some(AssetStatusItem {
                                asset_id: id.clone(),
                                status: status_of(v)?,
                            })
                        })
                        .collect()
                }),
            _ => Vec::new(),
        };
        Ok(AssetStatuses { assets })
    }
}
