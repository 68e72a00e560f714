//! Forwards the studio's events to the UI as typed Tauri events, and raises a desktop
//! notification when a video is ready, a job failed or the agent needs an answer (when the
//! setting allows), and keeps the tray's status current.

use std::sync::Arc;

use studio_core::{JobState, Studio, StudioEvent, TransferKind};
use tauri::{AppHandle, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::events::{JobChanged, JobWarning, RateLimited, TransferProgress};
use crate::views::JobView;

/// Runs until the studio's event stream closes.
pub async fn forward_events<R: Runtime>(app: AppHandle<R>, studio: Arc<Studio>) {
    let mut events = studio.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            // Fell behind: rows are re-read on the next event, progress is re-sent anyway.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        forward(&app, &studio, event);
    }
}

fn forward<R: Runtime>(app: &AppHandle<R>, studio: &Studio, event: StudioEvent) {
    match event {
        StudioEvent::JobState { job_id, to, .. } => {
            let Ok(job) = studio.job(&job_id) else { return };
            if matches!(
                to,
                JobState::Downloaded | JobState::Failed | JobState::WaitingForInput
            ) && studio.settings().notifications
            {
                crate::desktop_notify::notify_job(app, &job);
            }
            crate::desktop_tray::refresh(app);
            crate::ui_events::publish(
                app,
                JobChanged {
                    job: JobView::from(&job),
                },
            );
        }
        StudioEvent::JobUpdated { job_id, .. } => {
            crate::desktop_tray::refresh(app);
            if let Ok(job) = studio.job(&job_id) {
                crate::ui_events::publish(
                    app,
                    JobChanged {
                        job: JobView::from(&job),
                    },
                );
            }
        }
        StudioEvent::UploadProgress {
            job_id,
            file,
            sent,
            total,
        } => {
            crate::ui_events::publish(
                app,
                TransferProgress {
                    job_id,
                    kind: TransferKind::Upload,
                    file: Some(file),
                    done: sent as f64,
                    total: Some(total as f64),
                },
            );
        }
        StudioEvent::DownloadProgress {
            job_id,
            kind,
            received,
            total,
        } => {
            crate::ui_events::publish(
                app,
                TransferProgress {
                    job_id,
                    kind: kind.into(),
                    file: None,
                    done: received as f64,
                    total: total.map(|t| t as f64),
                },
            );
        }
        StudioEvent::RateLimited { retry_after_secs } => {
            crate::ui_events::publish(
                app,
                RateLimited {
                    retry_after_secs: u32::try_from(retry_after_secs).unwrap_or(u32::MAX),
                },
            );
        }
        StudioEvent::JobWarning { job_id, error } => {
            crate::ui_events::publish(app, JobWarning { job_id, error });
        }
        // Chat sessions have their own screen and events.
        _ => {}
    }
}
