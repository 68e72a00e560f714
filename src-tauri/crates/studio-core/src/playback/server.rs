//! The loopback HTTP server behind the player's pictures: `GET /<secret>/frames/<player id>`
//! answers `multipart/x-mixed-replace`, one JPEG part per frame as the player shows it, for as
//! long as the player is open. WebKit draws each part in the `<img>` in place of the one before.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::StreamExt;
use rand::RngCore;
use tokio::sync::watch;

use super::players::Players;

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

    /// `http://127.0.0.1:<port>`: what the CSP's `img-src` allows.
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
    pub async fn serve(self, players: Arc<Players>) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        let state = Served {
            players,
            secret: self.secret,
            host: self.addr.to_string().into(),
        };
        let app = Router::new()
            .route("/{secret}/frames/{player}", get(frames))
            .with_state(state);
        axum::serve(listener, app).await
    }
}

/// Builds the URL of a player's frames.
#[derive(Clone)]
pub struct PlaybackUrls {
    origin: Arc<str>,
    secret: Arc<str>,
}

impl PlaybackUrls {
    pub fn frames(&self, player_id: &str) -> String {
        // Player ids are our own hex; anything else would not be found anyway.
        let id: String = player_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("{}/{}/frames/{}", self.origin, self.secret, id)
    }
}

#[derive(Clone)]
struct Served {
    players: Arc<Players>,
    secret: Arc<str>,
    host: Arc<str>,
}

async fn frames(
    State(served): State<Served>,
    Path((secret, player)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    // A page elsewhere cannot reach us through DNS rebinding: only our own host name is served.
    let host_ok = headers
        .get(header::HOST)
        .is_some_and(|h| h.as_bytes() == served.host.as_bytes());
    if !host_ok || !same_secret(&secret, &served.secret) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some((frames, watched)) = served.players.feed(&player) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if trace() {
        eprintln!("playback: frames of player {player} requested");
    }
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            format!("multipart/x-mixed-replace; boundary={BOUNDARY}"),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(Body::from_stream(answer(player, frames, watched)))
        .unwrap_or_default()
}

/// The parts' boundary.
const BOUNDARY: &str = "vas-frame";

/// What opens every part: the boundary and the part's headers. WebKit draws a part only when the
/// next part's headers have arrived (a part followed by the boundary alone stays undrawn — a
/// lone paused frame never showed, and a playing video lagged a frame), so each frame is followed
/// at once by the next part's opening. The parts carry no Content-Length for that reason: the
/// next frame's size is not known yet; a part ends where the boundary after it begins.
fn part_opening() -> String {
    format!("--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n\r\n")
}

/// How recently the page must have said it keeps up with the frames
/// ([`crate::playback::PlayerControl::Watching`], sent every 250 ms while it does) for more to
/// be sent.
const WATCHED_WITHIN: Duration = Duration::from_secs(1);

/// A frame and the next part's opening: two chunks, so the frame is written from the encoder's
/// buffer without a copy.
type Chunks = [Result<Bytes, std::convert::Infallible>; 2];

/// The whole answer: the first part's opening, then the frames.
fn answer(
    player: String,
    frames: watch::Receiver<Option<Bytes>>,
    watched: watch::Receiver<Instant>,
) -> impl futures::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    let opening = Bytes::from(part_opening());
    let parts = traced(player, frame_parts(frames, watched)).flat_map(futures::stream::iter);
    futures::stream::once(async { Ok(opening) }).chain(parts)
}

/// The stream of frames: the newest frame each time it changes, each followed by the next part's
/// opening. A reader that falls behind gets the newest frame when it is ready again, never a
/// queue of old ones. A page that stops saying it keeps up gets nothing until it says so again:
/// WebKit's network process reads this answer as fast as it comes whatever the page does, so
/// without that a stalled page piled up frames in WebKit's processes. Ends when the player
/// closes.
fn frame_parts(
    frames: watch::Receiver<Option<Bytes>>,
    watched: watch::Receiver<Instant>,
) -> impl futures::Stream<Item = Chunks> {
    let tail = Bytes::from(format!("\r\n{}", part_opening()));
    let start = (frames, watched, true);
    futures::stream::unfold(start, move |(mut frames, mut watched, first)| {
        let tail = tail.clone();
        async move {
            // The frame already there is sent at once (a paused player's picture).
            let has_frame = first && frames.borrow_and_update().is_some();
            if !has_frame {
                loop {
                    frames.changed().await.ok()?;
                    if frames.borrow_and_update().is_some() {
                        break;
                    }
                }
            }
            while watched.borrow_and_update().elapsed() > WATCHED_WITHIN {
                watched.changed().await.ok()?;
            }
            // Marked seen as it is sent: a frame that came while the page was silent is not sent
            // a second time after this one.
            let jpeg = frames.borrow_and_update().clone()?;
            Some(([Ok(jpeg), Ok(tail)], (frames, watched, false)))
        }
    })
}

/// With tracing on, says when a frames answer ends (its player closed, or the page let go) and
/// how many frames it sent (every item is one frame).
fn traced<S: futures::Stream>(player: String, parts: S) -> impl futures::Stream<Item = S::Item> {
    struct Ended(String, usize);
    impl Ended {
        fn sent(&mut self) {
            self.1 += 1;
        }
    }
    impl Drop for Ended {
        fn drop(&mut self) {
            if trace() {
                eprintln!(
                    "playback: frames of player {} ended after {} frames",
                    self.0, self.1
                );
            }
        }
    }
    let mut ended = Ended(player, 0);
    parts.map(move |item| {
        ended.sent();
        item
    })
}

/// `VAS_PLAYBACK_TRACE=1` prints to stderr when a page asks for a player's frames and when
/// that answer ends, with how many frames it sent.
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
