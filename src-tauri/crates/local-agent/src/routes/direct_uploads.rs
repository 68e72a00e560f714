//! The three-step direct upload (files over 32 MB): create → `PUT` to the server's own
//! presigned-style URL (required headers, no API auth, size and checksum verified) → complete.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use futures::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::cdn::SignedQuery;
use crate::error::{ApiError, ApiResult};
use crate::json_input::Body as JsonBody;
use crate::routes::assets::{asset_json, insert_asset, sniff, DIRECT_UPLOAD_MAX};
use crate::state::AppState;
use crate::store::{Asset, AssetStatus, DirectUpload};
use crate::util::{new_id, now_unix, now_unix_ms};

const UPLOAD_URL_TTL: i64 = 3600;

fn normalise_checksum(raw: &str, param: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(t.to_lowercase());
    }
    // The spec's example shows base64; accept it too.
    match base64::engine::general_purpose::STANDARD.decode(t) {
        Ok(b) if b.len() == 32 => Ok(hex::encode(b)),
        _ => Err(ApiError::invalid(
            param,
            "checksum_sha256 must be a SHA-256 digest (hex or base64)",
        )),
    }
}

/// `POST /v3/assets/direct-uploads`
pub async fn create_direct(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let b = JsonBody::parse(&body)?;
    let filename = b.req_str("filename", 1, 1024)?;
    let content_type = b.req_str("content_type", 1, 255)?;
    let size = b
        .opt_u64("size_bytes")?
        .ok_or_else(|| ApiError::invalid("size_bytes", "size_bytes is required"))?;
    if size == 0 || size > DIRECT_UPLOAD_MAX {
        return Err(ApiError::invalid(
            "size_bytes",
            format!("size_bytes must be between 1 and {DIRECT_UPLOAD_MAX}"),
        ));
    }
    let checksum = b
        .opt_str("checksum_sha256", 128)?
        .map(|c| normalise_checksum(&c, "checksum_sha256"))
        .transpose()?;
    let id = new_id("asset_");
    let token = crate::util::random_secret(16);
    let expires_at = now_unix() + UPLOAD_URL_TTL;
    let upload_url = format!(
        "{}{}",
        state.base_url(),
        state.signer.sign(&format!("/uploads/{id}"), expires_at)
    );
    let asset = Asset {
        id: id.clone(),
        filename,
        mime_type: content_type.clone(),
        size_bytes: size,
        sha256: None,
        created_at: now_unix(),
        status: AssetStatus::PendingUpload,
        direct: Some(DirectUpload {
            content_type: content_type.clone(),
            size_bytes: size,
            checksum_sha256: checksum,
            upload_token: token.clone(),
            expires_at,
        }),
        source: "user_uploaded".into(),
        processing_until_ms: None,
    };
    insert_asset(&state, asset);
    Ok(Json(json!({"data": {
        "asset_id": id,
        "upload_url": upload_url,
        "upload_headers": {"Content-Type": content_type, "x-upload-token": token},
        "expires_in_seconds": UPLOAD_URL_TTL,
        "max_bytes": DIRECT_UPLOAD_MAX,
        "status": "pending_upload",
    }})))
}

