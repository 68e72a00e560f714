//! `Studio`: the one facade the desktop shell and the CLI share. See README.md.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api::models::Balance;
use heygen_api::{RetryHook, RetryPolicy, Secret};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

mod app_values;
pub(crate) mod auth;

use crate::connect::Connector;
use crate::credentials::{Credentials, KeySource};
use crate::engine::{Engine, EngineParts};
use crate::error::{CoreError, ErrorCode, Result};
use crate::events::{EventBus, StudioEvent};
use crate::jobs::budget::RequestBudget;
use crate::jobs::cadence::Cadence;
use crate::jobs::tracker::Schedule;
use crate::jobs::{Job, JobEventRecord, JobRequest, JobState};
use crate::media_urls::MediaUrls;
use crate::offline::EmbeddedAgent;
use crate::paths::DataDir;
use crate::settings::{check_library_dir, split_proxy_password, with_proxy_password, Settings};
use crate::store::Store;

/// How to open a [`Studio`]. `Default` is what the app uses.
#[derive(Debug, Clone)]
pub struct StudioConfig {
    /// None = `VAS_DATA_DIR` or the platform data dir.
    pub data_dir: Option<PathBuf>,
    /// Overrides `HEYGEN_BASE_URL` and the settings (CLI `--base-url`).
    pub base_url: Option<String>,
    /// A key to use instead of the keyring (tests). Never stored.
    pub api_key: Option<Secret>,
    /// Which keyring service holds the key.
    pub credentials: Credentials,
    /// Force offline mode on/off (None = the setting).
    pub offline: Option<bool>,
    /// Poll cadence scale: 1.0 = HeyGen's 10 s / 30 s / 60 s.
    pub poll_scale: f64,
    /// The embedded local agent's clock (simulated minutes per real second).
    pub local_agent_time_scale: f64,
    /// Shared request budget: burst size and sustained requests per second.
    pub budget_burst: u32,
    pub budget_per_second: f64,
    pub max_concurrent_downloads: usize,
    /// Client retry policy override (tests shorten the waits).
    pub retry: Option<RetryPolicy>,
    /// Overrides the library folder setting for this process (CLI `--out`).
    pub library_dir: Option<PathBuf>,
    /// A chat session this long in `thinking` is flagged as stuck (the UI offers Stop).
    pub stuck_thinking_after: Duration,
}

impl Default for StudioConfig {
    fn default() -> Self {
        Self {
            data_dir: None,
            base_url: None,
            api_key: None,
            credentials: Credentials::new(),
            offline: None,
            poll_scale: 1.0,
            local_agent_time_scale: 60.0,
            budget_burst: 5,
            budget_per_second: 1.0,
            max_concurrent_downloads: 2,
            retry: None,
            library_dir: None,
            stuck_thinking_after: Duration::from_secs(15 * 60),
        }
    }
}

/// The account behind the key (Settings → "Test key").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSummary {
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub billing_type: Option<String>,
    pub balance: Option<Balance>,
    /// True when talking to the embedded local agent.
    pub offline: bool,
    /// The whole answer, for the billing details (plan, reset date, spending cap, auto-reload).
    pub user: heygen_api::models::User,
}

/// Where the key comes from, without revealing it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyStatus {
    pub source: Option<KeySource>,
    pub offline: bool,
    pub base_url: String,
}

/// One page of a catalogue, from the server or (when it cannot be reached) from the cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CataloguePage<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
    pub from_cache: bool,
}

