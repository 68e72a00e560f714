//! One resumable download: bytes go to `<dest>.part` with a sidecar `<dest>.part.json` naming the
//! source (URL without its signature) and the expected size. A later attempt — after a reset, a
//! crash or a kill — continues with `Range` when the sidecar still matches, insists on `206` (a
//! `200` means start over), refreshes an expired link through a callback, checks the size,
//! fsyncs and renames atomically — over `dest`, or to a free name that nothing is overwriting
//! (`place`).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use heygen_api::{ApiError, Client};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::part_writer::{Ending, PartWriter};
use super::place;
use crate::error::{CoreError, Result};

/// Attempts (connections opened) per file before giving up for now.
const MAX_ATTEMPTS: u32 = 8;
/// Link refreshes per file before giving up for now.
const MAX_REFRESHES: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Sidecar {
    /// Scheme, host and path of the source (the query holds the signature: not stored).
    source: String,
    expected_size: Option<u64>,
}

fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

fn sidecar_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part.json");
    PathBuf::from(s)
}

/// The URL without query and fragment: identifies the file across re-signed links.
fn source_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or("").to_string(),
    }
}

fn read_sidecar(dest: &Path) -> Option<Sidecar> {
    let raw = std::fs::read(sidecar_path(dest)).ok()?;
    serde_json::from_slice(&raw).ok()
}

async fn write_sidecar(dest: &Path, s: &Sidecar) -> Result<()> {
    let path = sidecar_path(dest);
    let json = serde_json::to_vec(s).expect("sidecar serializes");
    tokio::fs::write(&path, json)
        .await
        .map_err(|e| CoreError::io(&path, e))
}

/// What a finished download looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetched {
    pub size: u64,
    /// Bytes that came over the network in this call (less than `size` after a resume).
    pub transferred: u64,
}

/// Capped exponential backoff between attempts.
fn backoff(attempt: u32, unit: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(6));
    (unit * factor).min(unit * 30)
}

/// Download `url` to `dest` (replacing a file of that name). `refresh` returns a freshly signed
/// URL for the same file (re-reads the video); `progress(received, total)` is throttled;
/// `backoff_unit` sets the retry clock.
pub async fn fetch_to_file<R, Fut>(
    client: &Client,
    url: String,
    dest: &Path,
    refresh: R,
    cancel: &CancellationToken,
    progress: &(dyn Fn(u64, Option<u64>) + Send + Sync),
    backoff_unit: Duration,
) -> Result<Fetched>
where
    R: FnMut() -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let (fetched, _) = fetch(
        client,
        url,
        dest,
        None,
        refresh,
        cancel,
        progress,
        backoff_unit,
    )
    .await?;
    Ok(fetched)
}

/// Like [`fetch_to_file`], but the finished file goes to the first free name of `preferred`'s
/// series (`name.mp4`, `name (2).mp4`, …, see `place`), never over another file; `work` names
/// the `.part` file (it must be this download's own: resuming finds it there). Returns where
/// the file went.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_to_unique_file<R, Fut>(
    client: &Client,
    url: String,
    work: &Path,
    preferred: &Path,
    refresh: R,
    cancel: &CancellationToken,
    progress: &(dyn Fn(u64, Option<u64>) + Send + Sync),
    backoff_unit: Duration,
) -> Result<(Fetched, PathBuf)>
where
    R: FnMut() -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let part = part_path(work);
    if place::already_placed(&part, preferred).is_some() {
        // An earlier attempt claimed the name and stopped before tidying up: finish that.
        let placed = finish_placement(&part, work, preferred)?;
        let size = std::fs::metadata(&placed)
            .map_err(|e| CoreError::io(&placed, e))?
            .len();
        return Ok((
            Fetched {
                size,
                transferred: 0,
            },
            placed,
        ));
    }
    fetch(
        client,
        url,
        work,
        Some(preferred),
        refresh,
        cancel,
        progress,
        backoff_unit,
    )
    .await
}

/// Moves the finished part to a free name of `preferred`'s series and drops the sidecar.
fn finish_placement(part: &Path, work: &Path, preferred: &Path) -> Result<PathBuf> {
    let placed = place::place_unique(part, preferred).map_err(|e| CoreError::io(preferred, e))?;
    let _ = std::fs::remove_file(sidecar_path(work));
    Ok(placed)
}

