//! The `vas` binary killed (SIGKILL) mid-poll and mid-download, then `vas watch`: the job
//! completes, the file is byte-identical to the server's, and the server saw exactly one create.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const KEY: &str = "sk_test_vas_kill_4Kp9";

struct Env {
    agent: local_agent::RunningAgent,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let config = local_agent::Config {
            api_keys: vec![KEY.into()],
            time_scale: 600.0,
            ..local_agent::Config::new(dir.path().join("agent"))
        };
        let agent = local_agent::start(config).await.unwrap();
        Env {
            agent,
            dir,
            http: reqwest::Client::new(),
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn vas(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vas"));
        cmd.args(["--base-url", &self.agent.base_url()])
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env("HEYGEN_API_KEY", KEY)
            .env("VAS_POLL_SCALE", "0.02")
            .env("VAS_LOG", "info")
            .env_remove("HEYGEN_BASE_URL")
            .env_remove("VAS_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.agent.base_url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success());
        resp.json().await.unwrap_or(Value::Null)
    }
}

/// Collect a child's stderr lines in the background.
fn capture_stderr(child: &mut Child) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

async fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Run `vas watch` to the end and check the result against the server; returns its stderr.
async fn watch_and_verify(env: &Env) -> String {
    let watch = env.vas(&["watch"]);
    let output = tokio::task::spawn_blocking(move || {
        let mut watch = watch;
        watch.output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "vas watch failed: {stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = PathBuf::from(stdout.lines().last().expect("a path on stdout").trim());
    assert!(
        path.is_absolute() && path.starts_with(env.out().canonicalize().unwrap()),
        "{}",
        path.display()
    );

    let stats = env
        .admin(reqwest::Method::GET, "/__admin/stats", None)
        .await;
    assert_eq!(stats["creates"], 1, "exactly one create: {stats}");
    let videos = env.agent_videos().await;
    assert_eq!(videos.len(), 1);
    let files = env
        .admin(
            reqwest::Method::GET,
            &format!("/__admin/videos/{}", videos[0]),
            None,
        )
        .await;
    assert_eq!(
        sha256(&path),
        files["files"]["video"]["sha256"].as_str().unwrap(),
        "byte-identical"
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.ends_with(".json"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    stderr.into_owned()
}

/// `size` and `transferred` of the video from the engine's "downloaded" log line.
fn video_transfer(stderr: &str) -> (u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.contains("downloaded") && l.contains("kind=\"video\""))
        .unwrap_or_else(|| panic!("no download log line in: {stderr}"));
    let field = |name: &str| -> u64 {
        let at = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
        line[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("size"), field("transferred"))
}

impl Env {
    /// Video ids the agent knows, via the public list endpoint.
    async fn agent_videos(&self) -> Vec<String> {
        let resp: Value = self
            .http
            .get(format!("{}/v3/videos", self.agent.base_url()))
            .header("X-Api-Key", KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        resp["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_poll_then_watch_finishes_the_same_job() {
    let env = Env::start().await;
    // Hold sessions in `thinking` so the kill lands while vas is polling.
    env.admin(
        reqwest::Method::POST,
        "/__admin/faults",
        Some(json!({"stuck_thinking": true})),
    )
    .await;
    let logo = env.dir.path().join("logo.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/logo.png"),
        &logo,
    )
    .unwrap();
    let out = env.out();
    let mut child = env
        .vas(&[
            "generate",
            "A 3-second welcome video for new gym members. Show the attached logo.",
            "--file",
            logo.to_str().unwrap(),
            "--wait",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let lines = capture_stderr(&mut child);
    wait_until("the job to reach thinking", Duration::from_secs(60), || {
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("→ thinking"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await; // a few polls
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    env.admin(reqwest::Method::DELETE, "/__admin/faults", None)
        .await;
    watch_and_verify(&env).await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_download_then_watch_resumes_the_file() {
    let env = Env::start().await;
    // The first video request is cut after 20 000 bytes; the resume then hangs until the kill.
    env.admin(
        reqwest::Method::POST,
        "/__admin/faults",
        Some(json!({"rules": [
            {"route": "GET /cdn/v/*", "kind": "reset", "after_bytes": 20000, "count": 1},
            {"route": "GET /cdn/v/*", "kind": "latency", "ms": 60000, "count": 1},
        ]})),
    )
    .await;
    let out = env.out();
    let mut child = env
        .vas(&[
            "generate",
            "A 3-second video about finishing what you start.",
            "--wait",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let _lines = capture_stderr(&mut child);
    let part_ready = || {
        std::fs::read_dir(&out)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name().to_string_lossy().ends_with(".mp4.part")
                    && e.metadata().map(|m| m.len() >= 20000).unwrap_or(false)
            })
    };
    wait_until("a partial download", Duration::from_secs(60), part_ready).await;
    tokio::time::sleep(Duration::from_millis(300)).await; // now inside the hanging resume
    child.kill().unwrap();
    child.wait().unwrap();

    env.admin(reqwest::Method::DELETE, "/__admin/faults", None)
        .await;
    let stderr = watch_and_verify(&env).await;
    let (size, transferred) = video_transfer(&stderr);
    assert_eq!(
        transferred,
        size - 20000,
        "resumed with Range: the first 20 000 bytes were not fetched again"
    );
    env.agent.shutdown().await;
}
