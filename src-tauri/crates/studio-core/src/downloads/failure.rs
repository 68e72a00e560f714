//! What a failed download means for its job. Network faults, 5xx and 429 pass (keep retrying,
//! never lose a job to a flaky network); a file the server refuses even through a freshly signed
//! link, or a library folder the system will not write to, will not fix itself (fail the job with
//! a stable code and what to do); anything else is retried, but only for so long.

use std::io::ErrorKind;
use std::time::Duration;

use heygen_api::ApiError;

use crate::error::CoreError;
use crate::jobs::{JobEventRecord, JobState};

/// Detail recorded on `downloading → completed` after a transient failure.
pub(crate) const RESUME_DETAIL: &str = "download will resume";
/// Detail prefix recorded on `downloading → completed` after a failure of unknown kind; the
/// code follows. The job's history is the persisted count of these (it survives restarts).
pub(crate) const UNKNOWN_DETAIL: &str = "download failed, will retry: ";
/// Consecutive failures of unknown kind before the job fails…
pub(crate) const MAX_UNKNOWN_FAILURES: usize = 8;
/// …provided they span at least this long (nominal: scaled by the poll cadence).
pub(crate) const UNKNOWN_FAILURE_WINDOW: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DownloadFailure {
    /// Will pass: retry on the tracker's capped cadence, without limit.
    Transient,
    /// Will not pass by itself: fail the job with this code and message.
    Permanent { code: String, message: String },
    /// Unclear: retry, but fail once it has gone on too long (see [`unknown_streak_exhausted`]).
    Unknown,
}

fn permanent(code: &str, message: String) -> DownloadFailure {
    DownloadFailure::Permanent {
        code: code.to_string(),
        message,
    }
}

/// Sort an error from the download step.
pub(crate) fn classify(e: &CoreError) -> DownloadFailure {
    match e {
        // `fetch_to_file` only returns a link error once its fresh links were refused too (§4:
        // 403/404 mean "expired: re-read the video"; it did, several times).
        CoreError::Api(ApiError::LinkExpired { status, .. }) => match status {
            403 => permanent(
                "download_forbidden",
                "The server refuses the video file (HTTP 403) even with a freshly signed link: \
                 check that this account still has access to the video, then press Retry."
                    .into(),
            ),
            s => permanent(
                "download_not_found",
                format!(
                    "The video file is not on the server (HTTP {s}) even with a freshly signed \
                     link. Press Retry to download it again later; if it keeps failing, make \
                     the video again."
                ),
            ),
        },
        CoreError::Api(api) if api.is_retryable() => DownloadFailure::Transient,
        CoreError::Io { path, source } => classify_io(path, source),
        CoreError::Download(_) => DownloadFailure::Unknown,
        // A refused refresh (video deleted, key revoked), a video that failed, no key: the
        // error's own code and message already say what happened.
        other => permanent(other.code().as_str(), other.to_string()),
    }
}

fn classify_io(path: &str, source: &std::io::Error) -> DownloadFailure {
    match source.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => permanent(
            "library_disk_full",
            format!(
                "There is no room left for the video in the library folder ({path}: {source}): \
                 free some space or choose another library folder in Settings, then press Retry."
            ),
        ),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => permanent(
            "library_not_writable",
            format!(
                "The library folder is not writable ({path}: {source}): choose another in \
                 Settings, then press Retry."
            ),
        ),
        ErrorKind::NotADirectory
        | ErrorKind::IsADirectory
        | ErrorKind::InvalidFilename
        | ErrorKind::AlreadyExists => permanent(
            "library_path_refused",
            format!(
                "The system refuses to write the video at {path} ({source}): choose another \
                 library folder in Settings, then press Retry."
            ),
        ),
        _ => DownloadFailure::Unknown,
    }
}

