//! Shared test setup: a real local agent on loopback (in-process), a Studio over a temp data dir
//! pointed at it, admin helpers and file checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use studio_core::heygen_api::RetryPolicy;
use studio_core::{Credentials, Job, JobRequest, Secret, Studio, StudioConfig};

pub const KEY: &str = "sk_test_Zq8vN3xR7pL2mK9w";
pub const PNG: &[u8] = include_bytes!("../fixtures/logo.png");
pub const PDF: &[u8] = include_bytes!("../fixtures/brief.pdf");

pub struct Env {
    pub agent: local_agent::RunningAgent,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// Client retries shortened so fault tests stay fast (same shape as HeyGen's policy).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
        jitter: 0.25,
        retry_after_cap: Duration::from_secs(2),
    }
}

impl Env {
    pub async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let config = local_agent::Config {
            api_keys: vec![KEY.to_string()],
            time_scale: 600.0,
            admin: true,
            ..local_agent::Config::new(dir.path().join("agent"))
        };
        let agent = local_agent::start(config)
            .await
            .expect("local agent starts");
        Env {
            agent,
            dir,
            http: reqwest::Client::new(),
        }
    }

    pub fn library(&self) -> PathBuf {
        self.dir.path().join("library")
    }

    pub fn config(&self, key: &str) -> StudioConfig {
        StudioConfig {
            data_dir: Some(self.dir.path().join("data")),
            base_url: Some(self.agent.base_url()),
            api_key: Some(Secret::new(key)),
            credentials: Credentials::with_service("vas-test-unused"),
            offline: Some(false),
            poll_scale: 0.02,
            budget_burst: 20,
            budget_per_second: 50.0,
            retry: Some(fast_retry()),
            library_dir: Some(self.library()),
            ..StudioConfig::default()
        }
    }

    /// A client of the agent's API with the test key, outside any Studio (to act as another
    /// app or the web would).
    pub fn raw_client(&self) -> studio_core::heygen_api::Client {
        use studio_core::heygen_api::{Auth, Client, ClientConfig};
        Client::new(ClientConfig::new(
            self.agent.base_url(),
            Auth::ApiKey(Secret::new(KEY)),
        ))
        .unwrap()
    }

    /// Submits `prompt` on a fresh Studio, waits for the job to finish, shuts the Studio down.
    pub async fn run_job(&self, prompt: &str) -> Job {
        let studio = self.studio().await;
        let job = studio
            .submit(request(prompt, vec![]))
            .await
            .expect("submit");
        let done = wait_done(&studio, &job).await;
        studio.shutdown().await;
        done
    }

    pub async fn studio(&self) -> Studio {
        let studio = Studio::open(self.config(KEY)).await.expect("studio opens");
        studio.resume();
        studio
    }

    /// Write a fixture into the temp dir and return its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.agent.base_url());
        // `/__admin/*` needs the agent's key.
        let mut req = self.http.request(method, url).header("x-api-key", KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("admin request");
        assert!(
            resp.status().is_success(),
            "admin {path}: {}",
            resp.status()
        );
        resp.json().await.unwrap_or(Value::Null)
    }

    /// `POST` to an admin route (e.g. `/__admin/account`).
    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        self.admin(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn set_faults(&self, faults: Value) {
        self.admin(reqwest::Method::POST, "/__admin/faults", Some(faults))
            .await;
    }

    pub async fn clear_faults(&self) {
        self.admin(reqwest::Method::DELETE, "/__admin/faults", None)
            .await;
    }

    /// Change how the agent behaves (`/__admin/behaviour`, partial object).
    pub async fn set_behaviour(&self, behaviour: Value) {
        self.admin(reqwest::Method::POST, "/__admin/behaviour", Some(behaviour))
            .await;
    }

    /// How many sessions the server holds for this prompt (each one a billed video on HeyGen).
    pub async fn sessions_for(&self, prompt: &str) -> usize {
        let all = self
            .admin(reqwest::Method::GET, "/__admin/sessions", None)
            .await;
        all["sessions"]
            .as_array()
            .map(|s| s.iter().filter(|s| s["prompt"] == prompt).count())
            .unwrap_or(0)
    }

    pub async fn stats(&self) -> Value {
        self.admin(reqwest::Method::GET, "/__admin/stats", None)
            .await
    }

    pub async fn requests(&self, route: &str) -> u64 {
        self.stats().await["requests"][route].as_u64().unwrap_or(0)
    }

    pub async fn video_files(&self, video_id: &str) -> Value {
        self.admin(
            reqwest::Method::GET,
            &format!("/__admin/videos/{video_id}"),
            None,
        )
        .await
    }

    pub async fn blob(&self, size: u64) -> Value {
        self.admin(
            reqwest::Method::POST,
            "/__admin/blobs",
            Some(serde_json::json!({ "size_bytes": size })),
        )
        .await
    }
}

pub fn request(prompt: &str, files: Vec<PathBuf>) -> JobRequest {
    JobRequest {
        prompt: prompt.to_string(),
        files,
        ..JobRequest::default()
    }
}

pub async fn wait_done(studio: &Studio, job: &Job) -> Job {
    tokio::time::timeout(Duration::from_secs(120), studio.wait_for(&job.id))
        .await
        .expect("job finishes within 2 minutes")
        .expect("job readable")
}

pub fn sha256_file(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// The downloaded video equals the server's file byte for byte, and ffprobe reads it as an
/// H.264 video of a plausible length.
pub async fn assert_video_matches_server(env: &Env, job: &Job) {
    let video = job.outputs.video.as_ref().expect("video downloaded");
    assert!(
        video.starts_with(std::fs::canonicalize(env.library()).unwrap()),
        "{} is inside the library",
        video.display()
    );
    let files = env.video_files(job.video_id.as_deref().unwrap()).await;
    assert_eq!(
        sha256_file(video),
        files["files"]["video"]["sha256"].as_str().unwrap(),
        "video bytes equal the server's"
    );
    let info = local_agent::probe::probe_blocking(video).unwrap();
    assert!(info.codecs.iter().any(|c| c == "h264"), "{info:?}");
    let duration = info.duration;
    assert!(duration > 1.0 && duration < 30.0, "duration {duration}");
}
