//! Progress on stderr from the engine's events: one bar per upload/download, a line per state
//! change. Bars hide themselves when stderr is not a terminal.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use studio_core::{OutputKind, StudioEvent};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Draw events until the channel closes or the task is aborted.
pub fn spawn(mut events: broadcast::Receiver<StudioEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let mut bars: HashMap<String, ProgressBar> = HashMap::new();
        loop {
            let event = match events.recv().await {
                Ok(e) => e,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            };
            match event {
                StudioEvent::JobState {
                    job_id,
                    from,
                    to,
                    detail,
                } => {
                    let from = from.map(|f| format!("{f} → ")).unwrap_or_default();
                    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
                    say(
                        &multi,
                        format!("job {}: {from}{to}{detail}", short(&job_id)),
                    );
                }
                StudioEvent::JobUpdated {
                    job_id,
                    progress,
                    title,
                } => {
                    if let Some(p) = progress {
                        let title = title.map(|t| format!(" — {t}")).unwrap_or_default();
                        say(&multi, format!("job {}: {p}%{title}", short(&job_id)));
                    }
                }
                StudioEvent::SessionMessages { .. }
                | StudioEvent::SessionUpdated { .. }
                | StudioEvent::BatchState { .. } => {}
                StudioEvent::UploadProgress {
                    job_id,
                    file,
                    sent,
                    total,
                } => {
                    let key = format!("u{job_id}{file}");
                    let bar = bars.entry(key.clone()).or_insert_with(|| {
                        let b = multi.add(ProgressBar::new(total));
                        b.set_style(bar_style());
                        b.set_prefix(format!("upload {file}"));
                        b
                    });
                    bar.set_position(sent);
                    if sent >= total {
                        bar.finish();
                        bars.remove(&key);
                    }
                }
                StudioEvent::DownloadProgress {
                    job_id,
                    kind,
                    received,
                    total,
                } => {
                    let key = format!("d{job_id}{}", kind.as_str());
                    let bar = bars.entry(key.clone()).or_insert_with(|| {
                        let b = multi.add(ProgressBar::new(total.unwrap_or(0)));
                        b.set_style(bar_style());
                        b.set_prefix(format!("{} {}", label(kind), short(&job_id)));
                        b
                    });
                    if let Some(t) = total {
                        bar.set_length(t);
                    }
                    bar.set_position(received);
                    if total.is_some_and(|t| received >= t) {
                        bar.finish();
                        bars.remove(&key);
                    }
                }
                StudioEvent::RateLimited { retry_after_secs } => {
                    say(
                        &multi,
                        format!("rate limited by the server: waiting {retry_after_secs} s"),
                    );
                }
                StudioEvent::JobWarning { job_id, error } => {
                    say(
                        &multi,
                        format!(
                            "job {}: {} ({}) — will retry",
                            short(&job_id),
                            error.message,
                            error.code
                        ),
                    );
                }
            }
        }
    })
}

fn label(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Video => "video",
        OutputKind::Thumbnail => "thumbnail",
        OutputKind::Subtitles => "subtitles",
        OutputKind::CaptionedVideo => "captioned",
    }
}

/// A line above the bars, or plain stderr when bars are hidden (not a terminal).
fn say(multi: &MultiProgress, line: String) {
    if multi.is_hidden() {
        eprintln!("{line}");
    } else {
        let _ = multi.println(line);
    }
}
