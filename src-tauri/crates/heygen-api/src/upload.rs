//! Uploading local files as assets, streamed from disk (a 1 GB file never sits in memory).
//!
//! [`Client::upload_file`] picks the simple multipart upload (≤ `simple_upload_max_bytes`) or the
//! three-step direct upload (create → PUT to the presigned URL with exactly its headers and no
//! auth → complete). The SHA-256 is computed in one streaming pass before sending.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::{self, Stream, StreamExt};
use reqwest::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use reqwest::{Body, Method};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::client::{
    idempotency_header, read_error, read_json, CallKind, Client, IDEMPOTENCY_KEY_HEADER,
};
use crate::error::ApiError;
use crate::models::{
    Asset, CompleteUploadRequest, CreateDirectUploadRequest, DataEnvelope, DirectUpload,
};
use crate::url_policy;

/// Progress callback: `(bytes sent, total bytes)`. Called from the upload task; keep it cheap.
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Upload read block size and how many blocks may wait for the socket (memory per upload:
/// their product). Blocks small enough to stay in the CPU's cache between our read and the
/// socket's copy: with 2 MiB blocks a quiet loopback upload ran at 0.85x curl's speed.
const CHUNK_BYTES: usize = 256 * 1024;
const READ_AHEAD_BLOCKS: usize = 16;

/// Options for [`Client::upload_file`] and [`Client::upload_asset`].
#[derive(Clone, Default)]
pub struct UploadOptions {
    /// Name sent to the server; defaults to the file's name.
    pub filename: Option<String>,
    /// MIME type; defaults to one detected from the bytes (or the extension).
    pub content_type: Option<String>,
    /// Sent on the creating POST (`/v3/assets` or `/v3/assets/direct-uploads`).
    pub idempotency_key: Option<String>,
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("idempotency_key", &self.idempotency_key)
            .field("progress", &self.progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// Which upload path was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadMethod {
    Simple,
    Direct,
}

/// The result of [`Client::upload_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedAsset {
    pub asset: Asset,
    pub method: UploadMethod,
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the uploaded bytes.
    pub sha256: String,
}

impl Client {
    /// Uploads a file, choosing simple or direct upload by size. Progress runs 0 → size. The
    /// SHA-256 is computed while the bytes stream out (one pass over the file).
    pub async fn upload_file(
        &self,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<UploadedAsset, ApiError> {
        self.upload_file_with_sha256(path, None, options).await
    }

    /// Like [`Client::upload_file`], for a caller that already knows the file's SHA-256 (lower-case
    /// hex, e.g. from hash-based de-duplication): it is sent with the direct-upload request so
    /// the server can check the bytes, and the file is read only once, to send it.
    pub async fn upload_file_with_sha256(
        &self,
        path: &Path,
        known_sha256: Option<&str>,
        options: &UploadOptions,
    ) -> Result<UploadedAsset, ApiError> {
        let size = file_size(path).await?;
        let known = match known_sha256 {
            Some(hex) => Some(normalize_sha256(hex)?),
            None => None,
        };
        let digest = DigestSlot::default();
        let (asset, method) = if size <= self.config().simple_upload_max_bytes {
            let asset = self
                .upload_asset_inner(path, options, Some(&digest))
                .await?;
            (asset, UploadMethod::Simple)
        } else {
            let filename = options.filename.clone().unwrap_or_else(|| file_name(path));
            let content_type = match &options.content_type {
                Some(ct) => ct.clone(),
                None => detect_content_type(path).await?,
            };
            let request = CreateDirectUploadRequest {
                filename,
                content_type,
                size_bytes: size,
                checksum_sha256: known.clone(),
            };
            let key = options.idempotency_key.as_deref();
            let mut upload = self.create_direct_upload(&request, key).await?;
            let put = self
                .put_direct_upload_inner(&upload, path, options.progress.clone(), Some(&digest))
                .await;
            if let Err(e) = put {
                if !presigned_url_expired(&e) {
                    return Err(e);
                }
                // The presigned URL expired. Asking again with the same key would replay the
                // same (expired) URL for 24 h, so the renewed request carries a key of its own.
                tracing::info!("presigned upload URL expired; asking for a fresh one");
                let fresh_key = key.map(renewed_upload_key);
                upload = self
                    .create_direct_upload(&request, fresh_key.as_deref())
                    .await?;
                self.put_direct_upload_inner(
                    &upload,
                    path,
                    options.progress.clone(),
                    Some(&digest),
                )
                .await?;
            }
            let checksum = match &known {
                Some(hex) => hex.clone(),
                None => streamed_or_fresh_digest(&digest, path).await?,
            };
            let complete = CompleteUploadRequest {
                checksum_sha256: Some(checksum),
            };
            let asset = self
                .complete_direct_upload(&upload.asset_id, &complete)
                .await?;
            (asset, UploadMethod::Direct)
        };
        let sha256 = match known {
            Some(hex) => hex,
            None => streamed_or_fresh_digest(&digest, path).await?,
        };
        Ok(UploadedAsset {
            asset,
            method,
            size_bytes: size,
            sha256,
        })
    }

    /// `POST /v3/assets` — simple multipart upload (field `file`, at most 32 MB), streamed.
    /// Retried only on 429 (it is a POST); the file is re-read for each attempt.
    pub async fn upload_asset(
        &self,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<Asset, ApiError> {
        self.upload_asset_inner(path, options, None).await
    }

    async fn upload_asset_inner(
        &self,
        path: &Path,
        options: &UploadOptions,
        digest: Option<&DigestSlot>,
    ) -> Result<Asset, ApiError> {
        let size = file_size(path).await?;
        let filename = options.filename.clone().unwrap_or_else(|| file_name(path));
        let content_type = match &options.content_type {
            Some(ct) => ct.clone(),
            None => detect_content_type(path).await?,
        };
        let idempotency = options
            .idempotency_key
            .as_deref()
            .map(idempotency_header)
            .transpose()?;
        let url = self.endpoint(&["v3", "assets"]);
        let progress = options.progress.clone();
        let make = |auth: &crate::client::AuthHeader| {
            let file = open_for_upload(path)?;
            let body =
                Body::wrap_stream(file_stream(file, size, progress.clone(), digest.cloned()));
            let part = reqwest::multipart::Part::stream_with_length(body, size)
                .file_name(filename.clone())
                .mime_str(&content_type)
                .map_err(|_| {
                    ApiError::invalid_request("invalid content type", Some("content_type"))
                })?;
            let form = reqwest::multipart::Form::new().part("file", part);
            let mut request = self
                .api_request(Method::POST, url.clone(), CallKind::Upload, auth)
                .multipart(form);
            if let Some(value) = &idempotency {
                request = request.header(IDEMPOTENCY_KEY_HEADER, value.clone());
            }
            Ok(request)
        };
        let envelope: DataEnvelope<Asset> = self
            .send_authed(false, make, |response| {
                Box::pin(read_json::<DataEnvelope<Asset>>(response))
            })
            .await?;
        Ok(envelope.data)
    }

    /// `POST /v3/assets/direct-uploads` — step 1 of a direct upload.
    pub async fn create_direct_upload(
        &self,
        request: &CreateDirectUploadRequest,
        idempotency_key: Option<&str>,
    ) -> Result<DirectUpload, ApiError> {
        self.send_data(
            Method::POST,
            &["v3", "assets", "direct-uploads"],
            Some(request),
            idempotency_key,
        )
        .await
    }

    /// Step 2: PUT the file's bytes to the presigned `upload_url` with exactly `upload_headers`
    /// (and a `Content-Length`), without any HeyGen auth header. Retried per policy (PUT is
    /// idempotent).
    pub async fn put_direct_upload(
        &self,
        upload: &DirectUpload,
        path: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<(), ApiError> {
        self.put_direct_upload_inner(upload, path, progress, None)
            .await
    }

    async fn put_direct_upload_inner(
        &self,
        upload: &DirectUpload,
        path: &Path,
        progress: Option<ProgressFn>,
        digest: Option<&DigestSlot>,
    ) -> Result<(), ApiError> {
        let url = url_policy::parse_transfer_url(&upload.upload_url, self.base_url())?;
        let size = file_size(path).await?;
        if let Some(max) = upload.max_bytes {
            if size > max {
                return Err(ApiError::invalid_request(
                    format!("the file is {size} bytes; this upload accepts at most {max}"),
                    Some("size_bytes"),
                ));
            }
        }
        let mut headers = Vec::with_capacity(upload.upload_headers.len());
        for (name, value) in &upload.upload_headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ApiError::invalid_request("the server sent an invalid upload header name", None)
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                ApiError::invalid_request("the server sent an invalid upload header value", None)
            })?;
            headers.push((name, value));
        }
        let has_length = headers.iter().any(|(name, _)| name == CONTENT_LENGTH);
        let timeout = self.timeout(CallKind::Upload);
        let make = || {
            let file = open_for_upload(path)?;
            let mut request = self
                .presigned_request(Method::PUT, url.clone())
                .timeout(timeout)
                .body(Body::wrap_stream(file_stream(
                    file,
                    size,
                    progress.clone(),
                    digest.cloned(),
                )));
            for (name, value) in &headers {
                request = request.header(name.clone(), value.clone());
            }
            // A streamed body is otherwise sent chunked; presigned stores need the length.
            if !has_length {
                request = request.header(CONTENT_LENGTH, size);
            }
            Ok(request)
        };
        self.send_with_retry(true, make, |response| {
            Box::pin(async move {
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(read_error(response).await)
                }
            })
        })
        .await
    }

    /// `POST /v3/assets/{asset_id}/complete` — step 3; the asset is usable once this succeeds.
    /// Documented as idempotent, so it is retried on 5xx/network errors too.
    pub async fn complete_direct_upload(
        &self,
        asset_id: &str,
        request: &CompleteUploadRequest,
    ) -> Result<Asset, ApiError> {
        let id = Client::id(asset_id, "asset_id")?;
        self.post_idempotent(&["v3", "assets", id, "complete"], request)
            .await
    }
}

