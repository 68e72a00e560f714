//! The app's video player: GStreamer in our own process decodes a library file and hands over
//! each frame, when it is due, as pixels scaled to the size it is shown at ([`VideoFrame`]);
//! the app's window paints them itself (the desktop shell's `player_view`).
//!
//! Why not `<video>`: WebKitGTK's media source reads ahead through WebKit's network process with
//! no back-pressure, and a 1 GB video grew WebKit's processes by 320–400 MB (issue 15). Here
//! `playbin` reads the file itself in pull mode — only what it decodes. Why not frames in the
//! page (an `<img>` fed JPEGs): WebKit decoded each into a new bitmap and its allocator held
//! them for a while, 15 MB at the peak. Sound plays through GStreamer's audio sink; the page
//! draws the controls from [`PlayerState`].

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// How often the position is reported while playing (the page interpolates between reports).
const POSITION_EVERY: Duration = Duration::from_millis(250);
/// How far before the end a seek to the end lands, so that it shows the last frame.
const LAST_FRAME_LEAD: f64 = 0.001;
/// How often, while a player is open, the C heap's free pages go back to the system (see
/// [`release_freed_memory`]).
const TRIM_EVERY: Duration = Duration::from_secs(2);
/// Compressed data decodebin may queue ahead of each decoder. Its own limit is 8 MiB a stream,
/// and its queue raises its buffer count whenever the other stream's queue runs dry, so a
/// 73 Mbit/s video kept 8.6 MB queued (GST_DEBUG=multiqueue:5); 6 MB less at the peak with
/// 2 MiB, 0.9 MB less again with 1 MiB (`examples/player_memory.rs`). The file is read in pull
/// mode, by time across streams, so nothing needs more: 1 MiB is 1 s of a 1080p video at
/// 8 Mbit/s, and a queue that runs dry lets the other one go past its limit.
const QUEUE_BYTES: u32 = 1024 * 1024;
/// Blocks at least this large are mapped on their own and unmapped when freed (see
/// [`keep_large_blocks_out_of_arenas`]). Above the app's 256 KiB upload blocks, which keep
/// reusing their arena; below a 360p frame (338 KiB), so every decoded frame is covered.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING_FROM: i32 = 288 * 1024;
/// How late a frame may be and still be shown; a later one is dropped, as video sinks do. With
/// no limit (appsink's default) a pipeline that fell behind — a stalled machine, the decoding
/// after a seek — sent every late frame at once as it caught up, a burst that WebKit's network
/// and web processes queued (+40 MB each in a bench run).
const MAX_LATENESS: Duration = Duration::from_millis(20);
/// The frames' pixel format: 32 bits a pixel, the unused byte first in the machine's word, which
/// is cairo's `RGB24` — the window paints them as they come.
#[cfg(target_endian = "little")]
const PIXEL_FORMAT: &str = "BGRx";
#[cfg(target_endian = "big")]
const PIXEL_FORMAT: &str = "xRGB";
/// The largest frame size a page may ask for (4K); the smallest.
const MAX_SIDE: u32 = 3840;
const MIN_SIDE: u32 = 16;

/// What the page shows about a player. Sent whole on every change.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PlayerState {
    /// The first frame is decoded and shown (the video can be sought and played).
    pub ready: bool,
    pub playing: bool,
    /// Playback reached the end (Play starts again from the beginning).
    pub ended: bool,
    /// Seconds from the start.
    pub position: f64,
    /// Seconds; None until known.
    pub duration: Option<f64>,
    /// The frames' size as decoded and scaled, 0 until the first frame.
    pub width: u32,
    pub height: u32,
    pub volume: f64,
    pub muted: bool,
    /// Why the video cannot play, in words for the user.
    pub error: Option<String>,
}

/// What the page can ask a player to do.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PlayerControl {
    Play,
    Pause,
    /// Seconds from the start (clamped to the video).
    Seek {
        seconds: f64,
    },
    /// 0.0–1.0.
    Volume {
        level: f64,
    },
    Mute {
        muted: bool,
    },
}

