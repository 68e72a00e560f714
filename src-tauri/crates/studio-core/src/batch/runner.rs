//! The batch runner: one task per running batch turns pending rows into ordinary jobs (the same
//! submit, idempotency key, reconciliation and tracker as a single job), never more than the
//! batch's concurrency at once, and stops admitting when the cost guard says so. Its state is
//! the database's: the batch row (`running`, `paused`, ...) and each row's job; the task only
//! adds the rows it is admitting right now. Quitting loses nothing: a restart starts the task
//! again (`Studio::resume`) and a row with a job is never admitted twice (the link is made in
//! the job's own insert transaction).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::model::{pause_reason, Batch, BatchState};
use crate::engine::Engine;
use crate::error::{CoreError, ErrorCode, Result};
use crate::events::StudioEvent;
use crate::jobs::tracker::Schedule;
use crate::jobs::JobState;
use crate::store::{BatchLink, RowState};

/// Failure codes of a create the server refused for want of credit (spec §errors: 402).
pub(crate) fn is_credit_failure(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("insufficient_credit" | "insufficient_credits" | "payment_required" | "http_402")
    )
}

/// Whether a row's job holds one of the batch's slots: everything before the session finished
/// (a finished video being downloaded no longer runs at the agent). Conservative: a create
/// whose answer was lost counts as running.
pub(crate) fn holds_slot(state: JobState) -> bool {
    !state.is_terminal() && !matches!(state, JobState::Completed | JobState::Downloading)
}

/// How often the balance is read (`users/me`) while a `min_balance` guard is set.
const BALANCE_EVERY: Duration = Duration::from_secs(30);

