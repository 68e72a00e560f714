//! The download step of a job: fresh URLs from `GET /v3/videos/{id}`, then the video (required),
//! thumbnail, subtitles and captioned video (best effort) into the job's folder.

use std::sync::Arc;
use std::time::Duration;

use heygen_api::models::Video;

use super::failure::{
    classify, unknown_streak_exhausted, DownloadFailure, MAX_UNKNOWN_FAILURES, RESUME_DETAIL,
    UNKNOWN_DETAIL, UNKNOWN_FAILURE_WINDOW,
};
use super::file::{fetch_to_file, fetch_to_unique_file};
use super::names::{file_stem, guarded_path, sanitize_file_stem};
use crate::engine::{ActiveGuard, Connected, Engine};
use crate::error::{CoreError, ErrorCode, Result};
use crate::events::{OutputKind, StudioEvent};
use crate::jobs::{JobOutputs, JobState};
use crate::store::now_unix;

fn url_for(video: &Video, kind: OutputKind) -> Option<String> {
    match kind {
        OutputKind::Video => video.video_url.clone(),
        OutputKind::Thumbnail => video.thumbnail_url.clone(),
        OutputKind::Subtitles => video.subtitle_url.clone(),
        OutputKind::CaptionedVideo => video.captioned_video_url.clone(),
    }
    .filter(|u| !u.is_empty())
}

/// File extension for an output, from our own table (the thumbnail keeps a known image type
/// from its URL path; nothing else of the server's naming is used).
fn extension(kind: OutputKind, url: &str) -> &'static str {
    match kind {
        OutputKind::Video | OutputKind::CaptionedVideo => "mp4",
        OutputKind::Subtitles => "srt",
        OutputKind::Thumbnail => {
            let path = url
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if path.ends_with(".png") {
                "png"
            } else if path.ends_with(".webp") {
                "webp"
            } else {
                "jpg"
            }
        }
    }
}

fn suffix(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Video => "",
        OutputKind::Thumbnail => "-thumbnail",
        OutputKind::Subtitles => "",
        OutputKind::CaptionedVideo => "-captioned",
    }
}

/// Where a batch row's file goes.
enum Placement {
    /// A name this job already holds: downloaded again in place.
    Held(std::path::PathBuf),
    /// The first free name of this one's series.
    Free(std::path::PathBuf),
}

fn slot_of(outputs: &JobOutputs, kind: OutputKind) -> &Option<std::path::PathBuf> {
    match kind {
        OutputKind::Video => &outputs.video,
        OutputKind::Thumbnail => &outputs.thumbnail,
        OutputKind::Subtitles => &outputs.subtitles,
        OutputKind::CaptionedVideo => &outputs.captioned_video,
    }
}

fn slot_of_mut(outputs: &mut JobOutputs, kind: OutputKind) -> &mut Option<std::path::PathBuf> {
    match kind {
        OutputKind::Video => &mut outputs.video,
        OutputKind::Thumbnail => &mut outputs.thumbnail,
        OutputKind::Subtitles => &mut outputs.subtitles,
        OutputKind::CaptionedVideo => &mut outputs.captioned_video,
    }
}

/// This attempt's files over the earlier ones' (kept while this attempt has not reached them).
fn merged(earlier: &JobOutputs, now: &JobOutputs) -> JobOutputs {
    JobOutputs {
        video: now.video.clone().or_else(|| earlier.video.clone()),
        thumbnail: now.thumbnail.clone().or_else(|| earlier.thumbnail.clone()),
        subtitles: now.subtitles.clone().or_else(|| earlier.subtitles.clone()),
        captioned_video: now
            .captioned_video
            .clone()
            .or_else(|| earlier.captioned_video.clone()),
        video_duration_ms: now.video_duration_ms.or(earlier.video_duration_ms),
    }
}

