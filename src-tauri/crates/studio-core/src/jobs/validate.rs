//! Checks run before a job is persisted: prompt length, file count, and each file readable and of
//! an accepted type — sniffed from its bytes, never trusted from the extension.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::model::JobRequest;
use crate::error::{CoreError, ErrorCode, Result};

pub const MAX_PROMPT_CHARS: usize = heygen_api::MAX_PROMPT_CHARS;
pub const MAX_FILES: usize = heygen_api::MAX_FILES;
/// The accepted types in words (what `accepted_mime` admits), for messages and the UI.
pub const ACCEPTED_TYPES: &str = "PNG, JPEG, MP4, WebM, MP3, WAV or PDF";

/// An attachment that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub path: PathBuf,
    pub mime_type: &'static str,
    pub size_bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// The types the Video Agent accepts (spec §3.1), by what the bytes say.
fn accepted_mime(sniffed: &str) -> Option<&'static str> {
    Some(match sniffed {
        "image/png" => "image/png",
        "image/jpeg" => "image/jpeg",
        "video/mp4" => "video/mp4",
        "video/webm" => "video/webm",
        "audio/mpeg" => "audio/mpeg",
        "audio/x-wav" | "audio/wav" | "audio/vnd.wave" => "audio/wav",
        "application/pdf" => "application/pdf",
        _ => return None,
    })
}

pub fn check_prompt(prompt: &str) -> Result<()> {
    if prompt.trim().is_empty() {
        return Err(CoreError::invalid(
            ErrorCode::PromptEmpty,
            Some("prompt"),
            "Write a prompt describing the video",
        ));
    }
    let n = prompt.chars().count();
    if n > MAX_PROMPT_CHARS {
        return Err(CoreError::invalid(
            ErrorCode::PromptTooLong,
            Some("prompt"),
            format!("The prompt has {n} characters; the limit is {MAX_PROMPT_CHARS}"),
        ));
    }
    Ok(())
}

/// Read the file once: sniff its type from the first bytes and hash all of it (streamed).
pub fn check_file(path: &Path) -> Result<CheckedFile> {
    let unreadable = |e: std::io::Error| {
        CoreError::invalid(
            ErrorCode::FileUnreadable,
            Some("files"),
            format!("Cannot read {}: {e}", path.display()),
        )
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(CoreError::invalid(
            ErrorCode::FileUnreadable,
            Some("files"),
            format!("{} is not a file", path.display()),
        ));
    }
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut head: Vec<u8> = Vec::new();
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        if head.len() < 8192 {
            head.extend_from_slice(&buf[..n.min(8192 - head.len())]);
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    if size == 0 {
        return Err(CoreError::invalid(
            ErrorCode::FileEmpty,
            Some("files"),
            format!("{} is empty", path.display()),
        ));
    }
    let sniffed = infer::get(&head).map(|t| t.mime_type());
    let mime_type = sniffed.and_then(accepted_mime).ok_or_else(|| {
        CoreError::invalid(
            ErrorCode::UnsupportedFileType,
            Some("files"),
            format!(
                "{} is {} — attach {ACCEPTED_TYPES} files",
                path.display(),
                sniffed.map_or("of an unknown type".to_string(), |m| m.to_string())
            ),
        )
    })?;
    Ok(CheckedFile {
        path: path.to_path_buf(),
        mime_type,
        size_bytes: size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Validate a whole request; returns the checked files in order.
pub fn check_request(request: &JobRequest) -> Result<Vec<CheckedFile>> {
    check_prompt(&request.prompt)?;
    if request.files.len() > MAX_FILES {
        return Err(CoreError::invalid(
            ErrorCode::TooManyFiles,
            Some("files"),
            format!(
                "{} files attached; at most {MAX_FILES} are allowed",
                request.files.len()
            ),
        ));
    }
    request.files.iter().map(|p| check_file(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
    ];

    #[test]
    fn prompt_limits() {
        assert_eq!(check_prompt("  ").unwrap_err().code(), "prompt_empty");
        assert!(check_prompt(&"é".repeat(MAX_PROMPT_CHARS)).is_ok());
        assert_eq!(
            check_prompt(&"a".repeat(MAX_PROMPT_CHARS + 1))
                .unwrap_err()
                .code(),
            "prompt_too_long"
        );
    }

    #[test]
    fn files_are_sniffed_from_bytes_not_names() {
        let tmp = tempfile::tempdir().unwrap();
        let png_named_txt = tmp.path().join("logo.txt");
        std::fs::write(&png_named_txt, PNG_1X1).unwrap();
        let f = check_file(&png_named_txt).unwrap();
        assert_eq!(
            (f.mime_type, f.size_bytes),
            ("image/png", PNG_1X1.len() as u64)
        );
        assert_eq!(f.sha256.len(), 64);

        let html_named_pdf = tmp.path().join("doc.pdf");
        std::fs::write(&html_named_pdf, b"<html><body>hi</body></html>").unwrap();
        assert_eq!(
            check_file(&html_named_pdf).unwrap_err().code(),
            "unsupported_file_type"
        );
        let pdf = tmp.path().join("x.bin");
        std::fs::write(
            &pdf,
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        )
        .unwrap();
        assert_eq!(check_file(&pdf).unwrap().mime_type, "application/pdf");
        assert_eq!(
            check_file(&tmp.path().join("missing.png"))
                .unwrap_err()
                .code(),
            "file_unreadable"
        );
        let empty = tmp.path().join("e.png");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(check_file(&empty).unwrap_err().code(), "file_empty");
    }

    #[test]
    fn at_most_twenty_files() {
        let req = JobRequest {
            prompt: "hi".into(),
            files: vec![PathBuf::from("/nope"); MAX_FILES + 1],
            ..Default::default()
        };
        assert_eq!(check_request(&req).unwrap_err().code(), "too_many_files");
    }
}
