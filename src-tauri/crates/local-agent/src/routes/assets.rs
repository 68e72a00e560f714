//! Assets: simple multipart upload (≤ 32 MiB), the three-step direct upload with the server's
//! own presigned-style `PUT` URL, listing, and turning `files[]` inputs into assets.

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, Request, State};
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
use crate::pagination::ListQuery;
use crate::state::AppState;
use crate::store::{Asset, AssetStatus, DirectUpload};
use crate::util::{new_id, now_unix};

pub const SIMPLE_UPLOAD_MAX: u64 = 32 * 1024 * 1024;
pub const DIRECT_UPLOAD_MAX: u64 = 10 * 1024 * 1024 * 1024;
const UPLOAD_URL_TTL: i64 = 3600;
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

fn insert_asset(state: &AppState, asset: Asset) {
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
                    Some(a)
                        if a.status == AssetStatus::Ready
                            || a.status == AssetStatus::Processing =>
                    {
                        a
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
        state.update(|db| {
            if let Some(a) = db.assets.get_mut(&id) {
                if let Some(m) = mime {
                    a.mime_type = m;
                }
                a.status = AssetStatus::Ready;
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
    data["status"] = json!(if first { "processing" } else { "ready" });
    Ok(Json(json!({ "data": data })))
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
