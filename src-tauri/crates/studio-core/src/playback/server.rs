//! The loopback HTTP server behind playback URLs: `GET /<secret>/<job id>/<kind>` (and HEAD,
//! which axum answers from the GET handler without the body).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand::RngCore;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::range::{parse_range, RangeError};
use super::MediaKind;

/// Finds a job's file of a kind (None when the job or that file does not exist). The app's
/// resolver reads the store; nothing the web view sends is ever used as a path.
pub type Resolver = Arc<dyn Fn(&str, MediaKind) -> Option<PathBuf> + Send + Sync>;

/// A bound (not yet serving) playback server. Binding comes first so the app can put the exact
/// origin in its Content-Security-Policy before the window exists.
pub struct PlaybackServer {
    listener: TcpListener,
    addr: SocketAddr,
    secret: Arc<str>,
}

impl PlaybackServer {
    /// Binds a free port on 127.0.0.1 and makes this launch's secret.
    pub fn bind() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        Ok(Self {
            listener,
            addr,
            secret: hex::encode(raw).into(),
        })
    }

    /// `http://127.0.0.1:<port>`: what the CSP's `media-src` allows.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes playback URLs for a job's files; cheap to clone, usable before `serve`.
    pub fn urls(&self) -> PlaybackUrls {
        PlaybackUrls {
            origin: self.origin().into(),
            secret: self.secret.clone(),
        }
    }

    /// Serves until the runtime stops. Must be called inside a Tokio runtime.
    pub async fn serve(self, resolver: Resolver) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        let state = Served {
            resolver,
            secret: self.secret,
            host: self.addr.to_string().into(),
        };
        let app = Router::new()
            .route("/{secret}/{job}/{kind}", get(media))
            .with_state(state);
        axum::serve(listener, app).await
    }
}

/// Builds the URL the web view plays for a job's file.
#[derive(Clone)]
pub struct PlaybackUrls {
    origin: Arc<str>,
    secret: Arc<str>,
}

impl PlaybackUrls {
    pub fn url(&self, job_id: &str, kind: MediaKind) -> String {
        // Job ids are our own UUIDs; anything else would not resolve anyway.
        let job: String = job_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        format!("{}/{}/{}/{}", self.origin, self.secret, job, kind.as_str())
    }
}

#[derive(Clone)]
struct Served {
    resolver: Resolver,
    secret: Arc<str>,
    host: Arc<str>,
}

async fn media(
    State(served): State<Served>,
    Path((secret, job, kind)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    // A page elsewhere cannot reach us through DNS rebinding: only our own host name is served.
    let host_ok = headers
        .get(header::HOST)
        .is_some_and(|h| h.as_bytes() == served.host.as_bytes());
    if !host_ok || !same_secret(&secret, &served.secret) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(kind) = MediaKind::parse(&kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let resolver = served.resolver.clone();
    let path = match tokio::task::spawn_blocking(move || resolver(&job, kind)).await {
        Ok(Some(path)) => path,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let answer = match stream_file(path, range).await {
        Ok(response) => response,
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    };
    if trace() {
        eprintln!(
            "playback: {} range {:?} -> {} {:?}",
            kind.as_str(),
            range,
            answer.status().as_u16(),
            answer.headers().get(header::CONTENT_RANGE)
        );
    }
    answer
}

/// The file, or the asked part of it, streamed from disk in 64 KiB reads (never read whole into
/// memory). An open-ended `bytes=N-` gets the whole rest: WebKit's media source takes the end
/// of an answer for the end of the file (a capped 206 left a seek hanging), and bounds its own
/// queue by cancelling the request and asking again from where it stopped.
async fn stream_file(path: PathBuf, range: Option<&str>) -> std::io::Result<Response> {
    let mut file = tokio::fs::File::open(&path).await?;
    let size = file.metadata().await?.len();
    let mime = if path.extension().is_some_and(|e| e == "webm") {
        "video/webm"
    } else {
        "video/mp4"
    };
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    let (status, start, len) = match range.map(|r| parse_range(r, size)) {
        None | Some(Err(RangeError::Ignored)) => (StatusCode::OK, 0, size),
        Some(Err(RangeError::Unsatisfiable)) => {
            return Ok(builder
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{size}"))
                .body(Body::empty())
                .unwrap_or_default());
        }
        Some(Ok(r)) => {
            builder = builder.header(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start, r.end))
                    .expect("digits and punctuation are a valid header"),
            );
            (StatusCode::PARTIAL_CONTENT, r.start, r.len())
        }
    };
    file.seek(std::io::SeekFrom::Start(start)).await?;
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(len), 64 * 1024));
    Ok(builder
        .status(status)
        .header(header::CONTENT_LENGTH, len)
        .body(body)
        .unwrap_or_default())
}

/// `VAS_PLAYBACK_TRACE=1` prints each answered request (which file, range asked, answer) to
/// stderr: how the player's reading pattern was found (and how to check it on another WebKit).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("VAS_PLAYBACK_TRACE").is_some_and(|v| v == "1"))
}

/// Compares secrets in time independent of where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
