//! The agent's own "CDN": expiring HMAC-signed URLs and file serving with `Range` support,
//! streamed from disk so large files never sit in memory.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::ApiError;
use crate::state::AppState;

/// Signed links live this long unless faults say otherwise (HeyGen's older docs: 7 days).
pub const DEFAULT_URL_TTL_SECS: i64 = 7 * 24 * 3600;

pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: &[u8]) -> Self {
        Signer { key: key.to_vec() }
    }

    fn mac(&self, path: &str, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("hmac accepts any key");
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// `path?expires=…&signature=…` (path starts with `/`).
    pub fn sign(&self, path: &str, expires: i64) -> String {
        format!(
            "{path}?expires={expires}&signature={}",
            self.mac(path, expires)
        )
    }

    pub fn verify(&self, path: &str, expires: i64, signature: &str) -> bool {
        let expected = self.mac(path, expires);
        // Constant-time enough for a loopback server; compare full strings.
        expected.len() == signature.len()
            && expected
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

#[derive(Debug, Deserialize)]
pub struct SignedQuery {
    pub expires: Option<i64>,
    pub signature: Option<String>,
}

impl AppState {
    /// A freshly signed absolute URL for a CDN path.
    pub fn signed_url(&self, path: &str) -> String {
        let ttl = self
            .faults
            .url_ttl_seconds()
            .map(|s| s as i64)
            .unwrap_or(DEFAULT_URL_TTL_SECS);
        let expires = crate::util::now_unix() + ttl;
        format!("{}{}", self.base_url(), self.signer.sign(path, expires))
    }

    pub fn public_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// Checks a signed request; `Err` is the 403 to return.
    pub fn check_signature(&self, path: &str, q: &SignedQuery) -> Result<(), ApiError> {
        if self.faults.expire_urls() {
            return Err(ApiError::forbidden("Request has expired"));
        }
        let (Some(expires), Some(sig)) = (q.expires, q.signature.as_deref()) else {
            return Err(ApiError::forbidden("missing signature"));
        };
        if !self.signer.verify(path, expires, sig) {
            return Err(ApiError::forbidden("signature does not match"));
        }
        if expires < crate::util::now_unix() {
            return Err(ApiError::forbidden("Request has expired"));
        }
        Ok(())
    }
}

enum RangeSpec {
    Full,
    Partial(u64, u64),
    Unsatisfiable,
}

fn parse_range(headers: &HeaderMap, size: u64) -> RangeSpec {
    let Some(raw) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return RangeSpec::Full;
    };
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return RangeSpec::Full;
    };
    // Multiple ranges are not supported: serve the first one.
    let first = spec.split(',').next().unwrap_or("").trim();
    let Some((a, b)) = first.split_once('-') else {
        return RangeSpec::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // Suffix range: the last N bytes.
        let Ok(n) = b.parse::<u64>() else {
            return RangeSpec::Full;
        };
        if n == 0 || size == 0 {
            return RangeSpec::Unsatisfiable;
        }
        let n = n.min(size);
        return RangeSpec::Partial(size - n, size - 1);
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeSpec::Full;
    };
    if start >= size {
        return RangeSpec::Unsatisfiable;
    }
    let end = if b.is_empty() {
        size - 1
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => e.min(size - 1),
            _ => return RangeSpec::Full,
        }
    };
    RangeSpec::Partial(start, end)
}

/// A 416 for a resource of this size.
struct Unsatisfiable(u64);

impl IntoResponse for Unsatisfiable {
    fn into_response(self) -> Response {
        let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", self.0)) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        r
    }
}

/// Status, headers and byte window for a response of `size` bytes (honouring `Range`).
fn ranged(
    req_headers: &HeaderMap,
    size: u64,
    content_type: &str,
) -> Result<(axum::http::response::Builder, u64, u64), Unsatisfiable> {
    let (status, start, len) = match parse_range(req_headers, size) {
        RangeSpec::Full => (StatusCode::OK, 0, size),
        RangeSpec::Partial(s, e) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        RangeSpec::Unsatisfiable => return Err(Unsatisfiable(size)),
    };
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, len.to_string());
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{size}", start + len - 1),
        );
    }
    Ok((builder, start, len))
}

fn counted<S>(state: &AppState, stream: S) -> Body
where
    S: futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
{
    let st = state.clone();
    Body::from_stream(stream.map(move |chunk| {
        if let Ok(c) = &chunk {
            st.stats
                .bytes_served
                .fetch_add(c.len() as u64, Ordering::Relaxed);
        }
        chunk
    }))
}

/// Serves a file (GET or HEAD) with `Accept-Ranges`, `Content-Length`, and 206/416 for ranges.
pub async fn serve_file(
    state: &AppState,
    path: &Path,
    content_type: &str,
    req_headers: &HeaderMap,
    head_only: bool,
) -> Response {
    let mut file = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(_) => return ApiError::not_found("not_found", "file not found").into_response(),
    };
    let size = match file.metadata().await {
        Ok(m) => m.len(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (builder, start, len) = match ranged(req_headers, size, content_type) {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    if head_only {
        return builder.body(Body::empty()).unwrap_or_default();
    }
    if start > 0 {
        if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
            return ApiError::from(e).into_response();
        }
    }
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), 256 * 1024);
    builder.body(counted(state, stream)).unwrap_or_default()
}

/// What every CDN route needs from its request besides its path: GET or HEAD, and the
/// headers (`Range`). One extractor, so no handler reads them its own way.
pub struct FileRequest {
    head: bool,
    headers: HeaderMap,
}

impl<S: Send + Sync> FromRequestParts<S> for FileRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(FileRequest {
            head: parts.method == Method::HEAD,
            headers: parts.headers.clone(),
        })
    }
}

