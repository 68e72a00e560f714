//! Files handed to the app on its command line: by a file manager's "Open with", by a
//! `.desktop` entry's `%F`, or by a second launch forwarding its arguments to the running one.
//!
//! Only existing regular files count; options (`--foo`) are skipped, relative paths are resolved
//! against the launching process's working folder, and `file://` URIs (what some file managers
//! pass for `%U`) become paths. CSV files are kept apart: they are a batch to import, not an
//! attachment.

use std::path::{Path, PathBuf};

/// The files one launch handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenedFiles {
    /// Images, video, audio, PDF… to attach to the draft (checked like any attachment).
    pub attach: Vec<PathBuf>,
    /// CSV files: a batch of videos to import.
    pub csv: Vec<PathBuf>,
}

impl OpenedFiles {
    pub fn is_empty(&self) -> bool {
        self.attach.is_empty() && self.csv.is_empty()
    }
}

/// Reads `args` (the full argv, program name first) of a launch started in `cwd`.
pub fn parse(args: &[String], cwd: &Path) -> OpenedFiles {
    let mut opened = OpenedFiles::default();
    for arg in args.iter().skip(1) {
        if arg.starts_with('-') {
            continue;
        }
        let Some(path) = to_path(arg, cwd) else {
            continue;
        };
        let Ok(path) = path.canonicalize() else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        let list = if is_csv(&path) {
            &mut opened.csv
        } else {
            &mut opened.attach
        };
        if !list.contains(&path) {
            list.push(path);
        }
    }
    opened
}

fn to_path(arg: &str, cwd: &Path) -> Option<PathBuf> {
    if arg.starts_with("file:") {
        return url::Url::parse(arg).ok()?.to_file_path().ok();
    }
    if arg.contains("://") {
        return None; // another scheme (http…): not a local file
    }
    let path = Path::new(arg);
    Some(if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    })
}

fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("video-agent-studio")
            .chain(list.iter().copied())
            .map(String::from)
            .collect()
    }

    #[test]
    fn files_are_split_into_attachments_and_batches() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("photo.png");
        let sheet = dir.path().join("videos.CSV");
        std::fs::write(&photo, b"png").unwrap();
        std::fs::write(&sheet, b"prompt\n").unwrap();
        let opened = parse(
            &args(&[photo.to_str().unwrap(), sheet.to_str().unwrap()]),
            Path::new("/"),
        );
        assert_eq!(opened.attach, vec![photo.canonicalize().unwrap()]);
        assert_eq!(opened.csv, vec![sheet.canonicalize().unwrap()]);
    }

    #[test]
    fn relative_paths_resolve_against_the_launching_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("talk.mp3"), b"id3").unwrap();
        let opened = parse(&args(&["talk.mp3"]), dir.path());
        assert_eq!(opened.attach.len(), 1);
        assert!(opened.attach[0].ends_with("talk.mp3"));
    }

    #[test]
    fn file_uris_become_paths_and_spaces_are_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("my slides.pdf");
        std::fs::write(&file, b"%PDF").unwrap();
        let uri = url::Url::from_file_path(&file).unwrap().to_string();
        assert!(uri.contains("%20"));
        let opened = parse(&args(&[&uri]), Path::new("/"));
        assert_eq!(opened.attach, vec![file.canonicalize().unwrap()]);
    }

    #[test]
    fn options_folders_missing_files_urls_and_repeats_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("a.png");
        std::fs::write(&photo, b"png").unwrap();
        let p = photo.to_str().unwrap();
        let opened = parse(
            &args(&[
                "--automation",
                dir.path().to_str().unwrap(),
                "/no/such/file.png",
                "https://example.com/a.png",
                p,
                p,
            ]),
            Path::new("/"),
        );
        assert_eq!(opened.attach.len(), 1);
        assert!(opened.csv.is_empty());
        assert!(parse(&args(&[]), Path::new("/")).is_empty());
    }
}
