//! What the `vas` tests share: a real local agent on loopback, and `vas` commands pointed at it
//! with their own data folder and home, nothing taken from the environment they run in.

// Each test binary uses its own part of this.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A local agent storing its state under `dir/agent`, accepting only `key`; `admin` mounts its
/// `/__admin/*` routes (stats, faults, sessions).
pub async fn start_agent(
    dir: &Path,
    key: &str,
    time_scale: f64,
    admin: bool,
) -> local_agent::RunningAgent {
    let config = local_agent::Config {
        api_keys: vec![key.into()],
        time_scale,
        admin,
        ..local_agent::Config::new(dir.join("agent"))
    };
    local_agent::start(config).await.unwrap()
}

/// `vas --base-url BASE --data-dir DATA ARGS…` with `key` as its API key (none: no key at
/// all), fast polling, and a home next to `data` (the library defaults to the user's Videos
/// folder). Output is piped.
pub fn vas(data: &Path, base_url: &str, key: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vas"));
    let home = data.parent().unwrap().join("home");
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("XDG_VIDEOS_DIR")
        .args(["--base-url", base_url])
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("VAS_POLL_SCALE", "0.02")
        .env_remove("HEYGEN_API_KEY")
        .env_remove("HEYGEN_BASE_URL")
        .env_remove("VAS_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(key) = key {
        cmd.env("HEYGEN_API_KEY", key);
    }
    cmd
}

/// Runs `cmd` to the end off the async runtime.
pub async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// stdout of a run that must have succeeded (the test fails with both outputs otherwise).
pub fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// One `/__admin` call with `key`; the answer's JSON (null when it has none).
pub async fn admin(
    http: &reqwest::Client,
    base_url: &str,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req = http
        .request(method, format!("{base_url}{path}"))
        .header("X-Api-Key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}