/// One decoded frame: `height` rows of `stride` bytes, each pixel 32 bits in cairo's `RGB24`
/// layout (the unused byte first in the machine's word). Cloning shares the pixels.
#[derive(Debug, Clone)]
pub struct VideoFrame {
    pub width: u32,
    pub height: u32,
    pub stride: u32,
    pub pixels: Bytes,
}

impl VideoFrame {
    /// The frame in a sample, when its size is known and its pixels are all there.
    fn from_sample(sample: gst::Sample) -> Option<Self> {
        let (width, height) = frame_size(&sample)?;
        let stride = width.checked_mul(4)?;
        let buffer = sample.buffer_owned()?;
        // The decoder's own buffer, not a copy.
        let pixels = Bytes::from_owner(buffer.into_mapped_buffer_readable().ok()?);
        let frame = VideoFrame {
            width,
            height,
            stride,
            pixels,
        };
        frame.is_whole().then_some(frame)
    }

    /// Whether the pixels cover every row (the painter reads exactly this much).
    pub fn is_whole(&self) -> bool {
        let needed = self.stride as usize * self.height as usize;
        self.width > 0 && self.stride >= self.width * 4 && self.pixels.len() >= needed
    }
}

/// The frame size the page shows the video at (device pixels); frames are never scaled up.
#[derive(Debug, Clone, Copy)]
pub struct FrameBox {
    pub width: u32,
    pub height: u32,
}

impl FrameBox {
    fn clamped(self) -> Self {
        let side = |v: u32| v.clamp(MIN_SIDE, MAX_SIDE);
        Self {
            width: side(self.width),
            height: side(self.height),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error("GStreamer lacks an element the player needs ({0}); install gstreamer1.0-plugins-base and gstreamer1.0-plugins-good")]
    MissingElement(String),
    #[error("the player could not start: {0}")]
    Pipeline(String),
}

/// One open player. Dropping it stops playback and frees the pipeline.
pub struct Player {
    playbin: gst::Element,
    state: watch::Sender<PlayerState>,
    frames: watch::Sender<Option<VideoFrame>>,
    /// A seek asked for before the first frame, applied once the pipeline can seek.
    pending_seek: Arc<Mutex<Option<f64>>>,
    stopped: Arc<AtomicBool>,
}

impl Player {
    /// Opens `file` and starts playing it (or only shows the first frame, `autoplay` false).
    pub fn open(file: &Path, frame: FrameBox, autoplay: bool) -> Result<Self, PlayerError> {
        init()?;
        let uri = gst::glib::filename_to_uri(file, None)
            .map_err(|e| PlayerError::Pipeline(e.to_string()))?;
        let playbin = make("playbin")?;
        playbin.set_property("uri", uri.as_str());
        let (sink, appsink) = frame_sink(frame.clamped())?;
        playbin.set_property("video-sink", &sink);
        // Captions are drawn by the page from the SRT; no subtitle stream is rendered here.
        playbin.set_property_from_str("flags", "video+audio+soft-volume");
        tune_decoding(&playbin);

        let (state, _) = watch::channel(PlayerState {
            volume: 1.0,
            ..Default::default()
        });
        let (frames, _) = watch::channel(None);
        let player = Player {
            playbin,
            state,
            frames,
            pending_seek: Arc::default(),
            stopped: Arc::default(),
        };
        player.deliver_frames(&appsink);
        player.watch_bus();
        let target = if autoplay {
            gst::State::Playing
        } else {
            gst::State::Paused
        };
        player
            .playbin
            .set_state(target)
            .map_err(|e| PlayerError::Pipeline(e.to_string()))?;
        Ok(player)
    }

    /// The state as it changes (the current value first).
    pub fn state(&self) -> watch::Receiver<PlayerState> {
        self.state.subscribe()
    }

    /// The newest frame as it changes (None before the first). Only the newest is kept: a
    /// painter that falls behind skips frames rather than queueing them.
    pub fn frames(&self) -> watch::Receiver<Option<VideoFrame>> {
        self.frames.subscribe()
    }

