//! Issue 12 item 8: `/__admin/*` is mounted only when asked for and then needs the agent's key;
//! idempotency records keep a hash, never the caller's key.

mod common;

use common::{Agent, KEY};
use serde_json::json;

/// Without `admin`, `/__admin/*` does not exist: nobody on the machine (or a cross-site POST
/// from a web page) can change faults, read stats or mint blobs.
#[tokio::test]
async fn admin_routes_are_absent_unless_asked_for() {
    let agent = Agent::start_with(|c| c.admin = false).await;
    for (method, path) in [
        (reqwest::Method::GET, "/__admin/stats"),
        (reqwest::Method::POST, "/__admin/faults"),
        (reqwest::Method::POST, "/__admin/blobs"),
        (reqwest::Method::GET, "/__admin/sessions"),
    ] {
        let r = agent
            .http
            .request(method.clone(), agent.url(path))
            .header("x-api-key", KEY)
            .header("content-type", "text/plain")
            .body(r#"{"size_bytes": 10}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{method} {path} answered without --admin");
    }
    agent.stop().await;
}

/// With `admin`, the routes exist but answer only the agent's own key: no key, another key or
/// a cross-site `text/plain` POST (which cannot carry a custom header) gets 401.
#[tokio::test]
async fn admin_routes_need_the_agents_key() {
    let agent = Agent::start().await;
    let no_key = agent
        .http
        .post(agent.url("/__admin/faults"))
        .header("content-type", "text/plain")
        .body(r#"{"rules": []}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
    let other_key = agent
        .http
        .get(agent.url("/__admin/stats"))
        .header("x-api-key", "someone-else")
        .send()
        .await
        .unwrap();
    assert_eq!(other_key.status(), 401);
    let stats = agent.stats().await;
    assert!(stats["requests"].is_object(), "{stats}");
    agent.stop().await;
}

/// Admin routes with no key configured would be open to anyone: the agent refuses to start.
#[tokio::test]
async fn admin_without_a_key_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(dir.path());
    cfg.admin = true;
    match local_agent::start(cfg).await {
        Ok(_) => panic!("an agent with admin routes and no key started"),
        Err(err) => assert!(err.to_string().contains("key"), "{err}"),
    }
}

/// The `Idempotency-Key` a caller sends is stored hashed: the persisted state never holds it.
#[tokio::test]
async fn idempotency_records_store_a_hash_not_the_key() {
    let agent = Agent::start().await;
    let idem_key = "caller-secret-idempotency-key-4242";
    let r = agent
        .http
        .post(agent.url("/v3/webhooks/endpoints"))
        .header("x-api-key", KEY)
        .header("idempotency-key", idem_key)
        .json(&json!({"url": "https://example.com/hook", "events": ["avatar_video.success"]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let dir = agent.stop().await;
    let mut found = Vec::new();
    for entry in walk(dir.path()) {
        if let Ok(text) = std::fs::read(&entry) {
            if String::from_utf8_lossy(&text).contains(idem_key) {
                found.push(entry.display().to_string());
            }
        }
    }
    assert!(
        found.is_empty(),
        "the idempotency key is stored in {found:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
