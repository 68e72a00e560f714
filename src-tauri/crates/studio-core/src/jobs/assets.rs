//! Attachments as HeyGen handles them (spec §3.3): a completed direct upload may still be
//! `processing`, and a create naming it is refused with `asset_not_available` until it is
//! `completed`. The create therefore waits for its assets (`GET /v3/assets/statuses`), and the
//! refusal counts as "not yet" for a bounded time.

use std::time::Duration;

use heygen_api::models::AssetInput;

use super::model::Job;
use crate::engine::{ActiveGuard, Connected, Engine};
use crate::error::{CoreError, ErrorCode, Result};
use crate::store::now_unix;

/// How long after the first send a job keeps waiting for its assets (nominal: scaled by the
/// poll cadence) before it fails with `asset_not_available`.
const ASSET_WAIT: Duration = Duration::from_secs(10 * 60);
/// How long one step waits in place before leaving the job to the tracker (nominal).
const INLINE_WAIT: Duration = Duration::from_secs(30);
/// Between two status reads (nominal).
const STATUS_EVERY: Duration = Duration::from_secs(2);

impl Engine {
    /// Whether the job may still wait for its assets to become usable.
    pub(crate) fn may_wait_for_assets(&self, job: &Job) -> bool {
        let since = now_unix() - job.submitted_at.unwrap_or(job.created_at);
        since.max(0) as u64 <= self.cadence.apply(ASSET_WAIT).as_secs().max(1)
    }

    /// Wait (briefly, in place) until every uploaded asset of the create is `completed`.
    /// `Ok(false)` = not yet: the tracker comes back. An asset that failed or is gone fails the
    /// job (and is forgotten, so a retry uploads the file again). A server that cannot say
    /// (no statuses endpoint, an error) lets the create go ahead: its own answer decides.
    pub(crate) async fn assets_ready(
        &self,
        guard: &ActiveGuard,
        conn: &Connected,
        job: &Job,
        files: &[AssetInput],
    ) -> Result<bool> {
        let ids: Vec<String> = files
            .iter()
            .filter_map(|f| match f {
                AssetInput::AssetId { asset_id } => Some(asset_id.clone()),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            return Ok(true);
        }
        let started = tokio::time::Instant::now();
        let every = self
            .cadence
            .apply(STATUS_EVERY)
            .max(Duration::from_millis(50));
        loop {
            let read = tokio::select! {
                r = conn.client.asset_statuses(&ids) => r,
                _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
            };
            let statuses = match read {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(job_id = %job.id, code = e.code(), "asset statuses unavailable; the create decides");
                    return Ok(true);
                }
            };
            let mut waiting = Vec::new();
            for id in &ids {
                match statuses.status_of(id) {
                    // Not listed: the server cannot say; the create decides.
                    None => {}
                    Some(s) if s.is_ready() => {}
                    Some(s) if s.is_dead() => {
                        self.store.forget_upload(id)?;
                        let err = CoreError::invalid(
                            ErrorCode::AssetFailed,
                            Some("files"),
                            format!(
                                "An attached file could not be processed by the server (asset \
                                 {id} is {}). Press Retry to upload it again.",
                                s.as_str()
                            ),
                        );
                        self.fail(&job.id, err.code().as_str(), &err.to_string())?;
                        return Err(err);
                    }
                    Some(_) => waiting.push(id.clone()),
                }
            }
            if waiting.is_empty() {
                return Ok(true);
            }
            if !self.may_wait_for_assets(job) {
                let err = CoreError::invalid(
                    ErrorCode::AssetNotAvailable,
                    Some("files"),
                    format!(
                        "The server is still processing {} attached file(s) after a long wait. \
                         Press Retry to try again.",
                        waiting.len()
                    ),
                );
                self.fail(&job.id, err.code().as_str(), &err.to_string())?;
                return Err(err);
            }
            if started.elapsed() >= self.cadence.apply(INLINE_WAIT) {
                tracing::info!(job_id = %job.id, waiting = waiting.len(), "attachments still processing; will look again");
                return Ok(false);
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = guard.cancel.cancelled() => return Err(CoreError::Cancelled),
            }
        }
    }
}
