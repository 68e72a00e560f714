//! The local Video Agent: a loopback server that speaks HeyGen's Video Agent v3 API
//! (see `shared/spec/video-agent-api.md`), renders real MP4s with ffmpeg and espeak-ng,
//! serves them from its own signed-URL "CDN", and injects faults on request.
//!
//! Usable in-process from any tokio runtime (`start`) or as the `local-agent` binary.

mod admin;
mod app;
mod auth;
mod behaviour;
mod catalog;
mod cdn;
mod changes;
mod conn;
mod error;
mod faults;
mod hostile;
mod idempotency;
mod jobs;
mod json_errors;
mod json_input;
mod media;
mod middleware;
mod narrative;
mod oauth;
mod pagination;
mod pdf_text;
mod persistence;
mod planner;
mod presenter;
pub mod probe;
mod render;
mod routes;
mod state;
mod store;
mod synthetic_styles;
mod util;
mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use behaviour::{Behaviour, BillingType, CreateAnswer};
pub use error::StartError;
pub use faults::{FaultConfig, FaultKind, FaultRule, RetryAfterFormat};
pub use hostile::{titles as hostile_titles, ID_PREFIXES as HOSTILE_ID_PREFIXES};
pub use oauth::{OAuthSettings, OAuthStats, ACCESS_PREFIX as OAUTH_ACCESS_PREFIX};
pub use planner::{plan, PlanInput, Storyboard};

/// Helpers for tests of this crate and of its clients.
pub mod testing {
    /// A minimal one-page PDF showing `lines` (text the planner can read).
    pub use crate::pdf_text::minimal_pdf;

    /// What a user does on the consent page, over plain HTTP (Rust tests; the desktop e2e uses a
    /// real browser): loads `authorize_url`, presses Approve or Deny, and returns where the page
    /// redirects the browser (the app's loopback callback), without following it.
    pub async fn consent(authorize_url: &str, approve: bool) -> Result<String, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let page = http
            .get(authorize_url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = page.status();
        let html = page.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("authorize page answered {status}: {html}"));
        }
        let marker = "name=\"consent\" value=\"";
        let start = html.find(marker).ok_or("no consent form on the page")? + marker.len();
        let consent = &html[start..start + html[start..].find('"').ok_or("bad form")?];
        let url = url::Url::parse(authorize_url).map_err(|e| e.to_string())?;
        let action = url.join("/oauth/authorize").map_err(|e| e.to_string())?;
        let decision = if approve { "approve" } else { "deny" };
        let answer = http
            .post(action)
            .form(&[("consent", consent), ("decision", decision)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        answer
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| format!("the consent answer ({}) did not redirect", answer.status()))
    }
}

/// How to run a local agent.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// State (`state.json`) and rendered files persist here.
    pub data_dir: PathBuf,
    /// Accepted API keys (as `X-Api-Key` or `Authorization: Bearer`). Empty means any non-empty
    /// key or token is accepted — convenient for offline mode and tests.
    pub api_keys: Vec<String>,
    /// Divides simulated waiting (queueing, thinking, storyboard preparation), which is given in
    /// minutes at 1.0 as on HeyGen. 60 turns each simulated minute into a second.
    pub time_scale: f64,
    /// Initial faults (also settable at run time via `/__admin/faults`).
    pub faults: FaultConfig,
    /// Synthetic styles listed after the built-in ones (scale benchmarks: a 1,000-style
    /// gallery); each has its own palette and a real PNG thumbnail. At most 10,000.
    pub extra_styles: usize,
    /// Replay `Idempotency-Key` on session creates (HeyGen: not documented there; default off).
    pub honour_create_idempotency: bool,
    /// What a one-shot create answers (default: HeyGen's `generating` with a `video_id`).
    pub create_answer: CreateAnswer,
    /// Simulated seconds a completed direct upload stays `processing` (0 = ready at once).
    pub asset_processing_secs: f64,
    /// Session list items carry status/progress/video id/mode too (HeyGen's do not).
    pub full_list_items: bool,
    /// Which billing block `GET /v3/users/me` fills.
    pub billing_type: BillingType,
    /// The OAuth server (`/oauth/authorize`, `/v1/oauth/token`, `/v1/oauth/revoke`).
    pub oauth: OAuthSettings,
    /// Mount `/__admin/*` (faults, stats, blobs, behaviour…) for tests and benchmarks. Off by
    /// default: those routes change what the agent does and read what it holds. When on, they
    /// need one of `api_keys` (so at least one must be configured).
    pub admin: bool,
    /// Serve hostile session/video ids and titles (`../`, absolute paths, NUL, reserved names,
    /// 300 characters, right-to-left marks) so clients can prove their file naming is safe.
    pub hostile_names: bool,
}

