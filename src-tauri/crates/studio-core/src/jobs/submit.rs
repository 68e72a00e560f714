//! Submitting a job: validate, persist (with its `Idempotency-Key`) before anything is sent,
//! upload attachments (deduplicated by content), wait until they are ready, then create the
//! session. `drive_create` is also what the tracker and the startup sweep call for a job that
//! never got a session id: when its last create's outcome is unknown it first looks for the
//! session that create may have made (`reconcile`), and sends again only when there is none.

use std::sync::Arc;
use std::time::{Duration, Instant};

use heygen_api::models::{AssetInput, CreateVideoAgentRequest, VideoAgentMode};
use heygen_api::{ApiError, UploadOptions};

use super::model::{Job, JobRequest, Mode};
use super::reconcile::Reconciled;
use super::state::JobState;
use super::validate::{check_file, check_request, CheckedFile};
use crate::engine::{ActiveGuard, Engine};
use crate::error::{CoreError, Result};
use crate::events::StudioEvent;
use crate::store::{now_unix, AttachmentRecord, CreateAttempts, RemoteUpdate, UploadRecord};

/// Map a session status to our state (`None` = no change: unknown statuses mean "working").
pub(crate) fn state_for_session(status: &heygen_api::models::SessionStatus) -> Option<JobState> {
    use heygen_api::models::SessionStatus as S;
    Some(match status {
        S::Thinking => JobState::Thinking,
        S::WaitingForInput => JobState::WaitingForInput,
        S::Reviewing => JobState::Reviewing,
        S::Generating => JobState::Generating,
        // The video decides completion (and download); the session only says it is close.
        S::Completed => JobState::Generating,
        S::Failed => JobState::Failed,
        _ => return None,
    })
}

/// Errors after which the create is tried again later: 429, 5xx, network faults, timeouts,
/// cut-off bodies, and 409 "still running". All but 429 leave its outcome unknown, so the job is
/// reconciled with the server's sessions before it is sent again (see `reconcile`).
pub(crate) fn is_transient(e: &ApiError) -> bool {
    e.is_retryable() || e.http_status() == Some(409)
}

/// Answers the server certainly did not act on, after which the same create may be sent again
/// without looking for a session first: 429 and `asset_not_available` (an attachment still
/// processing, spec §3.3).
pub(crate) fn not_processed(e: &ApiError) -> bool {
    e.is_rate_limited() || e.code() == crate::ErrorCode::AssetNotAvailable
}