    pub fn control(&self, control: PlayerControl) {
        match control {
            PlayerControl::Play => self.play(),
            PlayerControl::Pause => {
                let _ = self.playbin.set_state(gst::State::Paused);
                self.state.send_modify(|s| s.playing = false);
            }
            PlayerControl::Seek { seconds } => self.seek(seconds),
            PlayerControl::Volume { level } => {
                let level = if level.is_finite() {
                    level.clamp(0.0, 1.0)
                } else {
                    1.0
                };
                self.playbin.set_property("volume", level);
                self.state.send_modify(|s| s.volume = level);
            }
            PlayerControl::Mute { muted } => {
                self.playbin.set_property("mute", muted);
                self.state.send_modify(|s| s.muted = muted);
            }
        }
    }

    fn play(&self) {
        if self.state.borrow().ended {
            self.seek(0.0);
        }
        let _ = self.playbin.set_state(gst::State::Playing);
        self.state.send_modify(|s| {
            s.playing = s.error.is_none();
            s.ended = false;
        });
    }

    fn seek(&self, seconds: f64) {
        let current = self.state.borrow().clone();
        let end = current.duration.unwrap_or(f64::MAX);
        let seconds = if seconds.is_finite() {
            seconds.clamp(0.0, end)
        } else {
            0.0
        };
        if !current.ready {
            *self.pending_seek.lock().unwrap() = Some(seconds);
            return;
        }
        seek_to(&self.playbin, seconds, current.duration);
        self.state.send_modify(|s| {
            s.position = seconds;
            s.ended = false;
        });
    }