/// A presigned PUT refused because its URL expired (S3 and its kin answer 403 or 410; a 400
/// naming the expiry is read the same way).
fn presigned_url_expired(e: &ApiError) -> bool {
    match e.http_status() {
        Some(403) | Some(410) => true,
        Some(400) => {
            let text = e.to_string().to_ascii_lowercase();
            text.contains("expired")
        }
        _ => false,
    }
}

/// The idempotency key for a renewed direct upload: the original plus when it was renewed, so
/// it never replays the expired answer (and stays within the header's 255 characters).
pub(crate) fn renewed_upload_key(key: &str) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let suffix = format!("-renew-{millis}");
    let keep = key.len().min(255 - suffix.len());
    let mut cut = keep;
    while !key.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &key[..cut])
}

/// Lower-case hex SHA-256 of a file, read in a blocking task in 1 MiB pieces.
pub async fn sha256_file(path: &Path) -> Result<String, ApiError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)
            .map_err(|e| ApiError::io(describe_path(&path, "could not open"), e))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1024 * 1024];
        loop {
            let n = file
                .read(&mut buffer)
                .map_err(|e| ApiError::io(describe_path(&path, "could not read"), e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(|_| {
        ApiError::io(
            "hashing the file was interrupted",
            std::io::Error::other("task failed"),
        )
    })?
}

/// The MIME type of a file: sniffed from its first bytes, else from its extension, else
/// `application/octet-stream`.
pub async fn detect_content_type(path: &Path) -> Result<String, ApiError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ApiError::io(describe_path(path, "could not open"), e))?;
    let mut head = vec![0u8; 8192];
    let mut filled = 0;
    while filled < head.len() {
        let n = file
            .read(&mut head[filled..])
            .await
            .map_err(|e| ApiError::io(describe_path(path, "could not read"), e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    if let Some(kind) = infer::get(&head) {
        // Report the spec's names for the types the API accepts.
        let mime = match kind.mime_type() {
            "audio/x-wav" | "audio/vnd.wave" => "audio/wav",
            other => other,
        };
        return Ok(mime.to_owned());
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let by_ext = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        "srt" => "application/x-subrip",
        _ => "application/octet-stream",
    };
    Ok(by_ext.to_owned())
}

async fn file_size(path: &Path) -> Result<u64, ApiError> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| ApiError::io(describe_path(path, "could not read"), e))?;
    if !meta.is_file() {
        return Err(ApiError::invalid_request(
            describe_path(path, "not a regular file:"),
            Some("file"),
        ));
    }
    Ok(meta.len())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload")
        .to_owned()
}

fn describe_path(path: &Path, what: &str) -> String {
    format!("{what} {}", path.display())
}

fn open_for_upload(path: &Path) -> Result<tokio::fs::File, ApiError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ApiError::io(describe_path(path, "could not open"), e))?;
    Ok(tokio::fs::File::from_std(file))
}