#[allow(clippy::too_many_arguments)]
async fn fetch<R, Fut>(
    client: &Client,
    url: String,
    dest: &Path,
    preferred: Option<&Path>,
    mut refresh: R,
    cancel: &CancellationToken,
    progress: &(dyn Fn(u64, Option<u64>) + Send + Sync),
    backoff_unit: Duration,
) -> Result<(Fetched, PathBuf)>
where
    R: FnMut() -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let part = part_path(dest);
    let mut url = url;
    let mut transferred = 0u64;
    let mut refreshes = 0u32;
    let mut last_error: Option<CoreError> = None;
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            tokio::select! {
                _ = tokio::time::sleep(backoff(attempt - 1, backoff_unit)) => {}
                _ = cancel.cancelled() => return Err(CoreError::Cancelled),
            }
        }
        let source = source_of(&url);
        // What we have on disk, if it is a prefix of this same file.
        let mut have = match (read_sidecar(dest), std::fs::metadata(&part)) {
            (Some(side), Ok(meta)) if side.source == source => meta.len(),
            _ => 0,
        };
        let opened = tokio::select! {
            r = client.download(&url, have) => r,
            _ = cancel.cancelled() => return Err(CoreError::Cancelled),
        };
        let mut stream = match opened {
            Ok(s) => s,
            Err(ApiError::LinkExpired { .. }) if refreshes < MAX_REFRESHES => {
                refreshes += 1;
                tracing::info!(dest = %dest.display(), "download link expired; fetching a fresh one");
                url = refresh().await?;
                continue;
            }
            Err(e) if e.is_retryable() => {
                last_error = Some(e.into());
                continue;
            }
            Err(ApiError::Api(f)) if f.status == 416 => {
                // Our part is not a prefix the server recognises: start over.
                let _ = tokio::fs::remove_file(&part).await;
                continue;
            }
            Err(e) if e.http_status() == Some(416) => {
                let _ = tokio::fs::remove_file(&part).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if have > 0 && !(stream.partial() && stream.start == have) {
            // 200 (the whole file) or a range we did not ask for: start over from byte 0.
            tracing::info!(dest = %dest.display(), status = stream.status, "server did not resume; starting over");
            if stream.start != 0 {
                let _ = tokio::fs::remove_file(&part).await;
                continue;
            }
            have = 0;
        }
        let expected = stream.total_size;
        let previous = read_sidecar(dest);
        if have > 0 && previous.as_ref().and_then(|p| p.expected_size) != expected {
            // The file changed on the server since we began: start over.
            let _ = tokio::fs::remove_file(&part).await;
            continue;
        }
        write_sidecar(
            dest,
            &Sidecar {
                source: source.clone(),
                expected_size: expected,
            },
        )
        .await?;
        let file = if have == 0 {
            std::fs::File::create(&part)
        } else {
            std::fs::OpenOptions::new().append(true).open(&part)
        }
        .map_err(|e| CoreError::io(&part, e))?;
        let mut writer = PartWriter::start(file, have);
        let mut received = have;
        let mut last_emit = Instant::now() - Duration::from_secs(1);
        progress(received, expected);
        let mut broke: Option<CoreError> = None;
        loop {
            let chunk = tokio::select! {
                c = stream.next_chunk() => c,
                _ = cancel.cancelled() => {
                    let _ = writer.finish(Ending::Cancelled).await;
                    return Err(CoreError::Cancelled);
                }
            };
            match chunk {
                None => break,
                Some(Ok(bytes)) => {
                    let len = bytes.len() as u64;
                    writer
                        .write(bytes)
                        .await
                        .map_err(|e| CoreError::io(&part, e))?;
                    received += len;
                    transferred += len;
                    if last_emit.elapsed() >= Duration::from_millis(150) {
                        last_emit = Instant::now();
                        progress(received, expected);
                    }
                }
                Some(Err(e)) => {
                    broke = Some(e.into());
                    break;
                }
            }
        }
        // Durable either way: a finished file is renamed into place, a broken one resumed.
        writer
            .finish(Ending::Durable)
            .await
            .map_err(|e| CoreError::io(&part, e))?;
        if let Some(e) = broke {
            tracing::info!(dest = %dest.display(), received, "download interrupted; will resume");
            last_error = Some(e);
            continue;
        }
        match expected {
            Some(total) if received < total => {
                last_error = Some(CoreError::Download(format!(
                    "got {received} of {total} bytes"
                )));
                continue;
            }
            Some(total) if received > total => {
                let _ = tokio::fs::remove_file(&part).await;
                last_error = Some(CoreError::Download(format!(
                    "got {received} bytes, more than the announced {total}"
                )));
                continue;
            }
            _ => {}
        }
        progress(received, Some(received));
        let placed = match preferred {
            None => {
                tokio::fs::rename(&part, dest)
                    .await
                    .map_err(|e| CoreError::io(dest, e))?;
                let _ = tokio::fs::remove_file(sidecar_path(dest)).await;
                dest.to_path_buf()
            }
            Some(preferred) => finish_placement(&part, dest, preferred)?,
        };
        if let Some(dir) = placed.parent() {
            // Make the rename itself durable.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        return Ok((
            Fetched {
                size: received,
                transferred,
            },
            placed,
        ));
    }
    Err(last_error.unwrap_or_else(|| CoreError::Download("too many attempts".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_drops_the_signature() {
        assert_eq!(
            source_of("http://127.0.0.1:1/cdn/v.mp4?sig=abc&exp=1#x"),
            "http://127.0.0.1:1/cdn/v.mp4"
        );
    }

    #[test]
    fn backoff_is_capped() {
        let u = Duration::from_millis(100);
        assert_eq!(backoff(0, u), u);
        assert_eq!(backoff(3, u), u * 8);
        assert_eq!(backoff(20, u), u * 30);
    }
}
