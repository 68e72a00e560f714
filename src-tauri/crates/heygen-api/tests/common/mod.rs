//! A real `local-agent` on loopback for the integration tests, plus helpers.
#![allow(dead_code)] // each test binary uses a different subset

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use heygen_api::{Auth, Client, ClientConfig, RetryPolicy, Secret};
use serde_json::Value;

pub const API_KEY: &str = "test-key-7f3a9c";

/// Retries as in production but with millisecond delays. `Retry-After` (≥ 1 s from the server)
/// is capped to 250 ms, so a test can tell it was honoured (250 ms ≫ the 10 ms backoff).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        jitter: 0.25,
        retry_after_cap: Duration::from_millis(250),
    }
}

pub struct Harness {
    agent: Option<local_agent::RunningAgent>,
    _dir: tempfile::TempDir,
    pub work: PathBuf,
    pub base_url: String,
    pub client: Client,
    admin: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(|_| {}).await
    }

    /// Starts an agent (accepting only [`API_KEY`], simulated minutes → 0.1 s) and a client.
    pub async fn start_with(tweak: impl FnOnce(&mut ClientConfig)) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("agent");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let config = local_agent::Config {
            api_keys: vec![API_KEY.into()],
            time_scale: 600.0,
            admin: true,
            ..local_agent::Config::new(&data)
        };
        let agent = local_agent::start(config)
            .await
            .expect("local agent starts");
        let base_url = agent.base_url();
        let mut config = ClientConfig::new(base_url.clone(), Auth::ApiKey(Secret::new(API_KEY)));
        config.retry = fast_retry();
        tweak(&mut config);
        let client = Client::new(config).expect("client");
        Harness {
            agent: Some(agent),
            _dir: dir,
            work,
            base_url,
            client,
            // `/__admin/*` needs the agent's key.
            admin: reqwest::Client::builder()
                .default_headers(
                    [(
                        reqwest::header::HeaderName::from_static("x-api-key"),
                        reqwest::header::HeaderValue::from_static(API_KEY),
                    )]
                    .into_iter()
                    .collect(),
                )
                .build()
                .expect("admin client"),
        }
    }

    pub fn client_with(&self, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
        let mut config = self.client.config().clone();
        tweak(&mut config);
        Client::new(config).expect("client")
    }

    /// Replaces the agent's fault set (`POST /__admin/faults`).
    pub async fn faults(&self, faults: Value) {
        let response = self
            .admin
            .post(format!("{}/__admin/faults", self.base_url))
            .json(&faults)
            .send()
            .await
            .expect("admin faults");
        assert!(
            response.status().is_success(),
            "faults rejected: {}",
            response.text().await.unwrap_or_default()
        );
    }

    /// Changes how the agent behaves (`POST /__admin/behaviour`, partial object), e.g. to honour
    /// `Idempotency-Key` on creates where a test is about a caller that relies on it.
    pub async fn behaviour(&self, behaviour: Value) {
        let response = self
            .admin
            .post(format!("{}/__admin/behaviour", self.base_url))
            .json(&behaviour)
            .send()
            .await
            .expect("admin behaviour");
        assert!(
            response.status().is_success(),
            "behaviour rejected: {}",
            response.text().await.unwrap_or_default()
        );
    }

    pub async fn clear_faults(&self) {
        let response = self
            .admin
            .delete(format!("{}/__admin/faults", self.base_url))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    pub async fn active_faults(&self) -> Value {
        self.admin_get("/__admin/faults").await
    }

    pub async fn stats(&self) -> Value {
        self.admin_get("/__admin/stats").await
    }

    /// How often the server's handlers saw `"METHOD /route/{template}"` (faulted requests that
    /// never reached a handler are not counted).
    pub async fn handled(&self, route: &str) -> u64 {
        self.stats().await["requests"][route].as_u64().unwrap_or(0)
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.admin
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("admin get")
            .json()
            .await
            .expect("admin json")
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        self.admin
            .post(format!("{}{path}", self.base_url))
            .json(&body)
            .send()
            .await
            .expect("admin post")
            .json()
            .await
            .expect("admin json")
    }

    pub async fn shutdown(mut self) {
        if let Some(agent) = self.agent.take() {
            agent.shutdown().await;
        }
    }
}

/// Polls `probe` every 100 ms until it returns `Some`, failing after `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A mono 16-bit 8 kHz WAV with a 440 Hz tone, `seconds` long.
pub fn write_wav(path: &Path, seconds: u32) {
    let rate = 8000u32;
    let samples = rate * seconds;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = i as f64 / rate as f64;
        let v = ((t * 440.0 * std::f64::consts::TAU).sin() * 8000.0) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, out).unwrap();
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
