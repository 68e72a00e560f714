//! Streaming playback of the library's videos to the web view.
//!
//! WebKitGTK hands a `<video>` URL to GStreamer, whose WebKit source element loads only
//! http(s), blob and data URLs: a custom scheme (Tauri's `asset:`, or one of our own) ends in
//! `MEDIA_ERR_SRC_NOT_SUPPORTED`. Reading the whole file into a blob instead costs its size
//! in memory. So the app serves its videos from a small HTTP server bound to 127.0.0.1 with
//! `Range` support: GStreamer reads only what it plays and seeks by asking for other ranges.
//!
//! What it serves is decided here, never by the web view: a URL names a job id and a
//! [`MediaKind`]; the resolver the app provides looks the file up in the store. Every URL
//! carries a secret made at each launch, so other local programs and web pages cannot read the
//! library through the port.

mod library;
mod range;
mod server;

pub use library::job_file;
pub use range::{parse_range, ByteRange, RangeError};
pub use server::{PlaybackServer, PlaybackUrls, Resolver};

use serde::{Deserialize, Serialize};

/// Which of a job's files a playback URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// The video as the API made it.
    Video,
    /// The same video with its captions burnt in.
    Captioned,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Captioned => "captioned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "video" => Some(MediaKind::Video),
            "captioned" => Some(MediaKind::Captioned),
            _ => None,
        }
    }

    /// The job's file of this kind as stored (see [`job_file`] for the checked lookup).
    pub fn path_in(self, outputs: &crate::JobOutputs) -> Option<&std::path::Path> {
        match self {
            MediaKind::Video => outputs.video.as_deref(),
            MediaKind::Captioned => outputs.captioned_video.as_deref(),
        }
    }
}