/// Where a streamed upload leaves the SHA-256 of what it sent (set only when the whole file
/// went out; cleared at the start of each attempt).
#[derive(Clone, Default)]
struct DigestSlot(Arc<Mutex<Option<String>>>);

impl DigestSlot {
    fn set(&self, value: Option<String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = value;
    }

    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The digest computed while streaming, or (should the last attempt not have streamed the whole
/// file) a fresh pass over it.
async fn streamed_or_fresh_digest(digest: &DigestSlot, path: &Path) -> Result<String, ApiError> {
    match digest.get() {
        Some(hex) => Ok(hex),
        None => sha256_file(path).await,
    }
}

fn normalize_sha256(hex: &str) -> Result<String, ApiError> {
    let hex = hex.trim().to_ascii_lowercase();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid_request(
            "a SHA-256 must be 64 hexadecimal characters",
            Some("checksum_sha256"),
        ));
    }
    Ok(hex)
}

/// Exactly `len` bytes of `file` in blocks, reporting progress and (optionally) hashing what
/// goes out. A file that shrinks while being sent ends the stream with an error instead of
/// sending a short body.
///
/// The file is read on one blocking thread of its own, a few large blocks ahead of the socket:
/// reading through `tokio::fs` costs a thread-pool round trip and a copy per small chunk, and on
/// a loaded machine each round trip waits for a core, which left uploads at 0.7x curl.
fn file_stream(
    file: tokio::fs::File,
    len: u64,
    progress: Option<ProgressFn>,
    digest: Option<DigestSlot>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    if let Some(progress) = &progress {
        progress(0, len);
    }
    if let Some(slot) = &digest {
        slot.set(None);
    }
    let hash = digest.is_some();
    // Started on first poll, so a body that is never sent reads nothing.
    let blocks = stream::once(async move {
        let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD_BLOCKS);
        match file.try_into_std() {
            Ok(file) => {
                tokio::task::spawn_blocking(move || read_blocks(file, len, hash, &tx));
            }
            Err(_) => {
                let _ = tx
                    .send(Err(std::io::Error::other(
                        "the upload file is busy with another operation",
                    )))
                    .await;
            }
        }
        stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) })
    })
    .flatten();
    let mut sent = 0u64;
    blocks.map(move |block| {
        let block = block?;
        sent += block.bytes.len() as u64;
        // Published with the last block only: a partial send leaves no digest.
        if let (Some(hex), Some(slot)) = (block.digest, &digest) {
            slot.set(Some(hex));
        }
        if let Some(progress) = &progress {
            progress(sent, len);
        }
        Ok(block.bytes)
    })
}

