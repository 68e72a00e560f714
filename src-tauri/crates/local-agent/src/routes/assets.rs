//! Assets: type sniffing, simple multipart upload (≤ 32 MiB), listing, and turning `files[]`
//! inputs into assets. The direct upload lives in `direct_uploads.rs`.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::Json;
use base64::Engine;
use futures::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult};
use crate::pagination::ListQuery;
use crate::state::AppState;
use crate::store::{Asset, AssetStatus};
use crate::util::{new_id, now_unix};

pub const SIMPLE_UPLOAD_MAX: u64 = 32 * 1024 * 1024;
pub const DIRECT_UPLOAD_MAX: u64 = 10 * 1024 * 1024 * 1024;
/// `files[]` given as URLs are fetched into memory; cap them.
const URL_FETCH_MAX: u64 = 256 * 1024 * 1024;

/// Accepted as Video Agent inputs.
pub const AGENT_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "video/mp4",
    "video/webm",
    "audio/mpeg",
    "audio/wav",
    "application/pdf",
];

/// Type detected from the bytes (png, jpeg, mp4, webm, mp3, wav, pdf, srt).
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if let Some(k) = infer::get(head) {
        let m = match k.mime_type() {
            "image/png" => "image/png",
            "image/jpeg" => "image/jpeg",
            "video/mp4" | "video/quicktime" => "video/mp4",
            "video/webm" | "video/x-matroska" => "video/webm",
            "audio/mpeg" => "audio/mpeg",
            "audio/x-wav" | "audio/wav" | "audio/vnd.wave" => "audio/wav",
            "application/pdf" => "application/pdf",
            _ => return None,
        };
        return Some(m);
    }
    if head.starts_with(b"ID3") {
        return Some("audio/mpeg");
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.lines()
        .next()
        .map(|l| l.trim().parse::<u32>().is_ok())
        .unwrap_or(false)
        && t.contains("-->")
    {
        return Some("application/x-subrip");
    }
    None
}

pub fn ext_for_mime(m: &str) -> &'static str {
    match m {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "audio/mpeg" => "mp3",
        "audio/wav" => "wav",
        "application/pdf" => "pdf",
        "application/x-subrip" => "srt",
        _ => "bin",
    }
}

pub fn asset_json(state: &AppState, a: &Asset) -> Value {
    json!({
        "asset_id": a.id,
        "url": state.asset_url(&a.id),
        "mime_type": a.mime_type,
        "size_bytes": a.size_bytes,
    })
}

pub fn insert_asset(state: &AppState, asset: Asset) {
    state.update(|db| {
        db.next_seq(&asset.id);
        db.assets.insert(asset.id.clone(), asset);
    });
}

/// Stores bytes already in memory as a ready asset (base64 and URL inputs).
pub async fn ingest_bytes(
    state: &AppState,
    bytes: &[u8],
    filename: &str,
    source: &str,
    param: &str,
) -> ApiResult<Asset> {
    let mime = sniff(bytes).ok_or_else(|| ApiError::invalid(param, "unsupported file type"))?;
    let id = new_id("asset_");
    tokio::fs::create_dir_all(state.assets_dir()).await?;
    tokio::fs::write(crate::cdn::asset_path(state, &id), bytes).await?;
    let asset = Asset {
        id,
        filename: filename.to_string(),
        mime_type: mime.to_string(),
        size_bytes: bytes.len() as u64,
        sha256: Some(crate::util::sha256_hex(bytes)),
        created_at: now_unix(),
        status: AssetStatus::Ready,
        direct: None,
        source: source.to_string(),
        processing_until_ms: None,
    };
    insert_asset(state, asset.clone());
    Ok(asset)
}