pub struct Studio {
    data: DataDir,
    store: Arc<Store>,
    engine: Arc<Engine>,
    connector: Arc<Connector>,
    schedule: Arc<Schedule>,
    tracker: Mutex<Option<JoinHandle<()>>>,
    settings: Mutex<Settings>,
    library_override: Option<PathBuf>,
    agent: tokio::sync::Mutex<Option<EmbeddedAgent>>,
    agent_time_scale: f64,
    offline_error: Mutex<Option<crate::error::ErrorView>>,
    /// Imported CSVs being previewed and the running batches' runner tasks.
    batches: crate::batch::BatchHub,
    media_urls: MediaUrls,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A 429 the client waits out by itself is shown at once (the app's countdown banner), not only
/// after the client's retries ran out (`Engine::note_rate_limit`).
fn rate_limit_notices(events: EventBus) -> RetryHook {
    RetryHook::new(move |notice| {
        if notice.rate_limited {
            events.send(StudioEvent::RateLimited {
                retry_after_secs: notice.delay.as_secs_f64().ceil().max(1.0) as u64,
            });
        }
    })
}

impl Studio {
    /// Open the data dir and database, read settings, start the embedded agent in offline mode.
    /// Call [`resume`](Self::resume) to start following jobs.
    pub async fn open(config: StudioConfig) -> Result<Self> {
        let data = DataDir::resolve(config.data_dir.clone())?;
        let store = Arc::new(Store::open(&data.db_path())?);
        let mut settings = Settings::load(&store)?;
        // A proxy password saved by an older version moves to the keyring.
        let proxy_password = match settings.proxy.as_deref().map(split_proxy_password) {
            Some((url, Some(password))) => {
                let creds = config.credentials.clone();
                let secret = Secret::new(password.clone());
                let moved =
                    tokio::task::spawn_blocking(move || creds.set_proxy_password(&secret)).await?;
                if let Err(e) = moved {
                    tracing::warn!(error = %e, "the proxy password could not move to the keyring");
                }
                settings.proxy = Some(url);
                settings.save(&store)?;
                Some(password)
            }
            Some((_, None)) => {
                let creds = config.credentials.clone();
                tokio::task::spawn_blocking(move || creds.proxy_password())
                    .await
                    .ok()
                    .and_then(|r| r.ok().flatten())
                    .map(|s| s.expose().to_string())
            }
            None => None,
        };
        let events = EventBus::new();
        let connector = Connector::new(
            config.credentials.clone(),
            config.api_key.clone(),
            config.base_url.clone(),
            config.retry.clone(),
            Some(rate_limit_notices(events.clone())),
        );
        *lock(&connector.settings_base_url) = settings.base_url.clone();
        *lock(&connector.proxy) = settings
            .proxy
            .as_deref()
            .map(|p| with_proxy_password(p, proxy_password.as_deref()));
        *lock(&connector.active) = settings.active_credential;
        let connect_with = connector.clone();
        let library = config
            .library_dir
            .clone()
            .unwrap_or_else(|| settings.effective_library_dir());
        let engine = Engine::new(EngineParts {
            store: store.clone(),
            events,
            budget: RequestBudget::new(config.budget_burst, config.budget_per_second),
            cadence: Cadence::scaled(config.poll_scale),
            connect: Arc::new(move || connect_with.connect()),
            library_dir: library,
            download_captions: settings.download_captions,
            max_downloads: config.max_concurrent_downloads,
            stuck_after: config.stuck_thinking_after,
        });
        let studio = Self {
            data,
            store,
            engine,
            connector,
            schedule: Arc::new(Schedule::default()),
            tracker: Mutex::new(None),
            settings: Mutex::new(settings.clone()),
            library_override: config.library_dir.clone(),
            agent: tokio::sync::Mutex::new(None),
            agent_time_scale: config.local_agent_time_scale,
            offline_error: Mutex::new(None),
            batches: Default::default(),
            media_urls: MediaUrls::new(),
        };
        match config.offline {
            Some(true) => {
                studio.start_offline().await?;
            }
            Some(false) => {}
            None if settings.offline_mode => {
                // From the settings: a failure must not keep the app from opening. The UI sees
                // it through `offline_error()` and can retry with `start_offline()`.
                if let Err(e) = studio.start_offline().await {
                    tracing::error!(error = %e, "offline mode could not start");
                    *lock(&studio.offline_error) = Some(e.view());
                }
            }
            None => {}
        }
        Ok(studio)
    }

    pub fn data_dir(&self) -> &Path {
        self.data.root()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Subscribe to job and progress events.
    pub fn subscribe(&self) -> broadcast::Receiver<StudioEvent> {
        self.engine.events.subscribe()
    }

    // ---- connection, credentials, account ------------------------------------------------

    pub fn base_url(&self) -> String {
        self.connector.base_url()
    }

    pub fn is_offline(&self) -> bool {
        self.connector.is_offline()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(Credentials) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let creds = self.connector.credentials.clone();
        tokio::task::spawn_blocking(move || f(creds)).await?
    }

    /// Store the key in the keyring (replacing any) and use it from now on.
    pub async fn set_api_key(&self, key: Secret) -> Result<()> {
        self.blocking(move |c| c.set_api_key(&key)).await?;
        self.connector.invalidate();
        Ok(())
    }

    pub async fn remove_api_key(&self) -> Result<bool> {
        let removed = self.blocking(|c| c.remove_api_key()).await?;
        self.connector.invalidate();
        Ok(removed)
    }

    pub async fn key_status(&self) -> Result<KeyStatus> {
        let explicit = self.connector.explicit_key.is_some();
        let source = if explicit {
            Some(KeySource::Environment)
        } else {
            self.blocking(|c| Ok(c.api_key()?.map(|(_, s)| s))).await?
        };
        Ok(KeyStatus {
            source,
            offline: self.is_offline(),
            base_url: self.base_url(),
        })
    }

    /// `GET /v3/users/me` with the key in use (or `candidate`, before storing it).
    pub async fn test_key(&self, candidate: Option<Secret>) -> Result<AccountSummary> {
        let client = match candidate {
            Some(key) => Arc::new(self.connector.client_for(key)?),
            None => self.engine.connected().await?.client,
        };
        let user = client.get_current_user().await?;
        Ok(AccountSummary {
            name: user.display_name(),
            balance: user.balance(),
            billing_type: user.billing_type.as_ref().map(|b| b.as_str().to_string()),
            username: user.username.clone(),
            email: user.email.clone(),
            offline: self.is_offline(),
            user,
        })
    }

    // ---- settings and offline mode -----------------------------------------------------------

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// The media URLs the engine received from the API (what `cached_thumbnail` may fetch).
    pub fn media_urls(&self) -> &MediaUrls {
        &self.media_urls
    }

    /// Save settings and apply them (library folder, base URL, proxy, offline mode).
    /// A changed library folder must pass [`check_library_dir`]; a proxy password goes to the
    /// keyring and the saved proxy URL keeps none.
    pub async fn update_settings(&self, mut new: Settings) -> Result<Settings> {
        let current = self.settings();
        if new.library_dir != current.library_dir {
            if let Some(dir) = &new.library_dir {
                new.library_dir = Some(check_library_dir(dir)?);
            }
        }
        let mut password = None;
        if let Some(proxy) = new.proxy.clone() {
            let (url, given) = split_proxy_password(&proxy);
            new.proxy = Some(url);
            password = match given {
                Some(p) => {
                    let secret = Secret::new(p.clone());
                    self.blocking(move |c| c.set_proxy_password(&secret))
                        .await?;
                    Some(p)
                }
                None => self
                    .blocking(|c| c.proxy_password())
                    .await
                    .ok()
                    .flatten()
                    .map(|s| s.expose().to_string()),
            };
        } else if current.proxy.is_some() {
            let _ = self.blocking(|c| c.remove_proxy_password()).await;
        }
        new.save(&self.store)?;
        let old = std::mem::replace(&mut *lock(&self.settings), new.clone());
        *lock(&self.connector.settings_base_url) = new.base_url.clone();
        *lock(&self.connector.proxy) = new
            .proxy
            .as_deref()
            .map(|p| with_proxy_password(p, password.as_deref()));
        *lock(&self.connector.active) = new.active_credential;
        if self.library_override.is_none() {
            *lock(&self.engine.library_dir) = new.effective_library_dir();
        }
        self.engine
            .download_captions
            .store(new.download_captions, std::sync::atomic::Ordering::Relaxed);
        if new.offline_mode && !self.is_offline() {
            self.start_offline().await?;
        } else if !new.offline_mode && old.offline_mode && self.is_offline() {
            self.stop_offline().await;
        }
        self.connector.invalidate();
        Ok(new)
    }

    /// Start the embedded local agent and point the client at it.
    pub async fn start_offline(&self) -> Result<String> {
        let mut slot = self.agent.lock().await;
        if let Some(a) = slot.as_ref() {
            return Ok(a.base_url());
        }
        let agent =
            EmbeddedAgent::start(&self.data.local_agent_dir(), self.agent_time_scale).await?;
        let url = agent.base_url();
        *lock(&self.offline_error) = None;
        *lock(&self.connector.offline) = Some((url.clone(), agent.key().clone()));
        *slot = Some(agent);
        self.connector.invalidate();
        Ok(url)
    }

    /// Why offline mode (turned on in settings) could not start at open, if it failed.
    pub fn offline_error(&self) -> Option<crate::error::ErrorView> {
        lock(&self.offline_error).clone()
    }

    pub async fn stop_offline(&self) {
        *lock(&self.connector.offline) = None;
        self.connector.invalidate();
        if let Some(agent) = self.agent.lock().await.take() {
            agent.shutdown().await;
        }
    }

    // ---- jobs -------------------------------------------------------------------------------

    /// Validate, persist and send a job; the tracker follows it from there (call `resume` once).
    pub async fn submit(&self, request: JobRequest) -> Result<Job> {
        let job = self.engine.submit(request, None).await;
        self.schedule.wake.notify_one();
        job
    }

    pub fn jobs(&self) -> Result<Vec<Job>> {
        self.store.list_jobs()
    }

    /// A page of jobs, newest first, and the total count (for a virtualised library list).
    pub fn jobs_page(&self, offset: u64, limit: u64) -> Result<(Vec<Job>, u64)> {
        Ok((
            self.store.list_jobs_page(offset, limit)?,
            self.store.count_jobs()?,
        ))
    }

    pub fn job(&self, id: &str) -> Result<Job> {
        self.store.job(&self.resolve_id(id)?)
    }

    /// Accept a unique prefix of a job id (the CLI shows 8 characters).
    pub fn resolve_id(&self, id: &str) -> Result<String> {
        if self.store.get_job(id)?.is_some() {
            return Ok(id.to_string());
        }
        let matches: Vec<String> = self
            .store
            .list_jobs()?
            .into_iter()
            .filter(|j| !id.is_empty() && j.id.starts_with(id))
            .map(|j| j.id)
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(CoreError::NotFound {
                what: "job",
                id: id.to_string(),
            }),
            _ => Err(CoreError::invalid(
                ErrorCode::AmbiguousId,
                Some("id"),
                format!("{id} matches several jobs; give more characters"),
            )),
        }
    }

    pub fn job_history(&self, id: &str) -> Result<Vec<JobEventRecord>> {
        self.store.job_events(&self.resolve_id(id)?)
    }

    /// Ask the server to stop the session (at its next checkpoint) and mark the job `stopped`.
    /// A job that never reached the server is simply cancelled.
    pub async fn stop(&self, id: &str) -> Result<Job> {
        let id = self.resolve_id(id)?;
        let job = self.store.job(&id)?;
        let Some(session_id) = job.session_id.clone() else {
            return self.cancel(&id).await;
        };
        // Take the job from the tracker first, so a poll cannot record the server's view of the
        // stop ("failed") before we record ours.
        let _claim = self.claim(&id).await?;
        let job = self.store.job(&id)?;
        if job.state.is_terminal() {
            return Ok(job);
        }
        let conn = self.engine.connected().await?;
        conn.client.stop_video_agent_session(&session_id).await?;
        self.engine
            .move_to(&id, JobState::Stopped, Some("stopped by user"))
    }

    /// Cancel whatever the tracker is doing for the job and hold it until the guard drops.
    async fn claim(&self, id: &str) -> Result<crate::engine::ActiveGuard> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            self.engine.cancel_work(id);
            if let Some(guard) = self.engine.try_begin(id) {
                return Ok(guard);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CoreError::Busy(format!("job {id}")));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stop following the job here (the server is not told).
    pub async fn cancel(&self, id: &str) -> Result<Job> {
        let id = self.resolve_id(id)?;
        self.engine.cancel_work(&id);
        self.engine
            .move_to(&id, JobState::Cancelled, Some("cancelled by user"))
    }

    /// A new job with the same inputs as `id` — unless the job failed while downloading a video
    /// the server has: then the download is tried again (resuming its `.part`), nothing re-made.
    pub async fn retry(&self, id: &str) -> Result<Job> {
        let old = self.job(id)?;
        if self.engine.failed_while_downloading(&old.id)? {
            return self.download(&old.id).await;
        }
        let job = self.engine.submit(old.request.clone(), Some(old.id)).await;
        self.schedule.wake.notify_one();
        job
    }

    /// Forget a job (cancelling its work). With `remove_files`, its library files go too.
    pub async fn delete(&self, id: &str, remove_files: bool) -> Result<bool> {
        let id = self.resolve_id(id)?;
        let job = self.store.job(&id)?;
        self.engine.cancel_work(&id);
        if remove_files {
            let o = &job.outputs;
            for p in [&o.video, &o.thumbnail, &o.subtitles, &o.captioned_video]
                .into_iter()
                .flatten()
            {
                let _ = tokio::fs::remove_file(p).await;
            }
        }
        self.store.delete_job(&id)
    }

    /// Delete a job's video on the server (`DELETE /v3/videos/{id}`); false when the job never
    /// got a video id. The local row and files are handled by [`Studio::delete`].
    pub async fn delete_from_server(&self, id: &str) -> Result<bool> {
        let id = self.resolve_id(id)?;
        let Some(video_id) = self.store.job(&id)?.video_id else {
            return Ok(false);
        };
        let client = self.engine.connected().await?.client;
        Ok(client.delete_video(&video_id).await?.deleted)
    }

    /// Download (again) a completed job's files now; the tracker does the work.
    pub async fn download(&self, id: &str) -> Result<Job> {
        let id = self.resolve_id(id)?;
        let job = self.store.job(&id)?;
        if job.video_id.is_none() {
            return Err(CoreError::invalid(
                ErrorCode::NotReady,
                None,
                "This job has no finished video yet",
            ));
        }
        if matches!(job.state, JobState::Downloaded | JobState::Failed) {
            // Through `downloading` (the only legal way back) to `completed` for the tracker.
            self.engine
                .move_to(&id, JobState::Downloading, Some("download requested"))?;
            self.engine
                .move_to(&id, JobState::Completed, Some("download requested"))?;
        }
        self.ensure_tracker();
        self.schedule.all_due_now();
        self.store.job(&id)
    }

    /// Startup sweep: start the tracker and make every non-terminal job due now. Jobs with a
    /// session or video id are re-polled; jobs that never got a session id (including drafts
    /// left by a process that died) send their create with the stored idempotency key;
    /// finished videos resume their downloads.
    pub fn resume(&self) {
        // Drafts a dead process never sent become `uploading` first, so they count as live.
        if let Err(e) = self.engine.take_up_orphan_drafts() {
            tracing::error!(error = %e, "cannot resume unsent drafts");
        }
        self.ensure_tracker();
        self.schedule.all_due_now();
        self.resume_batches();
    }

    pub(crate) fn ensure_tracker(&self) {
        let mut t = lock(&self.tracker);
        if t.as_ref().is_none_or(|h| h.is_finished()) {
            let engine = self.engine.clone();
            let schedule = self.schedule.clone();
            *t = Some(tokio::spawn(engine.run_tracker(schedule)));
        }
    }

    /// Wait until the job reaches a terminal state (the tracker must be running).
    pub async fn wait_for(&self, id: &str) -> Result<Job> {
        let id = self.resolve_id(id)?;
        let mut events = self.subscribe();
        loop {
            let job = self.store.job(&id)?;
            if job.state.is_terminal() {
                return Ok(job);
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
        }
    }

    /// Wait until no job is live any more; returns the jobs that were live when called.
    pub async fn wait_all(&self) -> Result<Vec<Job>> {
        let ids: Vec<String> = self.store.live_jobs()?.into_iter().map(|j| j.id).collect();
        let mut done = Vec::new();
        for id in ids {
            done.push(self.wait_for(&id).await?);
        }
        Ok(done)
    }

    /// Stop the tracker and the embedded agent. In-flight downloads keep their `.part` files.
    pub async fn shutdown(&self) {
        self.engine.shutdown.cancel();
        let handle = lock(&self.tracker).take();
        if let Some(h) = handle {
            let _ = tokio::time::timeout(Duration::from_secs(5), h).await;
        }
        self.stop_offline().await;
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub(crate) fn schedule(&self) -> &Arc<Schedule> {
        &self.schedule
    }

    pub(crate) fn batch_hub(&self) -> &crate::batch::BatchHub {
        &self.batches
    }

    /// Make every job and followed session due now (after a user action).
    pub(crate) fn wake_tracker(&self) {
        self.schedule.all_due_now();
    }
}
