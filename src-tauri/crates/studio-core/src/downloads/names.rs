//! File names come from our job id and a sanitised title only — never a server path — and the
//! final path must stay inside the chosen folder.

use std::path::{Component, Path, PathBuf};

use crate::error::{CoreError, Result};

/// A title reduced to a safe, short file-name stem: letters, digits, `-` and `_`; other runs
/// become one `-`; at most 60 characters; `video` when nothing is left.
pub fn sanitize_title(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= 60 {
            break;
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '_').to_string();
    if trimmed.is_empty() {
        "video".to_string()
    } else {
        trimmed
    }
}

/// `<sanitised title>-<first 8 of job id>`.
pub fn file_stem(job_id: &str, title: Option<&str>) -> String {
    let short: String = job_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(8)
        .collect();
    format!("{}-{}", sanitize_title(title.unwrap_or("video")), short)
}

/// A name the user chose (a batch row's `output_name` or title) made safe as a file-name stem on
/// every desktop file system, keeping it readable: spaces, dots and non-ASCII letters stay;
/// separators, `:*?"<>|` and control characters become `-`; leading and trailing dots and spaces
/// go (hidden files, Windows); Windows' reserved device names get a `_`; at most 100 characters;
/// `video` when nothing is left.
pub fn sanitize_file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let space = c.is_whitespace();
        let bad = !space
            && (c.is_control()
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'));
        let c = if space {
            ' '
        } else if bad {
            '-'
        } else {
            c
        };
        // Runs of spaces or of replaced characters collapse to one.
        if (c == ' ' || (bad && c == '-')) && out.ends_with(c) {
            continue;
        }
        out.push(c);
        if out.chars().count() >= 100 {
            break;
        }
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ' || c == '-');
    if trimmed.is_empty() {
        return "video".to_string();
    }
    let device = trimmed.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((device.starts_with("COM") || device.starts_with("LPT"))
            && device.len() == 4
            && device.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("{trimmed}_")
    } else {
        trimmed.to_string()
    }
}

/// Join `name` onto `dir`, refusing anything that could leave `dir` (separators, `..`, absolute
/// names). `dir` must exist.
pub fn guarded_path(dir: &Path, name: &str) -> Result<PathBuf> {
    let mut comps = Path::new(name).components();
    let ok = matches!(comps.next(), Some(Component::Normal(_))) && comps.next().is_none();
    if !ok || name.contains('/') || name.contains('\\') {
        return Err(CoreError::Download(format!(
            "refusing unsafe file name {name:?}"
        )));
    }
    let dir = std::fs::canonicalize(dir).map_err(|e| CoreError::io(dir, e))?;
    let path = dir.join(name);
    if path.parent() != Some(dir.as_path()) {
        return Err(CoreError::Download(format!(
            "refusing a path outside the library folder: {}",
            path.display()
        )));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_sanitised() {
        assert_eq!(sanitize_title("Q3 Launch: Teaser!"), "Q3-Launch-Teaser");
        assert_eq!(sanitize_title("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitize_title("///"), "video");
        assert_eq!(sanitize_title(&"x".repeat(500)).len(), 60);
        assert_eq!(
            file_stem("0123456789abcdef", Some("Hi there")),
            "Hi-there-01234567"
        );
    }

    #[test]
    fn chosen_names_stay_readable_and_safe() {
        assert_eq!(sanitize_file_stem("Lesson 1: Intro"), "Lesson 1- Intro");
        assert_eq!(sanitize_file_stem("row-7"), "row-7");
        assert_eq!(sanitize_file_stem("Café Crème"), "Café Crème");
        assert_eq!(sanitize_file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitize_file_stem("a\tb\nc"), "a b c");
        assert_eq!(sanitize_file_stem(" .hidden. "), "hidden");
        assert_eq!(sanitize_file_stem("a<>|b?*"), "a-b");
        assert_eq!(sanitize_file_stem("///"), "video");
        assert_eq!(sanitize_file_stem("con"), "con_");
        assert_eq!(sanitize_file_stem("LPT1.notes"), "LPT1.notes_");
        assert_eq!(sanitize_file_stem("COMPANY"), "COMPANY");
        assert_eq!(sanitize_file_stem(&"x".repeat(500)).chars().count(), 100);
        for name in ["a/b", "..", "x\u{0}y", "  "] {
            let stem = sanitize_file_stem(name);
            let dir = tempfile::tempdir().unwrap();
            assert!(
                guarded_path(dir.path(), &format!("{stem}.mp4")).is_ok(),
                "{name:?}"
            );
        }
    }

    #[test]
    fn paths_stay_inside_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(guarded_path(tmp.path(), "a.mp4").is_ok());
        for bad in ["../a.mp4", "/etc/passwd", "a/b.mp4", "..", ".", "", "a\\b"] {
            assert!(guarded_path(tmp.path(), bad).is_err(), "{bad}");
        }
    }
}