/// True when the job's latest download attempts all failed for unknown reasons, at least
/// `max` of them in a row, the first of them at least `window` before `now` (Unix seconds).
/// `history` is oldest first, as the store returns it; the current failure is not in it yet.
pub(crate) fn unknown_streak_exhausted(
    history: &[JobEventRecord],
    now: i64,
    max: usize,
    window: Duration,
) -> bool {
    let mut count = 1; // the failure being handled
    let mut first_at = now;
    for e in history.iter().rev() {
        match (e.to, e.detail.as_deref()) {
            (JobState::Completed, Some(d)) if d.starts_with(UNKNOWN_DETAIL) => {
                count += 1;
                first_at = e.at;
            }
            // Each attempt starts with `completed → downloading`: part of the streak.
            (JobState::Downloading, _) => {}
            _ => break,
        }
    }
    count >= max && now.saturating_sub(first_at) >= window.as_secs() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: ErrorKind) -> CoreError {
        CoreError::io(
            std::path::Path::new("/lib/v.mp4"),
            std::io::Error::from(kind),
        )
    }

    fn code(f: DownloadFailure) -> String {
        match f {
            DownloadFailure::Permanent { code, .. } => code,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn library_folder_errors_are_permanent_and_say_what_to_do() {
        assert_eq!(
            code(classify(&io(ErrorKind::StorageFull))),
            "library_disk_full"
        );
        assert_eq!(
            code(classify(&io(ErrorKind::PermissionDenied))),
            "library_not_writable"
        );
        assert_eq!(
            code(classify(&io(ErrorKind::ReadOnlyFilesystem))),
            "library_not_writable"
        );
        assert_eq!(
            code(classify(&io(ErrorKind::NotADirectory))),
            "library_path_refused"
        );
        let DownloadFailure::Permanent { message, .. } = classify(&io(ErrorKind::PermissionDenied))
        else {
            unreachable!()
        };
        assert!(message.contains("choose another in Settings"), "{message}");
        assert!(message.contains("/lib/v.mp4"), "{message}");
    }

    #[test]
    fn other_io_and_size_errors_are_unknown() {
        assert_eq!(
            classify(&io(ErrorKind::Interrupted)),
            DownloadFailure::Unknown
        );
        assert_eq!(
            classify(&CoreError::Download("got 1 of 2 bytes".into())),
            DownloadFailure::Unknown
        );
    }

    fn ev(at: i64, to: JobState, detail: Option<&str>) -> JobEventRecord {
        JobEventRecord {
            at,
            from: None,
            to,
            detail: detail.map(str::to_string),
        }
    }

    fn unknown_attempts(start: i64, n: usize, every: i64) -> Vec<JobEventRecord> {
        let detail = format!("{UNKNOWN_DETAIL}download_failed");
        (0..n as i64)
            .flat_map(|i| {
                [
                    ev(start + i * every, JobState::Downloading, None),
                    ev(start + i * every, JobState::Completed, Some(&detail)),
                ]
            })
            .collect()
    }

    #[test]
    fn unknown_failures_end_the_job_only_when_many_and_long() {
        let window = Duration::from_secs(600);
        let mut h = vec![ev(0, JobState::Completed, Some("video ready"))];
        h.extend(unknown_attempts(100, 7, 100));
        // 8 in a row (7 recorded + this one) over 700 s: exhausted.
        assert!(unknown_streak_exhausted(&h, 800, 8, window));
        // Not enough of them.
        assert!(!unknown_streak_exhausted(&h, 800, 9, window));
        // Enough, but too quickly.
        assert!(!unknown_streak_exhausted(
            &h,
            800,
            8,
            Duration::from_secs(701)
        ));
    }

    #[test]
    fn a_transient_failure_or_a_success_breaks_the_streak() {
        let window = Duration::from_secs(10);
        let mut h = unknown_attempts(0, 7, 100);
        h.push(ev(700, JobState::Downloading, None));
        h.push(ev(700, JobState::Completed, Some(RESUME_DETAIL)));
        h.extend(unknown_attempts(800, 2, 100));
        assert!(!unknown_streak_exhausted(&h, 1000, 8, window));
        let mut h = unknown_attempts(0, 7, 100);
        h.push(ev(700, JobState::Downloaded, None));
        assert!(!unknown_streak_exhausted(&h, 1000, 2, window));
    }
}
