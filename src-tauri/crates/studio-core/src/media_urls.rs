//! The media URLs the engine itself received from the API (catalogue thumbnails and previews,
//! a session's video thumbnail, storyboard and resource images): the only URLs
//! [`Studio::cached_thumbnail`](crate::Studio::cached_thumbnail) fetches. The web view asks for
//! media by URL, so without this list a script in it could make Rust fetch any https URL (a way
//! out the CSP cannot block) or any path on the local agent.
//!
//! Also the cache's rules: the file name hashes the whole URL (query included: two signed links
//! are two files), a size cap, and only image/video/audio content.

use std::collections::HashSet;
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Largest media file the cache keeps (a style's preview video is a few MB).
pub const MAX_MEDIA_BYTES: u64 = 64 * 1024 * 1024;

/// How many URLs are remembered; past this the oldest half is forgotten (a 10,000-style
/// gallery has 20,000 URLs).
const MAX_KNOWN: usize = 200_000;

#[derive(Default)]
pub struct MediaUrls {
    known: Mutex<HashSet<String>>,
}

impl MediaUrls {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers `url` if it is an http(s) URL.
    pub fn record(&self, url: &str) {
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return;
        }
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= MAX_KNOWN {
            let keep: HashSet<String> = known.iter().take(MAX_KNOWN / 2).cloned().collect();
            *known = keep;
        }
        known.insert(url.to_string());
    }

    /// Remembers every http(s) URL in an API answer (or a value built from one).
    pub fn record_json(&self, value: &Value) {
        match value {
            Value::String(s) => self.record(s),
            Value::Array(items) => items.iter().for_each(|v| self.record_json(v)),
            Value::Object(map) => map.values().for_each(|v| self.record_json(v)),
            _ => {}
        }
    }

    /// Remembers every URL in anything serializable (a catalogue page, a chat thread).
    pub fn record_all<T: serde::Serialize>(&self, value: &T) {
        if let Ok(v) = serde_json::to_value(value) {
            self.record_json(&v);
        }
    }

    /// Whether the engine received exactly this URL.
    pub fn contains(&self, url: &str) -> bool {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(url.trim())
    }
}

/// The cache's file name for `url`: a hash of the whole URL (query included) and an extension
/// from its path, never the server's path itself.
pub fn cache_file_name(url: &str) -> String {
    let hash = hex::encode(Sha256::digest(url.trim().as_bytes()));
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let ext = ["png", "webp", "gif", "mp4", "webm", "mp3", "wav", "jpeg"]
        .into_iter()
        .find(|e| path.ends_with(&format!(".{e}")))
        .unwrap_or("jpg");
    format!("{}.{ext}", &hash[..32])
}

/// Only images, video and audio are cached (an HTML page or a script is not media).
pub fn is_media_type(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let ct = ct.trim().to_ascii_lowercase();
    ["image/", "video/", "audio/"]
        .iter()
        .any(|p| ct.starts_with(p))
        && !ct.starts_with("image/svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_received_urls_are_known() {
        let urls = MediaUrls::new();
        urls.record_json(&serde_json::json!({
            "data": [{"thumbnail_url": "https://cdn.example/a.png?sig=1", "name": "x", "n": 1}],
            "logo": "file:///etc/passwd"
        }));
        assert!(urls.contains("https://cdn.example/a.png?sig=1"));
        assert!(!urls.contains("https://cdn.example/a.png?sig=2"));
        assert!(!urls.contains("https://cdn.example/a.png"));
        assert!(!urls.contains("file:///etc/passwd"));
    }

    #[test]
    fn the_cache_key_keeps_the_query() {
        let a = cache_file_name("https://cdn.example/a.png?sig=1");
        let b = cache_file_name("https://cdn.example/a.png?sig=2");
        assert_ne!(a, b);
        assert!(a.ends_with(".png"));
        assert!(cache_file_name("https://x/../../etc/passwd").ends_with(".jpg"));
    }

    #[test]
    fn only_media_content_types() {
        assert!(is_media_type(Some("image/png")));
        assert!(is_media_type(Some("video/mp4")));
        assert!(is_media_type(Some("audio/mpeg")));
        assert!(!is_media_type(Some("text/html; charset=utf-8")));
        assert!(!is_media_type(Some("image/svg+xml")));
        assert!(!is_media_type(Some("application/json")));
        assert!(!is_media_type(None));
    }
}
