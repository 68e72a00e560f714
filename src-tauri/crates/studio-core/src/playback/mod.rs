//! Playback of the library's videos in the app.
//!
//! The player ([`Player`]) runs in our process: GStreamer reads the file in pull mode, decodes
//! it, plays the sound, and hands over each frame as pixels at the size the page shows it
//! ([`VideoFrame`]). The desktop shell paints them onto the window where the page lays out the
//! picture; the page gets the player's state through the app's IPC. Earlier the page played the
//! file with `<video>`: WebKit's media path then held 320–400 MB for a 1 GB video (issue 15);
//! then it showed JPEGs of the frames in an `<img>`, which cost WebKit 15 MB more at the peak
//! than painting them ourselves. Now a video costs what decoding one frame costs.
//!
//! What plays is decided here, never by the web view: the page names a job id and a
//! [`MediaKind`]; the app resolves the file through the store ([`job_file`]). No frame leaves
//! the process: nothing is served, so other local programs and web pages can neither read the
//! library nor watch what plays.

mod library;
mod load_pages;
mod player;
mod players;

pub use library::job_file;
pub use player::{FrameBox, Player, PlayerControl, PlayerError, PlayerState, VideoFrame};
pub use players::{Players, MAX_PLAYERS};

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
