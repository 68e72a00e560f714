//! The API key never lands in the engine's database files, logs, outputs or panic messages
//! (issue 7 item 4). The engine runs as a real process (`qa-engine`, i.e. studio-core's
//! `Studio`) at the most verbose log level against a local agent that requires the key.
//! IPC payloads and the DOM are the desktop e2e suite's to check: it exposes no hook here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use qa::files::all_files;
use rand::RngCore;

fn fresh_key(prefix: &str) -> String {
    let mut raw = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut raw);
    format!("{prefix}{}", hex::encode(raw))
}

/// Files under `dir` whose bytes contain `needle` (raw, so SQLite pages and WAL frames count).
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    all_files(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .collect()
}

fn run_engine(base_url: &str, key: &str, work: &Path, plan: &[&str]) -> (bool, String) {
    let plan_path = work.join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(plan).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qa-engine"))
        .arg("--data-dir")
        .arg(work.join("data"))
        .arg("--library")
        .arg(work.join("library"))
        .arg("--plan")
        .arg(&plan_path)
        .args(["--base-url", base_url])
        .env("HEYGEN_API_KEY", key)
        .env("VAS_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("qa-engine runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_in_no_database_file_log_or_output() {
    let tmp = tempfile::tempdir().unwrap();
    let key = fresh_key("sk-qa-");
    let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
    cfg.time_scale = 6000.0;
    cfg.api_keys = vec![key.clone()];
    cfg.admin = true;
    let agent = local_agent::start(cfg).await.unwrap();
    let admin = qa::agent::Admin::new(&agent.base_url(), &key);
    // Errors are where keys tend to leak: make some requests fail on the way.
    admin
        .set_faults(serde_json::json!({"rules": [
            {"route": "GET /v3/video-agents/*", "kind": "status", "status": 429, "retry_after_seconds": 1, "count": 2},
            {"route": "GET /v3/videos/*", "kind": "html_gateway", "count": 1},
            {"route": "GET /cdn/v/*", "kind": "reset", "count": 1}
        ]}))
        .await
        .unwrap();
    let work = tmp.path().join("engine");
    std::fs::create_dir_all(&work).unwrap();
    let base = agent.base_url();
    let (ok, log) = tokio::task::spawn_blocking({
        let (key, work) = (key.clone(), work.clone());
        move || {
            run_engine(
                &base,
                &key,
                &work,
                &["A 2-second video about keeping secrets."],
            )
        }
    })
    .await
    .unwrap();
    assert!(ok, "the engine run failed:\n{log}");
    assert!(
        log.contains("DEBUG") || log.contains("TRACE"),
        "expected verbose logs"
    );
    assert!(
        !log.contains(&key),
        "the key appears in the engine's log output"
    );
    let db = work.join("data/studio.db");
    assert!(db.is_file(), "no database at {}", db.display());
    let leaks = files_containing(&work, &key);
    assert!(leaks.is_empty(), "the key appears in {leaks:?}");
    agent.shutdown().await;
}

/// Where `text` has something shaped like a token the local agent issues (`lat_`/`lrt_`/`lac_`
/// and hex digits): every access token, refresh token and code of the run, not just the last.
fn token_shapes(text: &[u8]) -> bool {
    [b"lat_", b"lrt_", b"lac_"].iter().any(|prefix| {
        text.windows(prefix.len() + 16).any(|w| {
            &w[..prefix.len()] == *prefix && w[prefix.len()..].iter().all(u8::is_ascii_hexdigit)
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_tokens_are_in_no_database_file_log_or_output() {
    if std::env::var("VAS_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("SKIPPED: needs a Secret Service (VAS_TEST_KEYRING=1 under dbus-run-session)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
    cfg.time_scale = 6000.0;
    cfg.api_keys = vec![fresh_key("sk-not-used-")];
    cfg.oauth.rotate_refresh_tokens = true;
    let agent = std::sync::Arc::new(local_agent::start(cfg).await.unwrap());
    // The server keeps expiring the tokens, so the run refreshes (and rotates) several times.
    // After each expiry it waits for the refresh and leaves the new token good for a second: the
    // client refreshes once and retries (spec §8), and a token expired again before that retry
    // arrived (a loaded CI machine, once) would test a server that refuses its own fresh tokens.
    let expirer = tokio::spawn({
        let agent = agent.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(400)).await;
                let refreshes = agent.oauth_stats().refreshes;
                agent.expire_oauth_access_tokens();
                while agent.oauth_stats().refreshes == refreshes {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    let work = tmp.path().join("engine");
    std::fs::create_dir_all(&work).unwrap();
    let service = format!("vas-qa-oauth-{}", std::process::id());
    let plan_path = work.join("plan.json");
    std::fs::write(
        &plan_path,
        r#"["A 2-second video about keeping tokens secret."]"#,
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_qa-engine"));
    cmd.arg("--data-dir")
        .arg(work.join("data"))
        .arg("--library")
        .arg(work.join("library"))
        .arg("--plan")
        .arg(&plan_path)
        .args(["--base-url", &agent.base_url(), "--oauth-service", &service])
        .env_remove("HEYGEN_API_KEY")
        .env("VAS_LOG", "trace")
        .stdin(Stdio::null());
    let out = cmd.output().await.unwrap();
    expirer.abort();
    let log = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    let text = String::from_utf8_lossy(&log);
    assert!(out.status.success(), "the engine run failed:\n{text}");
    assert!(text.contains("signed in with OAuth") && text.contains("signed out"));
    let stats = agent.oauth_stats();
    assert!(stats.refreshes >= 1, "no refresh happened: {stats:?}");
    assert!(
        !token_shapes(&log),
        "a token appears in the engine's output"
    );
    let leaks: Vec<_> = all_files(&work)
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| token_shapes(&b)))
        .collect();
    assert!(leaks.is_empty(), "a token appears in {leaks:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_key_is_not_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
    cfg.api_keys = vec![fresh_key("sk-right-")];
    let agent = local_agent::start(cfg).await.unwrap();
    let wrong = fresh_key("sk-wrong-");
    let work = tmp.path().join("engine");
    std::fs::create_dir_all(&work).unwrap();
    let base = agent.base_url();
    let (ok, log) = tokio::task::spawn_blocking({
        let (wrong, work) = (wrong.clone(), work.clone());
        move || {
            run_engine(
                &base,
                &wrong,
                &work,
                &["A 2-second video that will be refused."],
            )
        }
    })
    .await
    .unwrap();
    // The job fails (401) or the run errors out; either way the key must not show.
    let _ = ok;
    assert!(
        log.contains("401") || log.contains("unauthorized") || log.contains("invalid_api_key"),
        "expected a 401 in:\n{log}"
    );
    assert!(!log.contains(&wrong), "the rejected key is echoed:\n{log}");
    assert!(files_containing(&work, &wrong).is_empty());
    agent.shutdown().await;
}

/// Child half of the panic test: panics with the kinds of values a careless `unwrap`/`expect`
/// would print (configs, clients, a real 401 error), all built with the key.
#[test]
#[ignore = "run by panic_output_does_not_show_the_key as a child process"]
fn panic_child() {
    let Ok(key) = std::env::var("QA_PANIC_KEY") else {
        return;
    };
    let base = std::env::var("QA_PANIC_BASE").unwrap();
    let secret = studio_core::Secret::new(key.clone());
    let config = studio_core::StudioConfig {
        api_key: Some(secret.clone()),
        ..studio_core::StudioConfig::default()
    };
    let client_config = heygen_api::ClientConfig::with_api_key(secret.clone());
    let client = qa::transfer::client_for(&base, &key).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt.block_on(client.get_current_user());
    if let Err(err) = &result {
        eprintln!(
            "context: {config:?} {client_config:?} {secret:?} {err} {}",
            serde_json::to_string(&err.report()).unwrap()
        );
    }
    // The way a careless caller would crash: the error's Debug goes into the panic message.
    result.expect("calling the API with a wrong key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_output_does_not_show_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
    cfg.api_keys = vec![fresh_key("sk-right-")];
    let agent = local_agent::start(cfg).await.unwrap();
    let key = fresh_key("sk-panic-");
    let out = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panic_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QA_PANIC_KEY", &key)
        .env("QA_PANIC_BASE", agent.base_url())
        .env("RUST_BACKTRACE", "full")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("panicked"),
        "the child did not panic:\n{text}"
    );
    assert!(
        !text.contains(&key),
        "the key appears in panic output:\n{text}"
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
    agent.shutdown().await;
}