impl Engine {
    /// Download everything of a completed job, then mark it `downloaded`. A transient failure
    /// puts the job back to `completed` (the tracker tries again); one that cannot pass by
    /// itself (see `failure::classify`) fails the job; partial files stay for resume.
    pub(crate) async fn download_job(
        self: &Arc<Self>,
        guard: &ActiveGuard,
        id: &str,
    ) -> Result<()> {
        let _slot = tokio::select! {
            s = self.download_slots.acquire() => s.map_err(|_| CoreError::Cancelled)?,
            _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
        };
        let job = self.move_to(id, JobState::Downloading, None)?;
        match self.download_outputs(guard, &job).await {
            Ok(outputs) => {
                self.store.set_outputs(id, &outputs)?;
                self.move_to(id, JobState::Downloaded, None)?;
                Ok(())
            }
            Err(CoreError::Cancelled) => Err(CoreError::Cancelled),
            Err(e) => {
                // The `.part` file stays in every case: Retry (or the next attempt) resumes it.
                match classify(&e) {
                    DownloadFailure::Transient => {
                        self.move_to(id, JobState::Completed, Some(RESUME_DETAIL))?;
                    }
                    DownloadFailure::Permanent { code, message } => {
                        tracing::warn!(job_id = id, code = %code, error = %e, "download cannot succeed as things are; job failed");
                        self.fail(id, &code, &message)?;
                    }
                    DownloadFailure::Unknown => {
                        let history = self.store.job_events(id)?;
                        let window = self.cadence.apply(UNKNOWN_FAILURE_WINDOW);
                        if unknown_streak_exhausted(
                            &history,
                            now_unix(),
                            MAX_UNKNOWN_FAILURES,
                            window,
                        ) {
                            let message = format!(
                                "The download kept failing ({e}). Press Retry to try again; \
                                 the part already downloaded is kept."
                            );
                            self.fail(id, "download_failed_repeatedly", &message)?;
                        } else {
                            let detail = format!("{UNKNOWN_DETAIL}{}", e.code());
                            self.move_to(id, JobState::Completed, Some(&detail))?;
                        }
                    }
                }
                Err(e)
            }
        }
    }