/// `files[]` (AssetInput) → asset ids; each must be a type the Video Agent accepts.
pub async fn resolve_files(state: &AppState, files: Vec<Value>) -> ApiResult<Vec<String>> {
    let mut ids = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let p = format!("files[{i}]");
        let obj = f
            .as_object()
            .ok_or_else(|| ApiError::invalid(&p, "each file must be an object"))?;
        let kind = obj.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let asset = match kind {
            "asset_id" => {
                let id = obj
                    .get("asset_id")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| {
                        ApiError::invalid(format!("{p}.asset_id"), "asset_id is required")
                    })?;
                let a = state.db().assets.get(id).cloned();
                match a {
                    Some(a) if a.is_available(crate::util::now_unix_ms()) => a,
                    // Completed but still being processed: HeyGen refuses it for now.
                    Some(a) if a.status == AssetStatus::Processing => {
                        let mut e = ApiError::new(
                            axum::http::StatusCode::BAD_REQUEST,
                            "asset_not_available",
                            format!(
                                "asset {id} is still processing or was deleted; check GET /v3/assets/statuses and retry"
                            ),
                        );
                        e.param = Some(format!("{p}.asset_id"));
                        return Err(e);
                    }
                    Some(_) => {
                        return Err(ApiError::invalid(
                            format!("{p}.asset_id"),
                            "asset upload is not complete",
                        ))
                    }
                    None => {
                        return Err(ApiError::invalid(
                            format!("{p}.asset_id"),
                            format!("unknown asset {id}"),
                        ))
                    }
                }
            }
            "url" => {
                let url = obj
                    .get("url")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| ApiError::invalid(format!("{p}.url"), "url is required"))?;
                let fail = |m: String| {
                    let mut e =
                        ApiError::new(axum::http::StatusCode::BAD_REQUEST, "download_failed", m);
                    e.param = Some(format!("{p}.url"));
                    e
                };
                let resp = state
                    .http
                    .get(url)
                    .send()
                    .await
                    .map_err(|e| fail(format!("could not fetch {url}: {e}")))?;
                if !resp.status().is_success() {
                    return Err(fail(format!(
                        "could not fetch {url}: HTTP {}",
                        resp.status().as_u16()
                    )));
                }
                // Fetched into memory, so bounded: larger inputs go through direct upload.
                let too_large = || {
                    ApiError::payload_too_large(format!(
                        "files fetched by URL may be at most {} MB; upload larger files with POST /v3/assets/direct-uploads",
                        URL_FETCH_MAX >> 20
                    ))
                };
                if resp.content_length().unwrap_or(0) > URL_FETCH_MAX {
                    return Err(too_large());
                }
                let mut bytes = Vec::new();
                let mut stream = resp.bytes_stream();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| fail(format!("could not fetch {url}: {e}")))?;
                    if (bytes.len() + chunk.len()) as u64 > URL_FETCH_MAX {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let name = url
                    .rsplit('/')
                    .next()
                    .unwrap_or("file")
                    .split('?')
                    .next()
                    .unwrap_or("file");
                ingest_bytes(state, &bytes, name, "url", &p).await?
            }
            "base64" => {
                let data = obj
                    .get("data")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| ApiError::invalid(format!("{p}.data"), "data is required"))?;
                let data = data.split_once("base64,").map(|(_, d)| d).unwrap_or(data);
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|_| {
                        ApiError::invalid(format!("{p}.data"), "data is not valid base64")
                    })?;
                ingest_bytes(state, &bytes, "inline", "user_uploaded", &p).await?
            }
            _ => {
                return Err(ApiError::invalid(
                    format!("{p}.type"),
                    "type must be one of url, asset_id, base64",
                ))
            }
        };
        if !AGENT_TYPES.contains(&asset.mime_type.as_str()) {
            return Err(ApiError::invalid(
                &p,
                format!(
                    "{} files are not accepted by the Video Agent",
                    asset.mime_type
                ),
            ));
        }
        ids.push(asset.id);
    }
    Ok(ids)
}

/// `POST /v3/assets` — multipart field `file`.
pub async fn upload(
    State(state): State<AppState>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Value>> {
    let mut mp =
        mp.map_err(|e| ApiError::invalid("file", format!("expected multipart/form-data: {e}")))?;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::invalid("file", format!("malformed multipart body: {e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("upload").to_string();
        let id = new_id("asset_");
        tokio::fs::create_dir_all(state.assets_dir()).await?;
        let path = crate::cdn::asset_path(&state, &id);
        // Big buffer: request chunks are small, and each tokio::fs write is a thread hop.
        let mut out =
            tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::create(&path).await?);
        let mut size = 0u64;
        let mut head = Vec::new();
        let mut hasher = Sha256::new();
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&path).await;
                    return Err(ApiError::invalid(
                        "file",
                        format!("upload interrupted: {e}"),
                    ));
                }
            };
            size += chunk.len() as u64;
            if size > SIMPLE_UPLOAD_MAX {
                drop(out);
                let _ = tokio::fs::remove_file(&path).await;
                return Err(ApiError::payload_too_large(
                    "file is larger than 32 MB; use POST /v3/assets/direct-uploads",
                ));
            }
            if head.len() < 8192 {
                head.extend_from_slice(&chunk[..chunk.len().min(8192 - head.len())]);
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
        }
        out.flush().await?;
        let Some(mime) = sniff(&head) else {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(ApiError::invalid(
                "file",
                "unsupported file type (png, jpeg, mp4, webm, mp3, wav, pdf, srt)",
            ));
        };
        let asset = Asset {
            id,
            filename,
            mime_type: mime.to_string(),
            size_bytes: size,
            sha256: Some(hex::encode(hasher.finalize())),
            created_at: now_unix(),
            status: AssetStatus::Ready,
            direct: None,
            source: "user_uploaded".into(),
            processing_until_ms: None,
        };
        insert_asset(&state, asset.clone());
        return Ok(Json(json!({ "data": asset_json(&state, &asset) })));
    }
    Err(ApiError::invalid("file", "file is required"))
}

/// `GET /v3/assets`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(20, 100, "assets")?;
    let items: Vec<Value> = {
        let db = state.db();
        let mut v: Vec<&Asset> = db
            .assets
            .values()
            .filter(|a| a.status != AssetStatus::PendingUpload)
            .collect();
        v.sort_by_key(|a| std::cmp::Reverse(db.seq_of(&a.id)));
        v.into_iter().cloned().collect::<Vec<_>>()
    }
    .iter()
    .map(|a| {
        let mut j = asset_json(&state, a);
        j["created_at"] = json!(a.created_at);
        j["filename"] = json!(a.filename);
        j
    })
    .collect();
    Ok(Json(crate::pagination::envelope(items, page, "assets")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_supported_types() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n0000"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.4\n"), Some("application/pdf"));
        assert_eq!(
            sniff(b"1\n00:00:00,000 --> 00:00:01,000\nhi\n"),
            Some("application/x-subrip")
        );
        assert_eq!(sniff(b"<html><body>no</body></html>"), None);
    }
}