impl Config {
    /// Defaults: `127.0.0.1:0`, any key accepted, time scale 60, no faults, no synthetic styles,
    /// HeyGen mode (see [`Behaviour`]).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            api_keys: Vec::new(),
            time_scale: 60.0,
            faults: FaultConfig::default(),
            extra_styles: 0,
            honour_create_idempotency: false,
            create_answer: CreateAnswer::Generating,
            asset_processing_secs: Behaviour::default().asset_processing_secs,
            full_list_items: false,
            billing_type: BillingType::Wallet,
            oauth: OAuthSettings::default(),
            admin: false,
            hostile_names: false,
        }
    }

    /// The fidelity switches as one value (what `/__admin/behaviour` shows).
    pub fn behaviour(&self) -> Behaviour {
        Behaviour {
            honour_create_idempotency: self.honour_create_idempotency,
            create_answer: self.create_answer,
            asset_processing_secs: self.asset_processing_secs,
            full_list_items: self.full_list_items,
            billing_type: self.billing_type,
            hostile_names: self.hostile_names,
            ..Behaviour::default()
        }
    }

    /// Sets every fidelity switch from `b`.
    pub fn with_behaviour(mut self, b: Behaviour) -> Self {
        self.honour_create_idempotency = b.honour_create_idempotency;
        self.create_answer = b.create_answer;
        self.asset_processing_secs = b.asset_processing_secs;
        self.full_list_items = b.full_list_items;
        self.billing_type = b.billing_type;
        self.hostile_names = b.hostile_names;
        self
    }
}

/// Binds the listener, loads persisted state, resumes unfinished jobs and serves in the background.
pub async fn start(config: Config) -> Result<RunningAgent, StartError> {
    app::start(config).await
}

/// A running server. Dropping it shuts it down (best effort); prefer `shutdown().await`.
pub struct RunningAgent {
    addr: SocketAddr,
    state: state::AppState,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl RunningAgent {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the active fault set (same as `POST /__admin/faults`).
    pub fn set_faults(&self, faults: FaultConfig) {
        self.state.faults.replace(faults);
    }

    /// Replaces the fidelity switches (same as `POST /__admin/behaviour` with every field).
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.state.set_behaviour(behaviour);
    }

    pub fn behaviour(&self) -> Behaviour {
        self.state.behaviour()
    }

    /// Makes every access token issued so far expire now (same as `POST /__admin/oauth`
    /// `{"expire_access_tokens": true}`).
    pub fn expire_oauth_access_tokens(&self) -> usize {
        self.state.oauth.expire_access_tokens()
    }

    /// Revokes every refresh token (the next refresh answers `invalid_grant`).
    pub fn revoke_oauth_refresh_tokens(&self) -> usize {
        self.state.oauth.revoke_refresh_tokens()
    }

    /// What the OAuth server did so far (codes, tokens, refreshes, revocations, expired tokens
    /// refused).
    pub fn oauth_stats(&self) -> OAuthStats {
        self.state.oauth.stats()
    }

    /// Replaces the OAuth server's settings.
    pub fn set_oauth(&self, settings: OAuthSettings) {
        self.state.oauth.configure(settings);
    }

    /// Sets how many jobs may be active (thinking or generating) before creates get 429.
    pub fn set_max_active_jobs(&self, n: usize) {
        self.state
            .max_active_jobs
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Graceful shutdown: stops accepting, cancels running jobs (they resume on the next start
    /// over the same data dir), writes state to disk.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(server) = self.server.take() {
            // Long downloads could hold graceful shutdown open; don't wait forever.
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        self.state.persist_now().await;
    }
}

impl Drop for RunningAgent {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if self.server.is_some() {
            self.state.persist_blocking_best_effort();
        }
    }
}
