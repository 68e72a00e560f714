//! The local agent under test: started as its own process (so its memory and CPU are not
//! counted as ours) or reached at a base URL, and driven through its `/__admin/*` routes.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::error::{QaError, QaResult};

/// A `local-agent` process; killed when dropped.
pub struct AgentProcess {
    child: Child,
    pub base_url: String,
}

impl AgentProcess {
    /// Runs `bin --data-dir DIR --addr 127.0.0.1:0 ARGS…` and waits for its `listening on` line.
    pub async fn spawn(bin: &Path, data_dir: &Path, args: &[&str]) -> QaResult<Self> {
        let mut child = Command::new(bin)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| QaError::io(format!("starting {}", bin.display()), e))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| QaError::Protocol("local-agent did not start within 30 s".into()))?
            .map_err(|e| QaError::io("reading local-agent output", e))?
            .unwrap_or_default();
        let base_url = first
            .strip_prefix("listening on ")
            .ok_or_else(|| QaError::Protocol(format!("unexpected local-agent output: {first}")))?
            .trim()
            .to_string();
        // Keep draining stdout so the agent never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, base_url })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A blob made by `POST /__admin/blobs`.
#[derive(Debug, Clone, Deserialize)]
pub struct Blob {
    pub url: String,
    pub size_bytes: u64,
    pub path: String,
}

/// The keys the benchmark agent process accepts: its admin key and those the drivers use
/// (transfers `qa-bench`, tracking `qa-tracking`, soak `qa-soak-key`).
pub const BENCH_KEYS: &[&str] = &["qa-bench", "qa-tracking", "qa-soak-key"];

/// `local-agent` arguments that mount `/__admin/*` and accept [`BENCH_KEYS`].
pub fn bench_agent_args() -> Vec<&'static str> {
    let mut args = vec!["--admin"];
    for key in BENCH_KEYS {
        args.extend(["--api-key", key]);
    }
    args
}

/// The agent's admin API (`/__admin/*`, mounted with `--admin` / `Config::admin`), called with
/// one of the agent's keys, which those routes require.
#[derive(Clone)]
pub struct Admin {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Admin {
    pub fn new(base_url: &str, key: &str) -> Self {
        Self {
            key: key.to_string(),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(600))
                .build()
                .expect("a plain reqwest client builds"),
            base: base_url.trim_end_matches('/').to_string(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> QaResult<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            return Err(QaError::Protocol(format!(
                "{path} answered {status}: {text}"
            )));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|e| QaError::Protocol(format!("{path} answered invalid JSON: {e}")))
    }

    /// Replaces the fault set (`/__admin/faults`).
    pub async fn set_faults(&self, faults: Value) -> QaResult<()> {
        self.call(reqwest::Method::POST, "/__admin/faults", Some(faults))
            .await?;
        Ok(())
    }

    pub async fn clear_faults(&self) -> QaResult<()> {
        self.call(reqwest::Method::DELETE, "/__admin/faults", None)
            .await?;
        Ok(())
    }

    /// `/__admin/stats`: `creates`, `requests` per route, `bytes_served`, …
    pub async fn stats(&self) -> QaResult<Value> {
        self.call(reqwest::Method::GET, "/__admin/stats", None)
            .await
    }

    /// Sum of all API requests the agent has answered (`requests` map of the stats).
    pub async fn total_requests(&self) -> QaResult<u64> {
        let stats = self.stats().await?;
        Ok(stats["requests"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0))
    }

    /// The server's own record of a rendered video's files (paths, sizes, sha256).
    pub async fn video_files(&self, video_id: &str) -> QaResult<Value> {
        self.call(
            reqwest::Method::GET,
            &format!("/__admin/videos/{video_id}"),
            None,
        )
        .await
    }

    pub async fn blob(&self, size_bytes: u64) -> QaResult<Blob> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/__admin/blobs",
                Some(json!({ "size_bytes": size_bytes })),
            )
            .await?;
        serde_json::from_value(v).map_err(|e| QaError::Protocol(format!("blob answer: {e}")))
    }

    /// Changes how the agent behaves (`/__admin/behaviour`, partial object: e.g.
    /// `{"honour_create_idempotency": false}`).
    pub async fn set_behaviour(&self, behaviour: Value) -> QaResult<()> {
        self.call(reqwest::Method::POST, "/__admin/behaviour", Some(behaviour))
            .await?;
        Ok(())
    }

    /// Every session the agent holds (`/__admin/sessions`: `session_id`, `prompt`, …).
    pub async fn sessions(&self) -> QaResult<Vec<Value>> {
        let v = self
            .call(reqwest::Method::GET, "/__admin/sessions", None)
            .await?;
        Ok(v["sessions"].as_array().cloned().unwrap_or_default())
    }

    pub async fn set_max_active_jobs(&self, n: u32) -> QaResult<()> {
        self.call(
            reqwest::Method::POST,
            "/__admin/limits",
            Some(json!({ "max_active_jobs": n })),
        )
        .await?;
        Ok(())
    }
}
