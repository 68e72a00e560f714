//! The results file: the input columns as imported, then what became of each row.

use super::model::{Batch, BatchRowView};
use crate::error::{CoreError, Result};

/// The columns added after the input columns.
pub const RESULT_COLUMNS: [&str; 8] = [
    "job_id",
    "session_id",
    "video_id",
    "state",
    "failure_code",
    "failure_message",
    "share_link",
    "file_path",
];

pub fn write_results(batch: &Batch, rows: &[BatchRowView]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CoreError::serialization("the results CSV", e);
    let mut header: Vec<&str> = batch.headers.iter().map(String::as_str).collect();
    header.extend(RESULT_COLUMNS);
    w.write_record(&header).map_err(fail)?;
    for view in rows {
        let mut record: Vec<String> = (0..batch.headers.len())
            .map(|i| view.row.cells.get(i).cloned().unwrap_or_default())
            .collect();
        let job = view.job.as_ref();
        let text = |f: Option<&String>| f.cloned().unwrap_or_default();
        let (code, message) = match job {
            Some(j) => (
                text(j.failure_code.as_ref()),
                text(j.failure_message.as_ref()),
            ),
            None => (
                text(view.row.error_code.as_ref()),
                text(view.row.error_message.as_ref()),
            ),
        };
        let show_failure = job.is_none_or(|j| {
            matches!(
                j.state,
                crate::jobs::JobState::Failed
                    | crate::jobs::JobState::Stopped
                    | crate::jobs::JobState::Cancelled
            )
        });
        record.extend([
            job.map(|j| j.id.clone()).unwrap_or_default(),
            text(job.and_then(|j| j.session_id.as_ref())),
            text(job.and_then(|j| j.video_id.as_ref())),
            view.state.clone(),
            if show_failure { code } else { String::new() },
            if show_failure { message } else { String::new() },
            text(job.and_then(|j| j.video_page_url.as_ref())),
            job.and_then(|j| j.outputs.video.as_ref())
                .map(|p| {
                    std::path::absolute(p)
                        .unwrap_or_else(|_| p.clone())
                        .display()
                        .to_string()
                })
                .unwrap_or_default(),
        ]);
        w.write_record(&record).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CoreError::serialization("the results CSV", e))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}
