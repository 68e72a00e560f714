//! What ffprobe says about a media file: its streams' codecs, the frame size and the length.
//! The one place the workspace runs ffprobe (the renderer, and every test that checks a video).

use std::path::Path;

use serde_json::Value;

/// A media file as ffprobe reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    /// Every stream's codec, in stream order (`h264`, `aac`, …).
    pub codecs: Vec<String>,
    /// The first video stream's frame size (0 without one).
    pub width: u64,
    pub height: u64,
    /// The container's length in seconds.
    pub duration: f64,
}

/// ffprobe's arguments: JSON with exactly the fields `MediaInfo` reads.
const ARGS: [&str; 6] = [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_name,width,height:format=duration",
    "-of",
    "json",
];

/// Probes `path` (runs ffprobe on the async runtime).
pub async fn probe(path: &Path) -> Result<MediaInfo, String> {
    let out = tokio::process::Command::new("ffprobe")
        .args(ARGS)
        .arg(path)
        .output()
        .await
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    parse(path, out)
}

/// Probes `path`, blocking (tests).
pub fn probe_blocking(path: &Path) -> Result<MediaInfo, String> {
    let out = std::process::Command::new("ffprobe")
        .args(ARGS)
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    parse(path, out)
}

fn parse(path: &Path, out: std::process::Output) -> Result<MediaInfo, String> {
    if !out.status.success() {
        return Err(format!(
            "ffprobe {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("ffprobe {}: not JSON ({e})", path.display()))?;
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    let first = |field: &str| streams.iter().find_map(|s| s[field].as_u64()).unwrap_or(0);
    Ok(MediaInfo {
        codecs: streams
            .iter()
            .filter_map(|s| s["codec_name"].as_str().map(String::from))
            .collect(),
        width: first("width"),
        height: first("height"),
        duration: v["format"]["duration"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| format!("ffprobe {}: no duration", path.display()))?,
    })
}
