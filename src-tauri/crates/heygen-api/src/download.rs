//! The download primitive for presigned CDN URLs (videos, thumbnails, subtitles).
//!
//! No auth header is ever sent to a CDN URL. Only `https` URLs are fetched, except `http` to the
//! configured local agent (loopback, same port as the base URL). A 403/404/410 means the link expired
//! ([`ApiError::LinkExpired`]): re-read the video for a freshly signed URL.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use reqwest::{Method, Response};

use crate::client::{map_reqwest_error, read_error, Client};
use crate::error::ApiError;
use crate::response::request_id;
use crate::url_policy;

/// An open download: response facts plus the body as a stream of chunks.
///
/// When `range_start > 0` was asked for, check [`DownloadStream::partial`]: a server that ignores
/// `Range` answers 200 with the whole file (then `start` is 0 and the caller must start over).
pub struct DownloadStream {
    /// 200 or 206.
    pub status: u16,
    /// The offset of the first byte of this body in the whole file.
    pub start: u64,
    /// Bytes in this response's body, when the server said.
    pub content_length: Option<u64>,
    /// Size of the whole file: the `Content-Range` total on 206, the length on 200.
    pub total_size: Option<u64>,
    pub content_type: Option<String>,
    body: BoxStream<'static, Result<Bytes, ApiError>>,
}

impl DownloadStream {
    /// True for a 206 Partial Content answer.
    pub fn partial(&self) -> bool {
        self.status == 206
    }

    /// The next chunk, `None` at the end. An error mid-body (connection reset, idle timeout) is a
    /// `network_error`/`timeout`: resume with a new `download` from the bytes received so far.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        self.body.next().await
    }
}

impl Stream for DownloadStream {
    type Item = Result<Bytes, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for DownloadStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadStream")
            .field("status", &self.status)
            .field("start", &self.start)
            .field("content_length", &self.content_length)
            .field("total_size", &self.total_size)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts downloading `url` from byte `range_start` (0 = the whole file; otherwise a
    /// `Range: bytes=N-` request). The initial request is retried per policy (429, 5xx, network);
    /// the body is not — resume with a new call.
    pub async fn download(&self, url: &str, range_start: u64) -> Result<DownloadStream, ApiError> {
        let url = url_policy::parse_transfer_url(url, self.base_url())?;
        let make = || {
            let mut request = self.transfer_request(Method::GET, url.clone());
            if range_start > 0 {
                request = request.header(RANGE, format!("bytes={range_start}-"));
            }
            Ok(request)
        };
        self.send_with_retry(true, make, |response| Box::pin(open_download(response)))
            .await
    }
}

async fn open_download(response: Response) -> Result<DownloadStream, ApiError> {
    let status = response.status().as_u16();
    let headers = response.headers();
    match status {
        200 | 206 => {}
        403 | 404 | 410 => {
            return Err(ApiError::LinkExpired {
                status,
                request_id: request_id(headers),
            });
        }
        _ => return Err(read_error(response).await),
    }
    let header_u64 = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .and_then(|v: &str| v.trim().parse::<u64>().ok())
    };
    let content_length = header_u64(CONTENT_LENGTH).or(response.content_length());
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (start, total_size) = if status == 206 {
        let range = headers
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range)
            .ok_or_else(|| ApiError::Decode {
                status,
                reason: "a partial answer without a valid Content-Range header".into(),
                truncated: false,
                request_id: request_id(headers),
            })?;
        (range.start, range.total)
    } else {
        (0, content_length)
    };
    let body = response
        .bytes_stream()
        .map_err(|e| map_reqwest_error(e, None))
        .boxed();
    Ok(DownloadStream {
        status,
        start,
        content_length,
        total_size,
        content_type,
        body,
    })
}

/// A parsed `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub start: u64,
    pub end: u64,
    pub total: Option<u64>,
}

/// Parses `bytes 100-199/1000` or `bytes 100-199/*`.
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.trim().split_once('-')?;
    let start = start.trim().parse::<u64>().ok()?;
    let end = end.trim().parse::<u64>().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => {
            let total = t.parse::<u64>().ok()?;
            if end >= total {
                return None;
            }
            Some(total)
        }
    };
    Some(ContentRange { start, end, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some(ContentRange {
                start: 100,
                end: 199,
                total: Some(1000)
            })
        );
        assert_eq!(
            parse_content_range("bytes 0-0/*"),
            Some(ContentRange {
                start: 0,
                end: 0,
                total: None
            })
        );
        assert_eq!(parse_content_range("bytes 5-4/10"), None);
        assert_eq!(parse_content_range("bytes 0-10/10"), None);
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range(""), None);
    }
}
