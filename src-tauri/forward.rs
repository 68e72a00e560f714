//! Forwards the studio's events to the UI as typed Tauri events, and raises a desktop
//! notification when a video is ready, a job failed or the agent needs an answer (when the
//! setting allows), and keeps the tray's status current.

use std::sync::Arc;

use studio_core::{JobState, Studio, StudioEvent, TransferKind};
use tauri::{AppHandle, Runtime};
use tauri_specta::Event as _;
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
            let _ = JobChanged {
                job: JobView::from(&job),
            }
            .emit(app);
        }
        StudioEvent::JobUpdated { job_id, .. } => {
            crate::desktop_tray::refresh(app);
            if let Ok(job) = studio.job(&job_id) {
                let _ = JobChanged {
                    job: JobView::from(&job),
                }
                .emit(app);
            }
        }
        StudioEvent::UploadProgress {
            job_id,
            file,
            sent,
            total,
        } => {
            let _ = TransferProgress {
                job_id,
                kind: TransferKind::Upload,
                file: Some(file),
                done: sent as f64,
                total: Some(total as f64),
            }
            .emit(app);
        }
        StudioEvent::DownloadProgress {
            job_id,
            kind,
            received,
            total,
        } => {
            let _ = TransferProgress {
                job_id,
                kind: kind.into(),
                file: None,
                done: received as f64,
                total: total.map(|t| t as f64),
            }
            .emit(app);
        }
        StudioEvent::RateLimited { retry_after_secs } => {
            let _ = RateLimited {
                retry_after_secs: u32::try_from(retry_after_secs).unwrap_or(u32::MAX),
            }
            .emit(app);
        }
        StudioEvent::JobWarning { job_id, error } => {
            let _ = JobWarning { job_id, error }.emit(app);
        }
        // Chat sessions have their own screen and events.
        _ => {}
    }
}
