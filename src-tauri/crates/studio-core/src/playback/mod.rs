//! Playback of the library's videos in the app.
//!
//! The player ([`Player`]) runs in our process: GStreamer reads the file in pull mode, decodes
//! it, plays the sound, and turns each frame into a JPEG at the size the page shows it. The web
//! view gets the frames from a small HTTP server bound to 127.0.0.1 as one long
//! `multipart/x-mixed-replace` answer (an `<img>`), and the player's state through the app's IPC.
//! Earlier the page played the file with `<video>` from this server: WebKit's media path then
//! held 320–400 MB for a 1 GB video (issue 15); now a video costs what decoding one frame costs.
//!
//! What plays is decided here, never by the web view: the page names a job id and a
//! [`MediaKind`]; the app resolves the file through the store ([`job_file`]). Frame URLs carry
//! a secret made at each launch and a player id, so other local programs and web pages can
//! neither read the library nor watch what plays.

mod library;
mod load_pages;
mod player;
mod players;
mod server;

pub use library::job_file;
pub use player::{FrameBox, Player, PlayerControl, PlayerError, PlayerState};
pub use players::{Players, MAX_PLAYERS};
pub use server::{PlaybackServer, PlaybackUrls};

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
