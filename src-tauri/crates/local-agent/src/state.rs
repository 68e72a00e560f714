//! Shared server state handed to every handler and background task.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::cdn::Signer;
use crate::faults::FaultState;
use crate::store::Db;

pub const DEFAULT_MAX_ACTIVE_JOBS: usize = 10;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub data_dir: PathBuf,
    pub api_keys: Vec<String>,
    pub time_scale: f64,
    db: Mutex<Db>,
    dirty: Notify,
    /// One state write at a time (see `write_snapshot`).
    persist_lock: Mutex<()>,
    pub faults: FaultState,
    pub stats: Stats,
    pub signer: Signer,
    base_url: OnceLock<String>,
    /// Renders share 2 cores: at most this many ffmpeg encodes at once.
    pub render_slots: Semaphore,
    pub max_active_jobs: AtomicUsize,
    /// How many synthetic styles the catalogue lists after the built-in ones.
    pub extra_styles: AtomicUsize,
    pub shutdown: CancellationToken,
    pub http: reqwest::Client,
    /// One job driver per session at a time.
    pub drivers: Mutex<std::collections::HashMap<String, (u64, CancellationToken)>>,
    pub driver_gen: AtomicU64,
    /// Lazily generated media (style thumbnails, previews…) must not be generated twice at once.
    pub media_locks: Mutex<std::collections::HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    pub espeak_available: bool,
    /// Inline callbacks are signed with the credential that created the session. Kept in memory
    /// only, so no API key is ever written to the data dir.
    callback_secrets: Mutex<std::collections::HashMap<String, String>>,
    /// HeyGen-fidelity switches (see `behaviour.rs`).
    behaviour: Mutex<crate::behaviour::Behaviour>,
    /// Grants of the OAuth server (memory only).
    pub oauth: crate::oauth::OAuthServer,
    /// Idempotency keys whose first request is still running.
    pub idem_in_progress: Mutex<std::collections::HashSet<String>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

#[derive(Default)]
pub struct Stats {
    pub creates: AtomicU64,
    pub bytes_served: AtomicU64,
    pub requests: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl AppState {
    pub fn new(
        data_dir: PathBuf,
        api_keys: Vec<String>,
        time_scale: f64,
        db: Db,
        faults: crate::faults::FaultConfig,
    ) -> Self {
        let signer = Signer::new(db.signing_key.as_bytes());
        AppState(Arc::new(Inner {
            data_dir,
            api_keys,
            time_scale,
            db: Mutex::new(db),
            dirty: Notify::new(),
            persist_lock: Mutex::new(()),
            faults: FaultState::new(faults),
            stats: Stats::default(),
            signer,
            base_url: OnceLock::new(),
            render_slots: Semaphore::new(1),
            max_active_jobs: AtomicUsize::new(DEFAULT_MAX_ACTIVE_JOBS),
            extra_styles: AtomicUsize::new(0),
            shutdown: CancellationToken::new(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            drivers: Mutex::new(Default::default()),
            driver_gen: AtomicU64::new(0),
            media_locks: Mutex::new(Default::default()),
            espeak_available: crate::render::espeak_available(),
            idem_in_progress: Mutex::new(Default::default()),
            oauth: Default::default(),
            behaviour: Mutex::new(Default::default()),
            callback_secrets: Mutex::new(Default::default()),
        }))
    }

    pub fn set_base_url(&self, url: String) {
        let _ = self.base_url.set(url);
    }

    pub fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    /// Read access to the state (short critical sections only; never across `.await`).
    pub fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Mutates the state and schedules a write to disk.
    pub fn update<R>(&self, f: impl FnOnce(&mut Db) -> R) -> R {
        let r = f(&mut self.db());
        self.dirty.notify_one();
        r
    }

    pub fn behaviour(&self) -> crate::behaviour::Behaviour {
        self.behaviour
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_behaviour(&self, b: crate::behaviour::Behaviour) {
        *self.behaviour.lock().unwrap_or_else(|p| p.into_inner()) = b;
    }

    pub fn extra_styles(&self) -> usize {
        self.extra_styles.load(Ordering::Relaxed)
    }

    pub fn max_active_jobs(&self) -> usize {
        self.max_active_jobs.load(Ordering::SeqCst)
    }

    /// Simulated waiting: `minutes` of HeyGen time, divided by the time scale.
    pub fn sim(&self, minutes: f64) -> std::time::Duration {
        let scale = if self.time_scale > 0.0 {
            self.time_scale
        } else {
            1.0
        };
        std::time::Duration::from_secs_f64((minutes * 60.0 / scale).max(0.0))
    }

    pub fn videos_dir(&self) -> PathBuf {
        self.data_dir.join("videos")
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.data_dir.join("assets")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    fn snapshot(&self) -> Vec<u8> {
        serde_json::to_vec(&*self.db()).unwrap_or_default()
    }

    /// Writes the whole state. One writer at a time, with the snapshot taken under the lock:
    /// concurrent writes (the batching persister, durable requests) never share the temp file
    /// and land in order, so an older snapshot cannot replace a newer one.
    fn write_snapshot(&self) -> Result<(), crate::persistence::PersistError> {
        let _writing = self.persist_lock.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = self.snapshot();
        crate::persistence::save_bytes(&self.data_dir, &bytes)
    }

    pub async fn persist_now(&self) {
        let state = self.clone();
        let res = tokio::task::spawn_blocking(move || state.write_snapshot()).await;
        if let Ok(Err(e)) = res {
            tracing::error!("persisting state failed: {e}");
        }
    }

    pub fn persist_blocking_best_effort(&self) {
        if let Err(e) = self.write_snapshot() {
            tracing::error!("persisting state failed: {e}");
        }
    }

    /// Background writer: coalesces bursts of changes into one write.
    pub async fn run_persister(self) {
        loop {
            tokio::select! {
                _ = self.dirty.notified() => {}
                _ = self.shutdown.cancelled() => break,
            }
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            self.persist_now().await;
        }
    }

    pub fn count_request(&self, key: String) {
        let mut m = self
            .stats
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *m.entry(key).or_insert(0) += 1;
    }

    pub fn remember_callback_secret(&self, session_id: &str, secret: &str) {
        let mut m = self
            .callback_secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        m.insert(session_id.to_string(), secret.to_string());
    }

    pub fn callback_secret(&self, session_id: &str) -> Option<String> {
        let m = self
            .callback_secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        m.get(session_id).cloned()
    }

    pub fn media_lock(&self, path: &std::path::Path) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.media_locks.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(path.to_path_buf()).or_default().clone()
    }
}