/// One block read ahead of the socket; the last one carries the file's SHA-256 when asked for.
struct Block {
    bytes: Bytes,
    digest: Option<String>,
}

/// Reads `len` bytes in `CHUNK_BYTES` blocks into `tx` until done, an error, or the receiver
/// going away (the request ended).
fn read_blocks(
    mut file: std::fs::File,
    len: u64,
    hash: bool,
    tx: &tokio::sync::mpsc::Sender<std::io::Result<Block>>,
) {
    let mut hasher = hash.then(Sha256::new);
    let mut left = len;
    while left > 0 {
        let want = left.min(CHUNK_BYTES as u64) as usize;
        let mut buffer = Vec::with_capacity(want);
        // read_to_end fills spare capacity without zeroing it first.
        let read = (&mut file).take(want as u64).read_to_end(&mut buffer);
        let block = match read {
            Ok(n) if n < want => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file became shorter while it was being uploaded",
            )),
            Ok(_) => {
                left -= want as u64;
                if let Some(h) = hasher.as_mut() {
                    h.update(&buffer);
                }
                let digest = if left == 0 {
                    hasher.take().map(|h| hex::encode(h.finalize()))
                } else {
                    None
                };
                Ok(Block {
                    bytes: Bytes::from(buffer),
                    digest,
                })
            }
            Err(e) => Err(e),
        };
        let failed = block.is_err();
        if tx.blocking_send(block).is_err() || failed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::Mutex;

    #[tokio::test]
    async fn file_stream_reports_progress_and_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..(CHUNK_BYTES * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&path, &data).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let progress: ProgressFn =
            Arc::new(move |sent, total| sink.lock().unwrap().push((sent, total)));
        let file = open_for_upload(&path).unwrap();
        let chunks: Vec<Bytes> = file_stream(file, data.len() as u64, Some(progress), None)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(chunks.concat(), data);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.first(), Some(&(0, data.len() as u64)));
        assert_eq!(seen.last(), Some(&(data.len() as u64, data.len() as u64)));
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[tokio::test]
    async fn file_stream_hashes_what_it_sends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.bin");
        let data: Vec<u8> = (0..(CHUNK_BYTES * 3 + 5)).map(|i| (i % 13) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let slot = DigestSlot::default();
        slot.set(Some("stale".into()));
        let file = open_for_upload(&path).unwrap();
        let stream = file_stream(file, data.len() as u64, None, Some(slot.clone()));
        assert_eq!(slot.get(), None, "a new attempt clears the previous digest");
        let chunks: Vec<Bytes> = stream.try_collect().await.unwrap();
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_BYTES));
        assert_eq!(slot.get().unwrap(), sha256_file(&path).await.unwrap());
        // A partial send leaves no digest.
        let file = open_for_upload(&path).unwrap();
        let mut partial = std::pin::pin!(file_stream(
            file,
            data.len() as u64,
            None,
            Some(slot.clone())
        ));
        let _ = futures::StreamExt::next(&mut partial).await;
        assert_eq!(slot.get(), None);
        assert!(normalize_sha256("ABC").is_err());
        assert_eq!(normalize_sha256(&"AB".repeat(32)).unwrap(), "ab".repeat(32));
    }

    #[tokio::test]
    async fn file_stream_fails_when_file_is_shorter_than_declared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.bin");
        std::fs::write(&path, b"abc").unwrap();
        let file = open_for_upload(&path).unwrap();
        let result: Result<Vec<Bytes>, _> = file_stream(file, 10, None, None).try_collect().await;
        assert_eq!(
            result.unwrap_err().kind(),
            std::io::ErrorKind::UnexpectedEof
        );
    }

    #[tokio::test]
    async fn sha256_and_content_type() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).await.unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let png = dir.path().join("pic.bin");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        assert_eq!(detect_content_type(&png).await.unwrap(), "image/png");
        let srt = dir.path().join("subs.srt");
        std::fs::write(&srt, b"1\n00:00:00,000 --> 00:00:01,000\nHi\n").unwrap();
        assert_eq!(
            detect_content_type(&srt).await.unwrap(),
            "application/x-subrip"
        );
        assert_eq!(
            sha256_file(&dir.path().join("missing"))
                .await
                .unwrap_err()
                .code(),
            "io_error"
        );
    }
}
