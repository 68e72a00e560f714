//! The `vas` binary killed (SIGKILL) mid-poll and mid-download, then `vas watch`: the job
//! completes, the file is byte-identical to the server's, and the server saw exactly one create.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod common;

const KEY: &str = "sk_test_vas_kill_4Kp9";

struct Env {
    agent: local_agent::RunningAgent,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let agent = common::start_agent(dir.path(), KEY, 600.0, true).await;
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
        let mut cmd = common::vas(
            &self.dir.path().join("data"),
            &self.agent.base_url(),
            Some(KEY),
            args,
        );
        cmd.env("VAS_LOG", "info");
        cmd
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let base = self.agent.base_url();
        common::admin(&self.http, &base, KEY, method, path, body).await
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
    // HeyGen's create answer is `generating` with a video id; the older one `thinking`.
    wait_until("the job to be followed", Duration::from_secs(60), || {
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("→ thinking") || l.contains("→ generating"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_the_job_is_a_draft_then_watch_sends_and_finishes_it() {
    let env = Env::start().await;
    let out = env.out();
    // Debug builds keep a new job a draft this long (see `VAS_TEST_HOLD_DRAFT_MS`), so the kill
    // lands after the draft is stored and before anything is sent.
    let mut generate = env.vas(&[
        "generate",
        "A 3-second video about second chances.",
        "--wait",
        "--out",
        out.to_str().unwrap(),
    ]);
    generate.env("VAS_TEST_HOLD_DRAFT_MS", "60000");
    let mut child = generate.spawn().unwrap();
    let lines = capture_stderr(&mut child);
    let jobs_output = || {
        let output = env.vas(&["jobs"]).output().unwrap();
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let jobs_list = || jobs_output().0;
    let start = Instant::now();
    while !jobs_list().contains("\tdraft\t") {
        if start.elapsed() >= Duration::from_secs(60) {
            let (stdout, stderr) = jobs_output();
            panic!(
                "no draft appeared in 60 s.\n`vas jobs` printed:\n{stdout}\n{stderr}\n\
                 `vas generate` (still running: {}) logged:\n{}",
                child.try_wait().unwrap().is_none(),
                lines.lock().unwrap().join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let stats = env
        .admin(reqwest::Method::GET, "/__admin/stats", None)
        .await;
    assert_eq!(stats["creates"], 0, "killed before the create: {stats}");

    let stderr = watch_and_verify(&env).await;
    assert!(stderr.contains("following 1 unfinished job"), "{stderr}");
    assert!(jobs_list().contains("\tdownloaded\t"), "{}", jobs_list());
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn died_while_recording_the_create_answer_then_watch_finishes_with_one_create() {
    let env = Env::start().await;
    let out = env.out();
    // Debug builds abort the process at this point (see `VAS_TEST_DIE_AT`): the create was
    // answered and the process dies while that answer is being written down. Whatever part of
    // it reached the database, the next run must not send the create again.
    let mut generate = env.vas(&[
        "generate",
        "A 3-second video about half-written answers.",
        "--wait",
        "--out",
        out.to_str().unwrap(),
    ]);
    generate.env("VAS_TEST_DIE_AT", "create_answer_half_recorded");
    let output = tokio::task::spawn_blocking(move || generate.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("VAS_TEST_DIE_AT"),
        "the process died at the crash point: {stderr}"
    );
    let stats = env
        .admin(reqwest::Method::GET, "/__admin/stats", None)
        .await;
    assert_eq!(stats["creates"], 1, "the create reached the agent: {stats}");

    // `watch_and_verify` checks the agent saw exactly one create in all.
    let stderr = watch_and_verify(&env).await;
    assert!(stderr.contains("following 1 unfinished job"), "{stderr}");
    env.agent.shutdown().await;
}

/// `vas --offline …` with its own data dir (no key, no base URL: the embedded agent).
fn offline_vas(data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vas"));
    cmd.arg("--offline")
        .arg("--data-dir")
        .arg(data)
        .args(["--agent-time-scale", "600"])
        .args(args)
        .env("VAS_POLL_SCALE", "0.02")
        .env("VAS_LOG", "info")
        .env_remove("HEYGEN_API_KEY")
        .env_remove("HEYGEN_BASE_URL")
        .env_remove("VAS_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_generate_killed_then_offline_watch_finishes_with_one_create() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let out = out.canonicalize().unwrap();
    // No --wait: it prints the job id once the create is sent. Killed right then, it takes the
    // embedded agent (rendering the job in-process) down with it.
    let mut child = offline_vas(
        &data,
        &[
            "generate",
            "A 3-second video about starting over.",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .spawn()
    .unwrap();
    let lines = capture_stderr(&mut child);
    let stdout = child.stdout.take().unwrap();
    let job_id = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .next()
            .expect("a job id on stdout")
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!job_id.trim().is_empty());
    // A server has stored a session once it answered the create; the local agent writes its
    // state a moment later (coalesced), so wait for that before pulling the plug.
    let state = data.join("local-agent").join("state.json");
    wait_until(
        "the embedded agent to store the session",
        Duration::from_secs(30),
        || {
            std::fs::read_to_string(&state)
                .map(|s| s.contains("\"sess_"))
                .unwrap_or(false)
        },
    )
    .await;
    let _ = child.kill(); // SIGKILL (unless it already finished on its own)
    child.wait().unwrap();
    let generate_log = lines.lock().unwrap().join("\n");

    let mut watch = offline_vas(&data, &["watch"]).spawn().unwrap();
    let watch_log = capture_stderr(&mut watch);
    let mut watch_stdout = watch.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = watch.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = watch.kill();
            let _ = watch.wait();
            panic!(
                "vas --offline watch did not finish in 120 s.\ngenerate: {generate_log}\nwatch: {}",
                watch_log.lock().unwrap().join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut watch_stdout, &mut stdout).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await; // the stderr reader catches up
    let stderr = watch_log.lock().unwrap().join("\n");
    assert!(status.success(), "vas --offline watch failed: {stderr}");
    assert!(stderr.contains("following 1 unfinished job"), "{stderr}");
    let path = PathBuf::from(stdout.lines().last().expect("a path on stdout").trim());
    assert!(path.starts_with(&out), "{}", path.display());

    // Open the embedded agent's data dir (kept across both runs) with a local agent of our own:
    // it knows one session (one create) and one video, whose file equals ours byte for byte.
    let agent = local_agent::start(local_agent::Config {
        api_keys: vec![KEY.into()],
        admin: true,
        ..local_agent::Config::new(data.join("local-agent"))
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", agent.base_url());
        async move {
            http.get(url)
                .header("X-Api-Key", KEY)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let sessions = get("/v3/video-agents?limit=100".into()).await;
    assert_eq!(
        sessions["data"].as_array().unwrap().len(),
        1,
        "one create: {sessions}"
    );
    let videos = get("/v3/videos?limit=100".into()).await;
    let videos = videos["data"].as_array().unwrap();
    assert_eq!(videos.len(), 1, "{videos:?}");
    let video_id = videos[0]["id"].as_str().unwrap();
    let files = get(format!("/__admin/videos/{video_id}")).await;
    assert_eq!(
        sha256(&path),
        files["files"]["video"]["sha256"].as_str().unwrap(),
        "byte-identical"
    );
    agent.shutdown().await;
}