    /// Every frame the sink takes (and the one a pause or seek shows) becomes the newest frame.
    fn deliver_frames(&self, appsink: &gst_app::AppSink) {
        let publish = {
            let frames = self.frames.clone();
            let state = self.state.clone();
            move |sample: gst::Sample| {
                let Some(frame) = VideoFrame::from_sample(sample) else {
                    return;
                };
                let (width, height) = (frame.width, frame.height);
                state.send_if_modified(|s| {
                    let changed = (s.width, s.height) != (width, height);
                    (s.width, s.height) = (width, height);
                    changed
                });
                frames.send_replace(Some(frame));
            }
        };
        let on_preroll = publish.clone();
        appsink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    publish(sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .new_preroll(move |sink| {
                    let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Eos)?;
                    on_preroll(sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }

    /// A thread of its own reads the pipeline's messages and reports the position; it ends when
    /// the player is dropped.
    fn watch_bus(&self) {
        let bus = self.playbin.bus().expect("a pipeline has a bus");
        let playbin = self.playbin.clone();
        let state = self.state.clone();
        let pending_seek = self.pending_seek.clone();
        let stopped = self.stopped.clone();
        let spawned = std::thread::Builder::new()
            .name("vas-player".into())
            .spawn(move || {
                let watcher = BusWatcher {
                    playbin,
                    state,
                    pending_seek,
                };
                let mut trimmed = std::time::Instant::now();
                while !stopped.load(Ordering::Acquire) {
                    if let Some(message) = bus.timed_pop(gst::ClockTime::from_mseconds(
                        POSITION_EVERY.as_millis() as u64,
                    )) {
                        watcher.handle(&message);
                    }
                    watcher.report_position();
                    if trimmed.elapsed() >= TRIM_EVERY {
                        release_freed_memory();
                        trimmed = std::time::Instant::now();
                    }
                }
            });
        if let Err(error) = spawned {
            self.state
                .send_modify(|s| s.error = Some(format!("the player could not start ({error})")));
        }
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Release);
        let _ = self.playbin.set_state(gst::State::Null);
        release_freed_memory();
    }
}

struct BusWatcher {
    playbin: gst::Element,
    state: watch::Sender<PlayerState>,
    pending_seek: Arc<Mutex<Option<f64>>>,
}

impl BusWatcher {
    fn handle(&self, message: &gst::Message) {
        use gst::MessageView;
        match message.view() {
            MessageView::AsyncDone(_) => self.prerolled(),
            MessageView::DurationChanged(_) => self.update_duration(),
            MessageView::Eos(_) => {
                let _ = self.playbin.set_state(gst::State::Paused);
                self.state.send_modify(|s| {
                    s.playing = false;
                    s.ended = true;
                    s.position = s.duration.unwrap_or(s.position);
                });
            }
            MessageView::Error(error) => {
                let text = describe_error(&error.error(), error.debug().as_deref());
                let _ = self.playbin.set_state(gst::State::Null);
                self.state.send_modify(|s| {
                    s.playing = false;
                    s.error = Some(text);
                });
            }
            MessageView::StateChanged(change)
                if change.src() == Some(self.playbin.upcast_ref::<gst::Object>()) =>
            {
                let playing = change.current() == gst::State::Playing;
                self.state.send_if_modified(|s| {
                    let changed = s.playing != playing && s.error.is_none();
                    if changed {
                        s.playing = playing;
                    }
                    changed
                });
            }
            _ => {}
        }
    }

    /// The first frame (or a seek's) is ready: the video can be sought from now on.
    fn prerolled(&self) {
        self.update_duration();
        let first = self
            .state
            .send_if_modified(|s| !std::mem::replace(&mut s.ready, true));
        if first {
            // Every library the pipeline needs is loaded by its first frame.
            let advised = super::load_pages::release_library_load_pages();
            tracing::debug!(
                advised,
                "the player's libraries' load-time pages handed back"
            );
        }
        if let Some(seconds) = self.pending_seek.lock().unwrap().take() {
            let duration = self.state.borrow().duration;
            seek_to(&self.playbin, seconds, duration);
        }
    }

    fn update_duration(&self) {
        let Some(duration) = self.playbin.query_duration::<gst::ClockTime>() else {
            return;
        };
        let seconds = duration.nseconds() as f64 / 1e9;
        self.state
            .send_if_modified(|s| s.duration.replace(seconds) != Some(seconds));
    }

    fn report_position(&self) {
        if !self.state.borrow().playing {
            return;
        }
        if let Some(at) = self.playbin.query_position::<gst::ClockTime>() {
            let seconds = at.nseconds() as f64 / 1e9;
            self.state.send_if_modified(|s| {
                let changed = (s.position - seconds).abs() > 1e-3;
                s.position = seconds;
                changed
            });
        }
    }
}

fn seek_to(playbin: &gst::Element, seconds: f64, duration: Option<f64>) {
    // A seek to the very end lands just before it: at the end itself GStreamer has no frame to
    // show (only the end of the stream), and the picture would stay where it was.
    let seconds = match duration {
        Some(end) => seconds.min(end - LAST_FRAME_LEAD).max(0.0),
        None => seconds,
    };
    let at = gst::ClockTime::from_nseconds((seconds * 1e9) as u64);
    // Accurate: the frame shown is the one at the position asked for, not the keyframe before it.
    let _ = playbin.seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, at);
}

/// `videoscale ! videoconvert ! (cairo's pixels, at most the box, square pixels) ! appsink`:
/// scaled first, so a large video is converted at the size shown. The sink keeps only the
/// newest frame and waits for each frame's time (sync), so frames leave when due and a painter
/// that falls behind skips frames instead of queueing them; a frame already late by more than
/// [`MAX_LATENESS`] is dropped, and the decoder told to skip ahead (QoS).
fn frame_sink(frame: FrameBox) -> Result<(gst::Element, gst_app::AppSink), PlayerError> {
    let scale = make("videoscale")?;
    let convert = make("videoconvert")?;
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", PIXEL_FORMAT)
        .field(
            "width",
            gst::IntRange::new(MIN_SIDE as i32, frame.width as i32),
        )
        .field(
            "height",
            gst::IntRange::new(MIN_SIDE as i32, frame.height as i32),
        )
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .build();
    let filter = make("capsfilter")?;
    filter.set_property("caps", &caps);
    let appsink = gst_app::AppSink::builder()
        .max_buffers(1)
        .drop(true)
        .sync(true)
        .build();
    appsink.set_property("max-lateness", MAX_LATENESS.as_nanos() as i64);
    appsink.set_property("qos", true);
    let bin = gst::Bin::with_name("vas-frames");
    let elements = [&scale, &convert, &filter, appsink.upcast_ref()];
    bin.add_many(elements)
        .and_then(|_| gst::Element::link_many(elements))
        .map_err(|e| PlayerError::Pipeline(e.to_string()))?;
    let pad = scale.static_pad("sink").expect("videoscale has a sink pad");
    let ghost =
        gst::GhostPad::with_target(&pad).map_err(|e| PlayerError::Pipeline(e.to_string()))?;
    bin.add_pad(&ghost)
        .map_err(|e| PlayerError::Pipeline(e.to_string()))?;
    Ok((bin.upcast(), appsink))
}

/// libav's decoders start a thread per core, each with its own frames (7 MB more for a 360p
/// video with two threads than with one). One thread decodes 1080p H.264 at 6× real time
/// on this project's 2-core CI machine, so more buys nothing for playback but memory.
///
/// And the compressed data queued ahead of the decoders is held to [`QUEUE_BYTES`] a stream.
fn tune_decoding(playbin: &gst::Element) {
    let Some(bin) = playbin.downcast_ref::<gst::Bin>() else {
        return;
    };
    bin.connect_deep_element_added(|_, _, element| {
        let Some(factory) = element.factory() else {
            return;
        };
        let name = factory.name();
        if name.starts_with("avdec_")
            && element.has_property("max-threads", Some(i32::static_type()))
        {
            element.set_property("max-threads", 1i32);
        }
        if name == "decodebin" {
            element.set_property("max-size-bytes", QUEUE_BYTES);
        }
    });
}

/// Gives the C heap's free pages back to the system. GStreamer and libav allocate each
/// compressed sample and decoded frame (hundreds of KB) with malloc on their streaming threads;
/// freed, those blocks stay in the threads' malloc arenas, which only ever give back their top,
/// so the process kept what the busiest moment (a seek, a high-bitrate stretch) needed.
/// `malloc_trim` also returns whole free pages from the middle of every arena.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and madvises glibc's own free lists; no Rust invariant is
    // involved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// glibc maps a block of its own for a large malloc and unmaps it when freed, but after the first
/// such block is freed it raises that threshold to the block's size (up to 32 MiB), so from then
/// on every compressed sample and decoded frame (hundreds of KB each, a few dozen a second) is
/// carved from the streaming threads' arenas, which keep what they held at the busiest moment
/// (a seek decodes from the keyframe before it as fast as it can) until the next trim. A fixed
/// threshold ends that: measured with `examples/player_memory.rs` on the bench's 1 GB video, the
/// player's growth went from +35.0 to +30.8 MB, with 8 MB in separately mapped blocks that go
/// back the moment they are freed.
fn keep_large_blocks_out_of_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a glibc tunable; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM);
    }
}

fn frame_size(sample: &gst::Sample) -> Option<(u32, u32)> {
    let s = sample.caps()?.structure(0)?;
    Some((
        s.get::<i32>("width").ok()? as u32,
        s.get::<i32>("height").ok()? as u32,
    ))
}

fn make(factory: &str) -> Result<gst::Element, PlayerError> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|_| PlayerError::MissingElement(factory.into()))
}

fn init() -> Result<(), PlayerError> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        super::load_pages::note_mapped_before_player();
        keep_large_blocks_out_of_arenas();
        gst::init().map_err(|e| e.to_string())
    })
    .clone()
    .map_err(PlayerError::Init)
}

/// GStreamer's error in words a user can act on: a missing decoder names the package.
fn describe_error(error: &gst::glib::Error, debug: Option<&str>) -> String {
    let missing = error.matches(gst::CoreError::MissingPlugin)
        || error.matches(gst::StreamError::CodecNotFound)
        || debug.is_some_and(|d| d.contains("missing"));
    if missing {
        "This system cannot decode the video: install gstreamer1.0-libav (H.264 and AAC)".into()
    } else {
        error.message().to_string()
    }
}
