//! The API key never reaches the database, the logs or an error string: run a whole job with
//! trace logging captured, provoke auth errors, then scan everything for the key.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use studio_core::{JobState, Studio};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn scan_dir(dir: &std::path::Path, key: &str, hits: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan_dir(&path, key, hits);
        } else if contains(&std::fs::read(&path).unwrap(), key) {
            hits.push(path.display().to_string());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_is_not_in_the_database_logs_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("studio_core=trace,heygen_api=trace,reqwest=trace,info")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let env = Env::start().await;
    let studio = env.studio().await;
    let png = env.file("logo.png", PNG);
    let job = studio
        .submit(request(
            "A 3-second video about keeping secrets. Show the logo.",
            vec![png],
        ))
        .await
        .unwrap();
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded);
    let account = studio.test_key(None).await.unwrap();
    assert!(!account.name.is_empty());
    studio.shutdown().await;

    // A wrong key: the 401 error says what happened without echoing either key.
    let wrong_key = "sk_wrong_Qm4tY8cV1bX6";
    let bad = Studio::open(env.config(wrong_key)).await.unwrap();
    let err = bad.test_key(None).await.unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    let mut strings = vec![
        err.to_string(),
        format!("{err:?}"),
        serde_json::to_string(&err.view()).unwrap(),
    ];
    let err = bad
        .submit(request("A 3-second video.", vec![]))
        .await
        .unwrap_err();
    strings.extend([
        err.to_string(),
        format!("{err:?}"),
        serde_json::to_string(&err).unwrap(),
    ]);
    bad.shutdown().await;

    let captured = logs.0.lock().unwrap().clone();
    assert!(
        captured.len() > 1000,
        "logs were captured ({} bytes)",
        captured.len()
    );
    for key in [KEY, wrong_key] {
        assert!(!contains(&captured, key), "key found in the logs");
        for s in &strings {
            assert!(!s.contains(key), "key found in an error: {s}");
        }
        let mut hits = Vec::new();
        scan_dir(&env.dir.path().join("data"), key, &mut hits);
        scan_dir(&env.library(), key, &mut hits);
        assert!(hits.is_empty(), "key found in {hits:?}");
    }
    env.agent.shutdown().await;
}