impl FileRequest {
    /// Serves the file at `path` as `content_type`.
    pub async fn serve(&self, state: &AppState, path: &Path, content_type: &str) -> Response {
        serve_file(state, path, content_type, &self.headers, self.head).await
    }

    /// Serves the file found (typed by its name), or the error that found none.
    pub async fn serve_found(
        &self,
        state: &AppState,
        found: Result<PathBuf, ApiError>,
    ) -> Response {
        match found {
            Ok(path) => {
                let content_type = content_type_for(&path.display().to_string());
                self.serve(state, &path, content_type).await
            }
            Err(e) => e.into_response(),
        }
    }
}

/// Byte `i` of a benchmark blob.
pub fn blob_byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// Serves a generated blob of `size` bytes (byte i = i mod 251): no disk, no memory growth.
fn serve_blob(state: &AppState, size: u64, req_headers: &HeaderMap, head_only: bool) -> Response {
    let (builder, start, len) = match ranged(req_headers, size, "application/octet-stream") {
        Ok(x) => x,
        Err(r) => return r.into_response(),
    };
    if head_only {
        return builder.body(Body::empty()).unwrap_or_default();
    }
    const CHUNK: u64 = 251 * 1024;
    // One pattern period-aligned buffer; each chunk is a slice of it at the right phase.
    let pattern: bytes::Bytes = (0..CHUNK + 251).map(blob_byte).collect::<Vec<u8>>().into();
    let end = start + len;
    let stream = futures::stream::unfold(start, move |pos| {
        let pattern = pattern.clone();
        async move {
            if pos >= end {
                return None;
            }
            let n = CHUNK.min(end - pos);
            let phase = pos % 251;
            let chunk = pattern.slice(phase as usize..(phase + n) as usize);
            Some((Ok::<_, std::io::Error>(chunk), pos + n))
        }
    });
    builder.body(counted(state, stream)).unwrap_or_default()
}

fn safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

pub fn content_type_for(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "mp4" => "video/mp4",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "srt" => "application/x-subrip",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "gif" => "image/gif",
        _ => "application/octet-stream",
    }
}

/// `GET|HEAD /cdn/v/{video_id}/{file}` — signed: rendered video files.
pub async fn video_file(
    State(state): State<AppState>,
    axum::extract::Path((video_id, file)): axum::extract::Path<(String, String)>,
    Query(q): Query<SignedQuery>,
    req: FileRequest,
) -> Response {
    let path = format!("/cdn/v/{video_id}/{file}");
    if let Err(e) = state.check_signature(&path, &q) {
        return e.into_response();
    }
    if !safe_segment(&video_id) || !safe_segment(&file) {
        return ApiError::not_found("not_found", "no such file").into_response();
    }
    let on_disk = state.videos_dir().join(&video_id).join(&file);
    req.serve(&state, &on_disk, content_type_for(&file)).await
}

/// `GET|HEAD /cdn/a/{asset_id}/{name}` — signed: uploaded assets.
pub async fn asset_file(
    State(state): State<AppState>,
    axum::extract::Path((asset_id, name)): axum::extract::Path<(String, String)>,
    Query(q): Query<SignedQuery>,
    req: FileRequest,
) -> Response {
    let path = format!("/cdn/a/{asset_id}/{name}");
    if let Err(e) = state.check_signature(&path, &q) {
        return e.into_response();
    }
    let asset = state.db().assets.get(&asset_id).cloned();
    let Some(asset) = asset else {
        return ApiError::not_found("not_found", "asset not found").into_response();
    };
    req.serve(&state, &asset_path(&state, &asset_id), &asset.mime_type)
        .await
}

pub fn asset_path(state: &AppState, asset_id: &str) -> PathBuf {
    state.assets_dir().join(asset_id)
}

/// `GET|HEAD /cdn/blobs/blob_{size}.bin` — signed: generated content for download benchmarks.
pub async fn blob_file(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    Query(q): Query<SignedQuery>,
    req: FileRequest,
) -> Response {
    let path = format!("/cdn/blobs/{name}");
    if let Err(e) = state.check_signature(&path, &q) {
        return e.into_response();
    }
    let Some(size) = name
        .strip_prefix("blob_")
        .and_then(|n| n.strip_suffix(".bin"))
        .and_then(|n| n.parse::<u64>().ok())
    else {
        return ApiError::not_found("not_found", "no such blob").into_response();
    };
    serve_blob(&state, size, &req.headers, req.head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(range: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        h
    }

    #[test]
    fn ranges_parse() {
        assert!(matches!(
            parse_range(&headers("bytes=10-"), 100),
            RangeSpec::Partial(10, 99)
        ));
        assert!(matches!(
            parse_range(&headers("bytes=10-19"), 100),
            RangeSpec::Partial(10, 19)
        ));
        assert!(matches!(
            parse_range(&headers("bytes=-5"), 100),
            RangeSpec::Partial(95, 99)
        ));
        assert!(matches!(
            parse_range(&headers("bytes=10-500"), 100),
            RangeSpec::Partial(10, 99)
        ));
        assert!(matches!(
            parse_range(&headers("bytes=100-"), 100),
            RangeSpec::Unsatisfiable
        ));
        assert!(matches!(
            parse_range(&HeaderMap::new(), 100),
            RangeSpec::Full
        ));
    }

    #[test]
    fn signatures_verify_and_reject_tampering() {
        let s = Signer::new(b"k");
        let url = s.sign("/cdn/v/x/video.mp4", 123);
        let sig = url.rsplit("signature=").next().unwrap();
        assert!(s.verify("/cdn/v/x/video.mp4", 123, sig));
        assert!(!s.verify("/cdn/v/y/video.mp4", 123, sig));
        assert!(!s.verify("/cdn/v/x/video.mp4", 124, sig));
    }
}
