//! Getting jobs out of limbo: drafts a dead process left behind, and failed downloads of a
//! video the server still has.

use std::sync::Arc;

use super::state::JobState;
use crate::engine::Engine;
use crate::error::Result;

impl Engine {
    /// Startup sweep for drafts: a job is a draft only between being stored and its first
    /// upload, so a draft nobody is working on belongs to a process that died before sending
    /// it. Move each to `uploading`; the tracker then re-checks its files, uploads them and
    /// sends the create with the idempotency key stored with the draft (a repeat is replayed by
    /// the server, never a second video). Returns how many drafts were taken up.
    pub(crate) fn take_up_orphan_drafts(self: &Arc<Self>) -> Result<usize> {
        // Ids only, by state: this runs on the app's start-up path, over libraries of 10,000+ jobs.
        let drafts: Vec<String> = {
            let conn = self.store.conn();
            let mut stmt = conn.prepare("SELECT id FROM jobs WHERE state = ?1")?;
            let rows = stmt.query_map([JobState::Draft.as_str()], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut taken = 0;
        for id in drafts {
            // A draft in flight in this process (its submit holds the claim) is not an orphan.
            let Some(_claim) = self.try_begin(&id) else {
                continue;
            };
            self.move_to(&id, JobState::Uploading, Some("unsent draft resumed"))?;
            tracing::info!(job_id = %id, "resuming a draft left by a stopped process");
            taken += 1;
        }
        Ok(taken)
    }

    /// Whether a failed job failed while fetching its files, i.e. the video exists on the
    /// server and a retry should download it again rather than make a new one.
    pub(crate) fn failed_while_downloading(&self, id: &str) -> Result<bool> {
        let job = self.store.job(id)?;
        if job.state != JobState::Failed || job.video_id.is_none() {
            return Ok(false);
        }
        let history = self.store.job_events(id)?;
        Ok(history
            .iter()
            .rev()
            .find(|e| e.to == JobState::Failed)
            .is_some_and(|e| e.from == Some(JobState::Downloading)))
    }
}
