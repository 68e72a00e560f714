//! The engine (`studio_core::Studio`) as Tauri managed state.
//!
//! Opening can fail (an unwritable data folder, a damaged database); the app still starts so the
//! UI can say what went wrong, and every command reports the same error.

use std::sync::Arc;

use studio_core::{ErrorView, KeySource, Studio, StudioConfig};

use crate::error::CommandError;
use crate::views::Connection;

/// The engine's defaults, with knobs for tests and demos: `VAS_POLL_SCALE` (1.0 = HeyGen's
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

pub struct Engine {
    opened: Result<Arc<Studio>, ErrorView>,
}

impl Engine {
    /// Opens the engine with the app's defaults (data folder from `VAS_DATA_DIR` or the
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
        Ok(Connection {
            has_key: status.source.is_some(),
            key_source: status.source.map(|source| {
                match source {
                    KeySource::Environment => "environment",
                    KeySource::Keyring => "keyring",
                }
                .to_string()
            }),
            offline: status.offline,
            base_url: status.base_url,
            offline_error: studio.offline_error().map(CommandError::from),
        })
    }

    /// The engine, or why it could not be opened.
    pub fn studio(&self) -> Result<&Arc<Studio>, CommandError> {
        self.opened.as_ref().map_err(|view| view.clone().into())
    }

    /// Stops the tracker and the embedded local agent; downloads keep their `.part` files.
    pub async fn shutdown(&self) {
        if let Ok(studio) = &self.opened {
            studio.shutdown().await;
        }
    }
}
