//! Paths Rust itself received from the user: the file picker's result and the window's drop
//! event (plus, from main, other hand-overs such as "Open with"). Only these may be inspected,
//! shown through the asset protocol or attached to a job: a path the web view names is not
//! trusted, since a script injected into the page could name any file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Default)]
pub struct ReceivedPaths {
    paths: Mutex<HashSet<PathBuf>>,
}

impl ReceivedPaths {
    /// Remembers paths Rust received from the user (picker, drop, store).
    pub fn add(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.paths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(paths);
    }

    /// Whether `path` (as the web view hands it back) is one Rust received.
    pub fn contains(&self, path: &Path) -> bool {
        self.paths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(path)
    }

    /// The paths of `wanted` that Rust received; the rest are dropped.
    pub fn keep_received(&self, wanted: &[String]) -> Vec<String> {
        wanted
            .iter()
            .filter(|p| self.contains(Path::new(p)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_added_paths_are_received() {
        let received = ReceivedPaths::default();
        received.add([PathBuf::from("/home/u/a.png")]);
        assert!(received.contains(Path::new("/home/u/a.png")));
        assert!(!received.contains(Path::new("/etc/passwd")));
        assert!(!received.contains(Path::new("/home/u/../u/a.png")));
        assert_eq!(
            received.keep_received(&["/etc/passwd".into(), "/home/u/a.png".into()]),
            vec!["/home/u/a.png".to_string()]
        );
    }
}
