//! Shared engine state: the store, the event bus, the request budget, the connection to the API,
//! and which jobs have work in flight. Job logic lives in `jobs::*` and `downloads::*` as
//! `impl Engine` blocks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use heygen_api::Client;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, Result};
use crate::events::{EventBus, StudioEvent};
use crate::jobs::budget::RequestBudget;
use crate::jobs::cadence::Cadence;
use crate::jobs::{Job, JobState};
use crate::store::Store;

/// A ready client and the scope its asset ids belong to (the base URL).
#[derive(Clone)]
pub struct Connected {
    pub client: Arc<Client>,
    pub scope: String,
}

/// Builds (or returns the cached) client. Blocking: may read the keyring.
pub type ConnectFn = Arc<dyn Fn() -> Result<Connected> + Send + Sync>;

pub(crate) struct Engine {
    pub store: Arc<Store>,
    pub events: EventBus,
    /// Shared by background work (polls and link refreshes). User-initiated calls (submit,
    /// stop, messages, catalogues) do not queue behind hundreds of polls; the client's own 429
    /// handling covers them.
    pub budget: RequestBudget,
    pub cadence: Cadence,
    connect: ConnectFn,
    pub library_dir: Mutex<PathBuf>,
    pub download_captions: std::sync::atomic::AtomicBool,
    pub download_slots: Semaphore,
    /// Jobs with work in flight (create, poll or download) and how to cancel it.
    active: Mutex<HashMap<String, CancellationToken>>,
    /// Cancels everything on shutdown.
    pub shutdown: CancellationToken,
    pub chat: crate::chat::ChatState,
    /// What each server session was created with (read once; see `jobs::reconcile`).
    pub origins: crate::jobs::reconcile::OriginCache,
    /// Since when each job's video has answered 404 (a young video id may not exist yet).
    pub video_missing_since: Mutex<HashMap<String, tokio::time::Instant>>,
}

/// Held while a job has work in flight; releases the job on drop.
pub(crate) struct ActiveGuard {
    engine: Arc<Engine>,
    job_id: String,
    pub cancel: CancellationToken,
}

impl ActiveGuard {
    pub fn job_id(&self) -> &str {
        &self.job_id
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.engine
            .active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.job_id);
    }
}

pub(crate) struct EngineParts {
    pub store: Arc<Store>,
    pub events: EventBus,
    pub budget: RequestBudget,
    pub cadence: Cadence,
    pub connect: ConnectFn,
    pub library_dir: PathBuf,
    pub download_captions: bool,
    pub max_downloads: usize,
    pub stuck_after: std::time::Duration,
}

impl Engine {
    pub fn new(p: EngineParts) -> Arc<Self> {
        Arc::new(Self {
            store: p.store,
            events: p.events,
            budget: p.budget,
            cadence: p.cadence,
            connect: p.connect,
            library_dir: Mutex::new(p.library_dir),
            download_captions: std::sync::atomic::AtomicBool::new(p.download_captions),
            download_slots: Semaphore::new(p.max_downloads.max(1)),
            active: Mutex::new(HashMap::new()),
            shutdown: CancellationToken::new(),
            chat: crate::chat::ChatState::new(p.stuck_after),
            origins: Default::default(),
            video_missing_since: Mutex::new(HashMap::new()),
        })
    }

    /// The API client (built off the async runtime: reading the keyring blocks on D-Bus).
    pub async fn connected(&self) -> Result<Connected> {
        let connect = self.connect.clone();
        tokio::task::spawn_blocking(move || connect()).await?
    }

    /// Claim a job for in-flight work; `None` if someone already works on it.
    pub fn try_begin(self: &Arc<Self>, job_id: &str) -> Option<ActiveGuard> {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        if active.contains_key(job_id) {
            return None;
        }
        let cancel = self.shutdown.child_token();
        active.insert(job_id.to_string(), cancel.clone());
        Some(ActiveGuard {
            engine: self.clone(),
            job_id: job_id.to_string(),
            cancel,
        })
    }

    /// Cancel whatever is in flight for the job (no state change by itself).
    pub fn cancel_work(&self, job_id: &str) {
        if let Some(token) = self
            .active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(job_id)
        {
            token.cancel();
        }
    }

    /// Change state through the store's single transition function and tell subscribers.
    pub fn move_to(&self, job_id: &str, to: JobState, detail: Option<&str>) -> Result<Job> {
        let (from, job) = self.store.transition(job_id, to, detail)?;
        if from != to {
            tracing::info!(job_id, from = %from, to = %to, "job state");
            self.events.send(StudioEvent::JobState {
                job_id: job_id.to_string(),
                from: Some(from),
                to,
                detail: detail.map(str::to_string),
            });
        }
        Ok(job)
    }

    /// Record a definitive failure (code and message from the API) and move to `failed`.
    pub fn fail(&self, job_id: &str, code: &str, message: &str) -> Result<Job> {
        self.store.update_remote(
            job_id,
            &crate::store::RemoteUpdate {
                failure_code: Some(code.to_string()),
                failure_message: Some(message.to_string()),
                ..Default::default()
            },
        )?;
        self.move_to(job_id, JobState::Failed, Some(code))
    }

    pub fn library_dir(&self) -> PathBuf {
        self.library_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A 429 that outlasted the client's own retries: hold every request and say so.
    pub fn note_rate_limit(&self, e: &CoreError) {
        if let CoreError::Api(api) = e {
            if api.is_rate_limited() {
                let secs = api.report().retry_after.unwrap_or(5);
                self.budget.pause_for(std::time::Duration::from_secs(secs));
                self.events.send(StudioEvent::RateLimited {
                    retry_after_secs: secs,
                });
            }
        }
    }
}
