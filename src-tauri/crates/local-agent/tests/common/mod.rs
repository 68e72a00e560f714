//! Test harness: a real local agent on loopback with a temp data dir, plus small HTTP helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const KEY: &str = "test-key-123";

pub struct Agent {
    pub agent: Option<local_agent::RunningAgent>,
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Agent {
    pub async fn start() -> Agent {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir).await
    }

    pub async fn start_in(dir: tempfile::TempDir) -> Agent {
        Self::start_in_with(dir, |_| {}).await
    }

    /// An agent whose config `tweak` adjusts (e.g. an older, non-HeyGen behaviour).
    pub async fn start_with(tweak: impl FnOnce(&mut local_agent::Config)) -> Agent {
        Self::start_in_with(tempfile::tempdir().expect("tempdir"), tweak).await
    }

    pub async fn start_in_with(
        dir: tempfile::TempDir,
        tweak: impl FnOnce(&mut local_agent::Config),
    ) -> Agent {
        let mut cfg = local_agent::Config::new(dir.path());
        cfg.api_keys = vec![KEY.to_string()];
        cfg.time_scale = 6000.0;
        cfg.admin = true;
        tweak(&mut cfg);
        let agent = local_agent::start(cfg).await.expect("agent starts");
        let base = agent.base_url();
        Agent {
            agent: Some(agent),
            base,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            dir,
        }
    }

    /// Shuts the server down and hands back its data dir (for restart tests).
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(a) = self.agent.take() {
            a.shutdown().await;
        }
        self.dir
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let r = req.send().await.expect("request is answered");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path)).header("x-api-key", KEY))
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(
            self.http
                .post(self.url(path))
                .header("x-api-key", KEY)
                .json(&body),
        )
        .await
    }

    /// A `/__admin/*` call with the agent's key (the admin routes need it).
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("x-api-key", KEY);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = self.send(r).await;
        assert!(
            resp.status.is_success(),
            "{path}: {} {}",
            resp.status,
            resp.text
        );
        resp.body
    }

    pub async fn faults(&self, faults: Value) {
        self.admin(reqwest::Method::POST, "/__admin/faults", Some(faults))
            .await;
    }

    pub async fn clear_faults(&self) {
        self.admin(reqwest::Method::DELETE, "/__admin/faults", None)
            .await;
    }

    pub async fn stats(&self) -> Value {
        self.admin(reqwest::Method::GET, "/__admin/stats", None)
            .await
    }

    pub async fn create(&self, body: Value) -> String {
        let r = self.post("/v3/video-agents", body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["data"]["session_id"].as_str().unwrap().to_string()
    }

    /// Polls the session until `pred` holds (panics after `secs`).
    pub async fn wait_session(&self, id: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.get(&format!("/v3/video-agents/{id}")).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let d = r.body["data"].clone();
            if pred(&d) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "session {id} never matched; last: {d}"
            );
            assert_ne!(d["status"], "failed", "session failed: {d}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_status(&self, id: &str, status: &str, secs: u64) -> Value {
        self.wait_session(id, secs, |d| d["status"] == status).await
    }

    pub async fn wait_video(&self, vid: &str, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.get(&format!("/v3/videos/{vid}")).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let d = r.body["data"].clone();
            if d["status"] == "completed" || d["status"] == "failed" {
                return d;
            }
            assert!(Instant::now() < deadline, "video {vid} not done: {d}");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// One-shot job to a completed video; returns (session, video).
    pub async fn one_shot(&self, body: Value) -> (Value, Value) {
        let id = self.create(body).await;
        let s = self
            .wait_session(&id, 120, |d| d["status"] == "completed")
            .await;
        let v = self.wait_video(s["video_id"].as_str().unwrap(), 60).await;
        (s, v)
    }

    pub async fn download(&self, url: &str) -> Vec<u8> {
        let r = self.http.get(url).send().await.expect("download");
        assert_eq!(r.status(), 200, "{url}");
        r.bytes().await.expect("body").to_vec()
    }
}

pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

pub fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/spec/examples")
        .join(name);
    let alt = PathBuf::from("/work/shared/spec/examples").join(name);
    let text = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(&alt))
        .unwrap_or_else(|e| panic!("example {name}: {e}"));
    serde_json::from_str(&text).expect("example is JSON")
}

/// `(codec names, width, height, duration)` from ffprobe.
pub fn probe(path: &Path) -> (Vec<String>, u64, u64, f64) {
    let info = local_agent::probe::probe_blocking(path).unwrap();
    (info.codecs, info.width, info.height, info.duration)
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A real PNG (solid colour) made with ffmpeg.
pub fn png_bytes(color: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("i.png");
    let st = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("color=c={color}:s=320x200:d=1"))
        .args(["-frames:v", "1"])
        .arg(&p)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::read(p).unwrap()
}

pub async fn upload(agent: &Agent, bytes: Vec<u8>, name: &str) -> Resp {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    agent
        .send(
            agent
                .http
                .post(agent.url("/v3/assets"))
                .header("x-api-key", KEY)
                .multipart(form),
        )
        .await
}

pub fn empty_obj() -> Value {
    json!({})
}