pub(crate) struct Runner {
    pub engine: Arc<Engine>,
    pub schedule: Arc<Schedule>,
    pub batch_id: String,
    /// Rows being submitted right now (not yet linked to a job in the database).
    admitting: Arc<Mutex<HashSet<usize>>>,
    wake: Arc<tokio::sync::Notify>,
    /// The batches with a live runner (`BatchHub::runners`); this one leaves it when it stops.
    live: Arc<Mutex<HashSet<String>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Runner {
    pub fn new(
        engine: Arc<Engine>,
        schedule: Arc<Schedule>,
        batch_id: String,
        live: Arc<Mutex<HashSet<String>>>,
    ) -> Self {
        Self {
            engine,
            schedule,
            batch_id,
            admitting: Default::default(),
            wake: Default::default(),
            live,
        }
    }

    fn set_state(&self, state: BatchState, reason: Option<&str>) -> Result<Batch> {
        let batch = self
            .engine
            .store
            .set_batch_state(&self.batch_id, state, reason)?;
        tracing::info!(batch_id = %self.batch_id, state = %state, reason, "batch state");
        self.engine.events.send(StudioEvent::BatchState {
            batch_id: self.batch_id.clone(),
            state,
            reason: reason.map(str::to_string),
        });
        Ok(batch)
    }

    /// Run until the batch is no longer `running` (paused, finished, cancelled) or shutdown.
    /// The runner stops only under the registry's lock and after one last look at the state:
    /// a resume that set the batch `running` before that look is seen here (the runner goes
    /// on); one after it finds no runner registered and starts a new one. (Stopping without
    /// that look let a quick pause-then-resume find the old runner still finishing, start
    /// none, and leave the batch `running` with nobody admitting its rows.)
    pub async fn run(self) {
        loop {
            self.run_while_running().await;
            let mut live = lock(&self.live);
            let resumed = !self.engine.shutdown.is_cancelled()
                && self
                    .engine
                    .store
                    .batch(&self.batch_id)
                    .is_ok_and(|b| b.state == BatchState::Running);
            if !resumed {
                live.remove(&self.batch_id);
                return;
            }
        }
    }

    async fn run_while_running(&self) {
        let mut events = self.engine.events.subscribe();
        let mut balance_checked: Option<Instant> = None;
        loop {
            match self.step(&mut balance_checked).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(batch_id = %self.batch_id, error = %e, "batch step failed; will try again")
                }
            }
            tokio::select! {
                _ = self.engine.shutdown.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = self.wake.notified() => {}
                _ = wait_for_job_event(&mut events) => {
                    // Many jobs change at once (a 429 storm ends): look once for all of them.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        // Let admissions in flight finish linking (they hold no slot in the database yet).
        let deadline = Instant::now() + Duration::from_secs(10);
        while !lock(&self.admitting).is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// One look at the batch: finish, pause or admit rows. `false` when the runner should stop.
    async fn step(&self, balance_checked: &mut Option<Instant>) -> Result<bool> {
        let store = &self.engine.store;
        let batch = store.batch(&self.batch_id)?;
        if batch.state != BatchState::Running {
            return Ok(false);
        }
        let rows = store.batch_row_states(&self.batch_id)?;
        let admitting: HashSet<usize> = lock(&self.admitting).clone();

        // A create refused for want of credit: the row is sent again on resume (nothing was
        // made), and the batch pauses instead of failing the rest.
        let refused: Vec<&RowState> = rows
            .iter()
            .filter(|r| {
                r.job_state == Some(JobState::Failed)
                    && r.session_id.is_none()
                    && is_credit_failure(r.failure_code.as_deref())
            })
            .collect();
        if !refused.is_empty() {
            for r in &refused {
                if let Some(job) = &r.job_id {
                    store.reopen_batch_row(&self.batch_id, r.row, job)?;
                }
            }
            self.set_state(BatchState::Paused, Some(pause_reason::CREDIT))?;
            return Ok(false);
        }

        let running = rows
            .iter()
            .filter(|r| r.job_state.is_some_and(holds_slot))
            .count()
            + admitting.len();
        let pending: Vec<usize> = rows
            .iter()
            .filter(|r| {
                !r.skipped
                    && r.job_id.is_none()
                    && r.error_code.is_none()
                    && !admitting.contains(&r.row)
            })
            .map(|r| r.row)
            .collect();
        let unfinished = rows
            .iter()
            .filter(|r| r.job_state.is_some_and(|s| !s.is_terminal()))
            .count();
        if pending.is_empty() && unfinished == 0 && admitting.is_empty() {
            self.set_state(BatchState::Completed, None)?;
            return Ok(false);
        }
        if pending.is_empty() {
            return Ok(true);
        }

        let sent: u64 =
            rows.iter().map(|r| u64::from(r.attempts)).sum::<u64>() + admitting.len() as u64;
        let mut room = (batch.concurrency.max(1) as usize).saturating_sub(running);
        if let Some(max) = batch.guard.max_videos {
            let left = u64::from(max).saturating_sub(sent);
            if left == 0 {
                if admitting.is_empty() {
                    self.set_state(BatchState::Paused, Some(pause_reason::CEILING))?;
                    return Ok(false);
                }
                return Ok(true);
            }
            room = room.min(left as usize);
        }
        if room == 0 {
            return Ok(true);
        }
        if let Some(min) = batch.guard.min_balance {
            if balance_checked.is_none_or(|t| t.elapsed() >= BALANCE_EVERY) {
                *balance_checked = Some(Instant::now());
                let balance = self.balance().await?;
                if balance.is_some_and(|b| b < min) {
                    self.set_state(BatchState::Paused, Some(pause_reason::BALANCE))?;
                    return Ok(false);
                }
            }
        }
        for row in pending.into_iter().take(room) {
            self.admit(&batch, row);
        }
        Ok(true)
    }

    async fn balance(&self) -> Result<Option<f64>> {
        let conn = self.engine.connected().await?;
        let user = conn.client.get_current_user().await?;
        Ok(user.balance().map(|b| b.amount))
    }

    /// Submit one row as a job (in the background; the runner goes on admitting others).
    fn admit(&self, batch: &Batch, row: usize) {
        lock(&self.admitting).insert(row);
        let engine = self.engine.clone();
        let schedule = self.schedule.clone();
        let admitting = self.admitting.clone();
        let wake = self.wake.clone();
        let batch = batch.clone();
        tokio::spawn(async move {
            let outcome = admit_row(&engine, &batch, row).await;
            if let Err(e) = outcome {
                tracing::warn!(batch_id = %batch.id, row, code = e.code().as_str(), error = %e, "batch row not admitted");
            }
            lock(&admitting).remove(&row);
            schedule.wake.notify_one();
            wake.notify_one();
        });
    }
}

async fn admit_row(engine: &Arc<Engine>, batch: &Batch, row: usize) -> Result<()> {
    let stored = engine.store.batch_row(&batch.id, row)?;
    if stored.job_id.is_some() {
        return Ok(());
    }
    let mut request = stored.request.clone();
    if request.output_dir.is_none() {
        request.output_dir = batch.output_dir.clone();
    }
    let link = BatchLink {
        batch_id: batch.id.clone(),
        row,
    };
    let result = engine
        .submit_linked(request, stored.retry_of.clone(), Some(link))
        .await;
    let Err(e) = result else { return Ok(()) };
    // Linked: the job exists and the engine recorded what happened to it (the runner reads
    // its state). Not linked: nothing was stored for this row.
    if engine.store.batch_row(&batch.id, row)?.job_id.is_some() {
        return Err(e);
    }
    match &e {
        CoreError::Invalid {
            code: ErrorCode::RowAlreadyAdmitted,
            ..
        } => {}
        CoreError::Invalid { .. } => {
            engine
                .store
                .set_batch_row_error(&batch.id, row, e.code().as_str(), &e.to_string())?;
        }
        // No key, keyring locked, no connection: every other row would fail the same way.
        _ => {
            let batch_now = engine.store.batch(&batch.id)?;
            if batch_now.state == BatchState::Running {
                engine.store.set_batch_state(
                    &batch.id,
                    BatchState::Paused,
                    Some(e.code().as_str()),
                )?;
                engine.events.send(StudioEvent::BatchState {
                    batch_id: batch.id.clone(),
                    state: BatchState::Paused,
                    reason: Some(e.code().to_string()),
                });
            }
        }
    }
    Err(e)
}

/// Returns on the next job state change (a slot may have freed).
async fn wait_for_job_event(events: &mut tokio::sync::broadcast::Receiver<StudioEvent>) {
    loop {
        match events.recv().await {
            Ok(StudioEvent::JobState { .. }) => return,
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                std::future::pending::<()>().await
            }
        }
    }
}
