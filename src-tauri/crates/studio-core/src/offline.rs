//! Offline mode: an embedded local Video Agent on `127.0.0.1:0`, with a random key that lives only
//! in memory, a fast clock, and its data under `<data dir>/local-agent`.

use std::path::Path;

use heygen_api::Secret;
use rand::RngCore;

use crate::error::{CoreError, Result};

pub struct EmbeddedAgent {
    agent: local_agent::RunningAgent,
    key: Secret,
}

impl std::fmt::Debug for EmbeddedAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedAgent")
            .field("base_url", &self.agent.base_url())
            .finish_non_exhaustive()
    }
}

impl EmbeddedAgent {
    /// Start an agent over `data_dir` (created if missing). `time_scale` divides its simulated
    /// minutes (60 = a simulated minute per second).
    pub async fn start(data_dir: &Path, time_scale: f64) -> Result<Self> {
        Self::start_at(([127, 0, 0, 1], 0).into(), data_dir, time_scale).await
    }

    /// Like [`start`](Self::start) on a chosen address (`vas local --addr`).
    pub async fn start_at(
        addr: std::net::SocketAddr,
        data_dir: &Path,
        time_scale: f64,
    ) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| CoreError::io(data_dir, e))?;
        let mut raw = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut raw);
        let key = Secret::new(format!("local-{}", hex::encode(raw)));
        let config = local_agent::Config {
            api_keys: vec![key.expose().to_string()],
            time_scale,
            addr,
            ..local_agent::Config::new(data_dir)
        };
        let agent = local_agent::start(config)
            .await
            .map_err(|e| CoreError::LocalAgent(e.to_string()))?;
        tracing::info!(base_url = %agent.base_url(), "embedded local agent started");
        Ok(Self { agent, key })
    }

    pub fn base_url(&self) -> String {
        self.agent.base_url()
    }

    pub fn key(&self) -> &Secret {
        &self.key
    }

    pub async fn shutdown(self) {
        self.agent.shutdown().await;
    }
}