/// Crash tests need a process that dies while its job is still a draft (a window of
/// microseconds in real use): in debug builds, `VAS_TEST_HOLD_DRAFT_MS` keeps each new job a
/// draft that long before it is sent. Release builds ignore it.
async fn hold_draft_for_crash_tests() {
    if cfg!(debug_assertions) {
        if let Some(ms) = std::env::var("VAS_TEST_HOLD_DRAFT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
}

/// Crash tests also need a process that dies at one exact point between two writes: in debug
/// builds, `VAS_TEST_DIE_AT=<point>` aborts the process there. Release builds ignore it.
fn die_here_for_crash_tests(point: &str) {
    if cfg!(debug_assertions) && std::env::var("VAS_TEST_DIE_AT").is_ok_and(|p| p == point) {
        eprintln!("VAS_TEST_DIE_AT={point}: aborting");
        std::process::abort();
    }
}

impl Engine {
    /// Validate, persist and send a new job. Validation errors return before anything is
    /// stored. A transient failure of the create leaves the job `submitted` for the tracker to
    /// finish; a definitive one marks it `failed` and is returned.
    pub async fn submit(
        self: &Arc<Self>,
        request: JobRequest,
        retry_of: Option<String>,
    ) -> Result<Job> {
        self.submit_linked(request, retry_of, None).await
    }

    /// [`submit`](Self::submit) for a batch row: the job row and its link to the batch row are
    /// written in one transaction, so a row becomes at most one job even if the process dies
    /// right after (the startup sweep then takes the job up like any other draft).
    pub(crate) async fn submit_linked(
        self: &Arc<Self>,
        request: JobRequest,
        retry_of: Option<String>,
        link: Option<crate::store::BatchLink>,
    ) -> Result<Job> {
        let mut request = request;
        request.files = request
            .files
            .iter()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
            .collect();
        let checked = {
            let r = request.clone();
            tokio::task::spawn_blocking(move || check_request(&r)).await??
        };
        // Fail early (nothing stored) when there is no way to reach the API at all.
        self.connected().await?;

        let id = uuid::Uuid::new_v4().simple().to_string();
        let now = now_unix();
        let job = Job {
            retry_of,
            ..Job::draft(id.clone(), request, format!("vas-create-{id}"), now)
        };
        // Claimed before the row exists, so a startup sweep running meanwhile never mistakes
        // this draft for one a dead process left behind.
        let guard = self
            .try_begin(&id)
            .expect("a brand-new job has no work in flight");
        match &link {
            Some(link) => self.store.insert_job_linked(&job, link)?,
            None => self.store.insert_job(&job)?,
        }
        let records: Vec<AttachmentRecord> = checked
            .iter()
            .map(|c| AttachmentRecord {
                path: c.path.display().to_string(),
                sha256: c.sha256.clone(),
                size_bytes: c.size_bytes,
                mime_type: c.mime_type.to_string(),
                asset_id: None,
            })
            .collect();
        self.store.set_attachments(&id, &records)?;
        self.events.send(StudioEvent::JobState {
            job_id: id.clone(),
            from: None,
            to: JobState::Draft,
            detail: None,
        });
        hold_draft_for_crash_tests().await;
        self.drive_create(&guard, Some(checked)).await
    }

    /// Take a job without a session id up to `submitted` and send (or re-send) its create.
    pub(crate) async fn drive_create(
        self: &Arc<Self>,
        guard: &ActiveGuard,
        checked: Option<Vec<CheckedFile>>,
    ) -> Result<Job> {
        let id = guard.job_id().to_string();
        let mut job = self.store.job(&id)?;
        if job.session_id.is_some() || job.state.is_terminal() {
            return Ok(job);
        }
        let conn = self.connected().await?;
        if job.state == JobState::Draft {
            job = self.move_to(&id, JobState::Uploading, None)?;
        }
        let mut files = Vec::new();
        // Already `submitted` on entry: a create may have gone out before.
        let sent_before = job.state == JobState::Submitted;
        if job.state == JobState::Uploading {
            let checked = match checked {
                Some(c) => c,
                None => {
                    // Resumed: re-read the files (they may have changed since the crash).
                    let paths = job.request.files.clone();
                    tokio::task::spawn_blocking(move || {
                        paths
                            .iter()
                            .map(|p| check_file(p))
                            .collect::<Result<Vec<_>>>()
                    })
                    .await?
                    .inspect_err(|e| {
                        let _ = self.fail(&id, e.code().as_str(), &e.to_string());
                    })?
                }
            };
            let mut records = Vec::new();
            for file in &checked {
                let asset_id = tokio::select! {
                    r = self.upload_once(&conn, &id, file) => r,
                    _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
                };
                let asset_id = match asset_id {
                    Ok(a) => a,
                    Err(CoreError::Api(e)) if is_transient(&e) => {
                        // Stays `uploading`: the tracker tries again (unchanged files dedupe).
                        let err = CoreError::Api(e);
                        self.note_rate_limit(&err);
                        tracing::warn!(job_id = %id, code = err.code().as_str(), "upload not confirmed; will retry");
                        self.events.send(StudioEvent::JobWarning {
                            job_id: id.clone(),
                            error: err.view(),
                        });
                        return self.store.job(&id);
                    }
                    Err(e) => {
                        self.fail(&id, e.code().as_str(), &e.to_string())?;
                        return Err(e);
                    }
                };
                records.push(AttachmentRecord {
                    path: file.path.display().to_string(),
                    sha256: file.sha256.clone(),
                    size_bytes: file.size_bytes,
                    mime_type: file.mime_type.to_string(),
                    asset_id: Some(asset_id.clone()),
                });
                files.push(AssetInput::asset_id(asset_id));
            }
            self.store.set_attachments(&id, &records)?;
            // The first send time, persisted before the create goes out: reconciliation looks
            // for sessions created since then.
            self.store.update_remote(
                &id,
                &RemoteUpdate {
                    submitted_at: Some(now_unix()),
                    ..Default::default()
                },
            )?;
            job = self.move_to(&id, JobState::Submitted, Some("create sent"))?;
        } else {
            for a in self.store.attachments(&id)? {
                match a.asset_id {
                    Some(asset) => files.push(AssetInput::asset_id(asset)),
                    None => {
                        return Err(CoreError::Internal(format!(
                            "job {id} is submitted but attachment {} has no asset id",
                            a.path
                        )))
                    }
                }
            }
        }
        if !self.assets_ready(guard, &conn, &job, &files).await? {
            return self.store.job(&id);
        }
        // A create that went out before may have made a session although its answer was lost:
        // find it before sending again (never rely on the server honouring the key).
        let unknown = match sent_before {
            true => self.unknown_create_outcome(&job)?,
            false => None,
        };
        if let Some(attempts) = unknown {
            match self
                .reconcile_create(guard, &conn, &job, &attempts, files.len())
                .await?
            {
                Reconciled::Adopted(session) => {
                    self.store.create_outcome_known(&id)?;
                    self.record_session(Some(&id), &session, job.request.mode == Mode::Chat)?;
                    return self.session_started(
                        &id,
                        &session.session_id,
                        &session.status,
                        session.video_id.clone(),
                    );
                }
                Reconciled::Wait => return self.store.job(&id),
                Reconciled::Resend => {
                    tracing::info!(job_id = %id, "no session made by the earlier create; sending it again");
                }
            }
        }

        let request = create_request(&job.request, files);
        // Recorded before sending: a crash from here on leaves the outcome unknown.
        self.store.create_sending(&id)?;
        let sent = tokio::select! {
            r = conn.client.create_video_agent(&request, Some(&job.idempotency_key)) => r,
            _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
        };
        match sent {
            Ok(created) => {
                tracing::info!(job_id = %id, session_id = %created.session_id, "session created");
                // The session id first: once it is stored the job is never sent again, whatever
                // else a crash cuts off. (Marking the outcome known first left a window in which
                // a restart saw a known outcome, no session, and sent a second create.)
                let job = self.session_started(
                    &id,
                    &created.session_id,
                    &created.status,
                    created.video_id,
                )?;
                die_here_for_crash_tests("create_answer_half_recorded");
                self.store.create_outcome_known(&id)?;
                Ok(job)
            }
            Err(e) if not_processed(&e) && self.may_wait_for_assets(&job) => {
                // 429 or `asset_not_available`: the server did not act on it.
                self.store.create_outcome_known(&id)?;
                let err = CoreError::Api(e);
                self.note_rate_limit(&err);
                tracing::warn!(job_id = %id, code = err.code().as_str(), "create refused for now; will send it again");
                self.events.send(StudioEvent::JobWarning {
                    job_id: id.clone(),
                    error: err.view(),
                });
                self.store.job(&id)
            }
            Err(e) if is_transient(&e) => {
                let err = CoreError::Api(e);
                self.note_rate_limit(&err);
                tracing::warn!(job_id = %id, code = err.code().as_str(), "create not confirmed; will look for its session before sending it again");
                self.events.send(StudioEvent::JobWarning {
                    job_id: id.clone(),
                    error: err.view(),
                });
                self.store.job(&id)
            }
            Err(e) => {
                let err = CoreError::Api(e);
                self.fail(&id, err.code().as_str(), &err.to_string())?;
                Err(err)
            }
        }
    }

    /// The job's earlier create attempts, when the latest one's outcome is unknown. A job
    /// stored by an older build (no attempt record) but `submitted` counts as unknown, sent at
    /// its first send time.
    fn unknown_create_outcome(&self, job: &Job) -> Result<Option<CreateAttempts>> {
        if job.state != JobState::Submitted || job.session_id.is_some() {
            return Ok(None);
        }
        Ok(match self.store.create_attempts(&job.id)? {
            Some(a) => a.outcome_unknown.then_some(a),
            None => job.submitted_at.map(|t| CreateAttempts {
                attempts: 1,
                last_sent_at_ms: t * 1000,
                outcome_unknown: true,
            }),
        })
    }

    /// Record the session a create made (answered, or found by reconciliation) and move the
    /// job on by its status.
    fn session_started(
        &self,
        id: &str,
        session_id: &str,
        status: &heygen_api::models::SessionStatus,
        video_id: Option<String>,
    ) -> Result<Job> {
        self.store.update_remote(
            id,
            &RemoteUpdate {
                session_id: Some(session_id.to_string()),
                video_id,
                ..Default::default()
            },
        )?;
        match state_for_session(status) {
            Some(JobState::Failed) => {
                self.fail(id, "session_failed", "The agent could not start this video")
            }
            // A video id does not make the job `generating` by itself: the tracker reads the
            // video (and the session) next and moves it on.
            Some(next) => self.move_to(id, next, None),
            None => self.move_to(id, JobState::Thinking, None),
        }
    }

    /// Upload a file unless the same content already lives on this server; returns its asset id.
    pub(crate) async fn upload_once(
        &self,
        conn: &crate::engine::Connected,
        job_id: &str,
        file: &CheckedFile,
    ) -> Result<String> {
        if let Some(known) = self
            .store
            .find_upload(&file.sha256, file.size_bytes, &conn.scope)?
        {
            tracing::debug!(job_id, asset_id = %known.asset_id, "attachment already uploaded");
            return Ok(known.asset_id);
        }
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let events = self.events.clone();
        let (job, label) = (job_id.to_string(), name.clone());
        let last = std::sync::Mutex::new(Instant::now() - Duration::from_secs(1));
        let progress: heygen_api::ProgressFn = Arc::new(move |sent, total| {
            let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
            if sent == total || last.elapsed() >= Duration::from_millis(150) {
                *last = Instant::now();
                events.send(StudioEvent::UploadProgress {
                    job_id: job.clone(),
                    file: label.clone(),
                    sent,
                    total,
                });
            }
        });
        let options = UploadOptions {
            filename: Some(name),
            content_type: Some(file.mime_type.to_string()),
            // Same job and content → same key: a re-sent upload after a lost answer is replayed.
            // Another job (a Retry) gets a key of its own, so it never replays an answer whose
            // presigned URL has expired or whose asset failed (the server keeps keys for 24 h).
            idempotency_key: Some(format!(
                "vas-upload-{}-{}-{}",
                key_part(job_id),
                &file.sha256[..32],
                file.size_bytes
            )),
            progress: Some(progress),
        };
        let uploaded = conn
            .client
            .upload_file_with_sha256(&file.path, Some(&file.sha256), &options)
            .await?;
        self.store.record_upload(&UploadRecord {
            sha256: file.sha256.clone(),
            size_bytes: file.size_bytes,
            scope: conn.scope.clone(),
            asset_id: uploaded.asset.asset_id.clone(),
            url: uploaded.asset.url.clone(),
            mime_type: uploaded.asset.mime_type.clone(),
        })?;
        Ok(uploaded.asset.asset_id)
    }
}

/// An id as part of an `Idempotency-Key` (1–255 of `[A-Za-z0-9_\-:.]`): other characters
/// dropped, at most 64 kept (ids from a server are opaque strings).
fn key_part(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
        .take(64)
        .collect()
}

fn create_request(r: &JobRequest, files: Vec<AssetInput>) -> CreateVideoAgentRequest {
    use heygen_api::models::Orientation as O;
    CreateVideoAgentRequest {
        prompt: r.prompt.clone(),
        mode: Some(match r.mode {
            Mode::Generate => VideoAgentMode::Generate,
            Mode::Chat => VideoAgentMode::Chat,
        }),
        avatar_id: r.avatar_id.clone(),
        voice_id: r.voice_id.clone(),
        style_id: r.style_id.clone(),
        brand_kit_id: r.brand_kit_id.clone(),
        orientation: r.orientation.map(|o| match o {
            super::model::Orientation::Landscape => O::Landscape,
            super::model::Orientation::Portrait => O::Portrait,
        }),
        files,
        // Only sent when asked for: the spec's default is false.
        incognito_mode: r.incognito.then_some(true),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incognito_is_sent_only_when_asked_for() {
        let mut request = JobRequest {
            prompt: "A 5-second welcome".into(),
            ..Default::default()
        };
        let body = serde_json::to_value(create_request(&request, Vec::new())).unwrap();
        assert!(body.get("incognito_mode").is_none(), "{body}");

        request.incognito = true;
        let body = serde_json::to_value(create_request(&request, Vec::new())).unwrap();
        assert_eq!(body["incognito_mode"], serde_json::json!(true), "{body}");
    }
}