    async fn download_outputs(
        self: &Arc<Self>,
        guard: &ActiveGuard,
        job: &crate::jobs::Job,
    ) -> Result<JobOutputs> {
        let video_id = job
            .video_id
            .clone()
            .ok_or_else(|| CoreError::Download("the job has no video id".into()))?;
        let conn = self.connected().await?;
        let video = self.fresh_video(&conn, &video_id).await?;
        if video.status != heygen_api::models::VideoStatus::Completed {
            // Not something a retry fixes: the video failed or is not finished.
            return Err(CoreError::invalid(
                ErrorCode::VideoNotReady,
                None,
                format!("The video is {}, not completed", video.status.as_str()),
            ));
        }
        let dir = job
            .request
            .output_dir
            .clone()
            .unwrap_or_else(|| self.library_dir());
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| CoreError::io(&dir, e))?;
        // A batch row names its files (`output_name`, else its `title`): `name.mp4`, or
        // `name (2).mp4` when that is taken (see `place`). The `.part` keeps the job id in its
        // name (`stem`), so a resumed download finds its own part whatever the final name.
        let row_name = self
            .store
            .batch_row_of_job(&job.id)?
            .and_then(|(_, row)| row.output_name.or(row.title))
            .filter(|n| !n.trim().is_empty());
        let stem = file_stem(
            &job.id,
            row_name
                .as_deref()
                .or(job.title.as_deref())
                .or(video.title.as_deref()),
        );
        // The stem the placed video got: the extras follow it (`name (2)-thumbnail.jpg`).
        let mut chosen = row_name.as_deref().map(sanitize_file_stem);
        let mut outputs = JobOutputs {
            video_duration_ms: video
                .duration
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(|d| (d * 1000.0).round() as u64),
            ..JobOutputs::default()
        };
        let mut kinds = vec![OutputKind::Video, OutputKind::Thumbnail];
        if self
            .download_captions
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            kinds.extend([OutputKind::Subtitles, OutputKind::CaptionedVideo]);
        }
        let backoff_unit = self.cadence.apply(Duration::from_secs(1));
        for kind in kinds {
            let Some(url) = url_for(&video, kind) else {
                if kind == OutputKind::Video {
                    return Err(CoreError::Download(
                        "the video is completed but has no download URL yet".into(),
                    ));
                }
                continue;
            };
            let name = format!("{stem}{}.{}", suffix(kind), extension(kind, &url));
            let dest = guarded_path(&dir, &name)?;
            // A name this job already holds (an earlier download of it) is reused, not numbered.
            let held = slot_of(&job.outputs, kind)
                .as_ref()
                .filter(|p| p.parent() == dest.parent() && p.is_file())
                .cloned();
            let preferred = match (&chosen, held) {
                (Some(_), Some(held)) => Some(Placement::Held(held)),
                (Some(stem), None) => Some(Placement::Free(guarded_path(
                    &dir,
                    &format!("{stem}{}.{}", suffix(kind), extension(kind, &url)),
                )?)),
                (None, _) => None,
            };
            let events = self.events.clone();
            let job_id = job.id.clone();
            let progress = move |received: u64, total: Option<u64>| {
                events.send(StudioEvent::DownloadProgress {
                    job_id: job_id.clone(),
                    kind,
                    received,
                    total,
                });
            };
            let refresh = || {
                let conn = conn.clone();
                let video_id = video_id.clone();
                let engine = self.clone();
                async move {
                    let v = engine.fresh_video(&conn, &video_id).await?;
                    url_for(&v, kind).ok_or_else(|| {
                        CoreError::Download(format!(
                            "the video no longer has a {} URL",
                            kind.as_str()
                        ))
                    })
                }
            };
            let fetched = match &preferred {
                None => fetch_to_file(
                    &conn.client,
                    url,
                    &dest,
                    refresh,
                    &guard.cancel,
                    &progress,
                    backoff_unit,
                )
                .await
                .map(|f| (f, dest.clone())),
                Some(Placement::Held(held)) => fetch_to_file(
                    &conn.client,
                    url,
                    held,
                    refresh,
                    &guard.cancel,
                    &progress,
                    backoff_unit,
                )
                .await
                .map(|f| (f, held.clone())),
                Some(Placement::Free(free)) => {
                    fetch_to_unique_file(
                        &conn.client,
                        url,
                        &dest,
                        free,
                        refresh,
                        &guard.cancel,
                        &progress,
                        backoff_unit,
                    )
                    .await
                }
            };
            match fetched {
                Ok((f, placed)) => {
                    tracing::info!(job_id = %job.id, kind = kind.as_str(), size = f.size, transferred = f.transferred, path = %placed.display(), "downloaded");
                    if kind == OutputKind::Video && chosen.is_some() {
                        chosen = placed.file_stem().map(|s| s.to_string_lossy().into_owned());
                    }
                    *slot_of_mut(&mut outputs, kind) = Some(placed);
                    if chosen.is_some() {
                        // Recorded at once: an attempt after a crash reuses the names this one
                        // claimed instead of numbering new ones.
                        self.store
                            .set_outputs(&job.id, &merged(&job.outputs, &outputs))?;
                    }
                }
                Err(e) if kind == OutputKind::Video || matches!(e, CoreError::Cancelled) => {
                    return Err(e)
                }
                Err(e) => {
                    // Extras are nice to have; the job is done when the video is.
                    tracing::warn!(job_id = %job.id, kind = kind.as_str(), error = %e, "optional download failed");
                }
            }
        }
        Ok(outputs)
    }

    async fn fresh_video(&self, conn: &Connected, video_id: &str) -> Result<Video> {
        self.budget.acquire().await;
        Ok(conn.client.get_video(video_id).await?)
    }
}