/// `PUT /uploads/{asset_id}?expires&signature` — the presigned upload target (no API auth).
pub async fn put_upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<SignedQuery>,
    req: Request,
) -> Response {
    match put_upload_inner(&state, &id, &q, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn put_upload_inner(
    state: &AppState,
    id: &str,
    q: &SignedQuery,
    req: Request,
) -> ApiResult<Response> {
    let path = format!("/uploads/{id}");
    let (Some(expires), Some(sig)) = (q.expires, q.signature.as_deref()) else {
        return Err(ApiError::forbidden("missing signature"));
    };
    if !state.signer.verify(&path, expires, sig) {
        return Err(ApiError::forbidden("signature does not match"));
    }
    if expires < now_unix() {
        return Err(ApiError::forbidden("upload URL has expired"));
    }
    let headers: HeaderMap = req.headers().clone();
    if headers.contains_key("authorization") || headers.contains_key("x-api-key") {
        return Err(ApiError::invalid(
            "Authorization",
            "presigned uploads must not carry API credentials",
        ));
    }
    let direct = state
        .db()
        .assets
        .get(id)
        .and_then(|a| a.direct.clone())
        .ok_or_else(|| ApiError::not_found("not_found", "no pending upload for this asset"))?;
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct != direct.content_type {
        return Err(ApiError::forbidden(
            "Content-Type does not match the signed upload_headers",
        ));
    }
    let tok = headers
        .get("x-upload-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if tok != direct.upload_token {
        return Err(ApiError::forbidden(
            "x-upload-token header missing or wrong",
        ));
    }
    tokio::fs::create_dir_all(state.assets_dir()).await?;
    let final_path = crate::cdn::asset_path(state, id);
    let tmp = final_path.with_extension("part");
    // Big buffer: request chunks are small, and each tokio::fs write is a thread hop.
    let mut out =
        tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::create(&tmp).await?);
    // Hash while streaming only when a checksum was declared; otherwise `complete` hashes on
    // demand (SHA-256 of gigabytes is the costliest part of an upload).
    let mut hasher = direct.checksum_sha256.is_some().then(Sha256::new);
    let mut size = 0u64;
    let mut stream = req.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::invalid("body", format!("upload interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > direct.size_bytes {
            drop(out);
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(ApiError::invalid(
                "size_bytes",
                "body is larger than the declared size_bytes",
            ));
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        out.write_all(&chunk).await?;
    }
    out.flush().await?;
    out.into_inner().sync_all().await?;
    if size != direct.size_bytes {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(ApiError::invalid(
            "size_bytes",
            format!(
                "received {size} bytes but size_bytes is {}",
                direct.size_bytes
            ),
        ));
    }
    let digest = hasher.map(|h| hex::encode(h.finalize()));
    if let (Some(expected), Some(digest)) = (&direct.checksum_sha256, &digest) {
        if expected != digest {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(ApiError::invalid(
                "checksum_sha256",
                "uploaded bytes do not match checksum_sha256",
            ));
        }
    }
    tokio::fs::rename(&tmp, &final_path).await?;
    state.update(|db| {
        if let Some(a) = db.assets.get_mut(id) {
            a.sha256 = digest.clone();
            if a.status == AssetStatus::PendingUpload {
                a.status = AssetStatus::Uploaded;
            }
        }
    });
    let mut resp = axum::http::Response::builder().status(200);
    if let Some(d) = &digest {
        resp = resp.header("etag", format!("\"{d}\""));
    }
    Ok(resp.body(Body::empty()).unwrap_or_default())
}

fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

/// `GET /v3/assets/statuses?asset_ids=a,b` (≤ 100 ids) → one `{asset_id, status}` per id, in the
/// order asked: `queued | processing | completed | failed | not_found`.
pub async fn statuses(
    State(state): State<AppState>,
    Query(q): Query<StatusesQuery>,
) -> ApiResult<Json<Value>> {
    let raw = q.asset_ids.unwrap_or_default();
    let ids: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::invalid("asset_ids", "asset_ids is required"));
    }
    if ids.len() > MAX_STATUS_IDS {
        return Err(ApiError::invalid(
            "asset_ids",
            format!("at most {MAX_STATUS_IDS} asset_ids per request"),
        ));
    }
    let now = now_unix_ms();
    let db = state.db();
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            let status = db
                .assets
                .get(*id)
                .map(|a| a.status.api_status(a.processing_until_ms, now))
                .unwrap_or("not_found");
            json!({"asset_id": id, "status": status})
        })
        .collect();
    Ok(Json(json!({ "data": items })))
}

const MAX_STATUS_IDS: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
pub struct StatusesQuery {
    pub asset_ids: Option<String>,
}

/// `POST /v3/assets/{asset_id}/complete` — idempotent.
pub async fn complete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = JsonBody::parse(&body)?;
    let checksum = b
        .opt_str("checksum_sha256", 128)?
        .map(|c| normalise_checksum(&c, "checksum_sha256"))
        .transpose()?;
    let asset = state
        .db()
        .assets
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("not_found", "asset not found"))?;
    if asset.status == AssetStatus::PendingUpload {
        return Err(ApiError::conflict(
            "conflict",
            "the file has not been uploaded to upload_url yet",
        ));
    }
    let actual = match (&checksum, &asset.sha256) {
        (Some(_), None) => {
            let path = crate::cdn::asset_path(&state, &id);
            let digest = tokio::task::spawn_blocking(move || file_sha256(&path))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??;
            state.update(|db| {
                if let Some(a) = db.assets.get_mut(&id) {
                    a.sha256 = Some(digest.clone());
                }
            });
            Some(digest)
        }
        (_, known) => known.clone(),
    };
    if let (Some(c), Some(actual)) = (&checksum, &actual) {
        if c != actual {
            return Err(ApiError::invalid(
                "checksum_sha256",
                "checksum_sha256 does not match the uploaded bytes",
            ));
        }
    }
    let first = asset.status == AssetStatus::Uploaded;
    if first {
        let path = crate::cdn::asset_path(&state, &id);
        let head = {
            use tokio::io::AsyncReadExt;
            let mut f = tokio::fs::File::open(&path).await?;
            let mut buf = vec![0u8; 8192];
            let n = f.read(&mut buf).await?;
            buf.truncate(n);
            buf
        };
        let mime = sniff(&head).map(str::to_string);
        // HeyGen keeps a completed upload `processing` for a while (spec §3.3 step 4).
        let wait = state.sim(state.behaviour().asset_processing_secs / 60.0);
        let until = (!wait.is_zero()).then(|| now_unix_ms() + wait.as_millis() as i64);
        state.update(|db| {
            if let Some(a) = db.assets.get_mut(&id) {
                if let Some(m) = mime {
                    a.mime_type = m;
                }
                a.status = if until.is_some() {
                    AssetStatus::Processing
                } else {
                    AssetStatus::Ready
                };
                a.processing_until_ms = until;
            }
        });
    }
    let asset = state
        .db()
        .assets
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("not_found", "asset not found"))?;
    let mut data = asset_json(&state, &asset);
    data["status"] = json!(asset
        .status
        .api_status(asset.processing_until_ms, now_unix_ms()));
    Ok(Json(json!({ "data": data })))
}
