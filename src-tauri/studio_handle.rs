//! The studio (`studio_core::Studio`) as Tauri managed state: [`StudioHandle`] holds it, or why
//! it could not be opened.
//!
//! Opening can fail (an unwritable data folder, a damaged database); the app still starts so the
//! UI can say what went wrong, and every command reports the same error.

use std::sync::Arc;

use studio_core::{ErrorView, KeySource, Studio, StudioConfig};

use crate::error::CommandError;
use crate::views::Connection;

/// The studio's defaults, with knobs for tests and demos: `VAS_POLL_SCALE` (1.0 = HeyGen's
/// 10 s / 30 s / 60 s polling), `VAS_LOCAL_AGENT_TIME_SCALE` (the offline agent's clock) and
/// `VAS_STUCK_THINKING_AFTER_SECS` (when a chat session in `thinking` is flagged as stuck).
fn config_from_env() -> StudioConfig {
    let mut config = StudioConfig::default();
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    if let Some(scale) = number("VAS_POLL_SCALE") {
        config.poll_scale = scale;
    }
    if let Some(scale) = number("VAS_LOCAL_AGENT_TIME_SCALE") {
        config.local_agent_time_scale = scale;
    }
    if let Some(secs) = number("VAS_STUCK_THINKING_AFTER_SECS") {
        config.stuck_thinking_after = std::time::Duration::from_secs_f64(secs);
    }
    config
}

pub struct StudioHandle {
    opened: Result<Arc<Studio>, ErrorView>,
}

impl StudioHandle {
    /// Opens the studio with the app's defaults (data folder from `VAS_DATA_DIR` or the
    /// platform's, shared with the `vas` CLI) and resumes every unfinished job.
    /// Must run inside the async runtime: resuming starts the background tracker.
    pub async fn open() -> Self {
        let opened = match Studio::open(config_from_env()).await {
            Ok(studio) => {
                studio.resume();
                Ok(Arc::new(studio))
            }
            Err(error) => Err(error.view()),
        };
        Self { opened }
    }

    /// Whether a key is stored and where requests go (never the key).
    pub async fn connection(&self) -> Result<Connection, CommandError> {
        let studio = self.studio()?;
        let status = studio.key_status().await?;
        let auth = studio.auth_status().await?;
        Ok(Connection {
            has_key: status.source.is_some() || auth.oauth_signed_in,
            credential: auth.active.map(|kind| {
                match kind {
                    studio_core::CredentialKind::ApiKey => "api_key",
                    studio_core::CredentialKind::OAuth => "oauth",
                }
                .to_string()
            }),
            oauth_signed_in: auth.oauth_signed_in,
            oauth_account: auth.oauth_account,
            api_key_last4: auth.api_key_last4,
            sign_in_unavailable: auth.sign_in_unavailable,
            key_source: status.source.map(|source| {
                match source {
                    KeySource::Environment => "environment",
                    KeySource::Keyring => "keyring",
                }
                .to_string()
            }),
            offline: status.offline,
            base_url: status.base_url,
            offline_error: studio.offline_error(),
        })
    }

    /// The studio, or why it could not be opened.
    pub fn studio(&self) -> Result<&Arc<Studio>, CommandError> {
        self.opened.as_ref().map_err(|view| view.clone())
    }

    /// Stops the tracker and the embedded local agent; downloads keep their `.part` files.
    pub async fn shutdown(&self) {
        if let Ok(studio) = &self.opened {
            studio.shutdown().await;
        }
    }
}
