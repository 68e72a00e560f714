//! Fault injection over real HTTP: every kind, deterministic counts, both Retry-After forms,
//! resets mid-body for JSON and downloads, URL expiry, stuck sessions, and the admin stats.

mod common;

use std::time::{Duration, Instant};

use common::{Agent, KEY};
use serde_json::json;

fn rule(route: &str, kind: serde_json::Value, count: u32) -> serde_json::Value {
    let mut r = kind;
    r["route"] = json!(route);
    r["count"] = json!(count);
    r
}

#[tokio::test]
async fn status_faults_with_both_retry_after_forms_and_without_envelope() {
    let a = Agent::start().await;
    a.faults(json!({"rules": [
        rule("GET /v3/users/me", json!({"kind": "status", "status": 429, "retry_after_seconds": 7}), 1),
        rule("GET /v3/users/me", json!({"kind": "status", "status": 429, "retry_after_seconds": 30, "retry_after_format": "http_date"}), 1),
        rule("GET /v3/users/me", json!({"kind": "status", "status": 503, "envelope": false}), 1),
        rule("GET /v3/users/me", json!({"kind": "status", "status": 500}), 1),
    ]}))
    .await;
    let r = a.get("/v3/users/me").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "7");
    assert_eq!(r.body["error"]["code"], "rate_limit_exceeded");
    assert!(r.headers.contains_key("x-request-id"));

    let r = a.get("/v3/users/me").await;
    assert_eq!(r.status, 429);
    let date =
        httpdate::parse_http_date(r.headers["retry-after"].to_str().unwrap()).expect("HTTP-date");
    let ahead = date
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(
        ahead > Duration::from_secs(20) && ahead <= Duration::from_secs(31),
        "{ahead:?}"
    );

    let r = a.get("/v3/users/me").await;
    assert_eq!(r.status, 503);
    assert!(r.text.is_empty(), "no envelope: {}", r.text);

    let r = a.get("/v3/users/me").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.body["error"]["code"], "internal_error");

    // Counts are spent: the next request is normal, and the rule set shows zero left.
    assert_eq!(a.get("/v3/users/me").await.status, 200);
    let f = a.admin(reqwest::Method::GET, "/__admin/faults", None).await;
    assert!(f["rules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["count"] == 0));
    // Status faults do not run the handler.
    let creates_before = a.stats().await["creates"].clone();
    a.faults(json!({"rules": [rule("POST /v3/video-agents", json!({"kind": "status", "status": 502}), 1)]})).await;
    assert_eq!(
        a.post("/v3/video-agents", json!({"prompt": "x"}))
            .await
            .status,
        502
    );
    assert_eq!(a.stats().await["creates"], creates_before);
}

#[tokio::test]
async fn html_gateway_truncated_json_and_latency() {
    let a = Agent::start().await;
    a.faults(json!({"rules": [
        rule("GET /v3/video-agents/styles", json!({"kind": "html_gateway"}), 1),
        rule("GET /v3/video-agents/styles", json!({"kind": "truncated_json"}), 1),
        rule("GET /v3/brand-kits", json!({"kind": "latency", "ms": 1500}), 1),
    ]}))
    .await;
    let r = a.get("/v3/video-agents/styles").await;
    assert_eq!(r.status, 502);
    assert_eq!(r.headers["content-type"], "text/html");
    assert!(r.text.contains("<html>"));

    let r = a
        .send(
            a.http
                .get(a.url("/v3/video-agents/styles"))
                .header("x-api-key", KEY),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.text).is_err(),
        "truncated"
    );
    assert!(r.text.starts_with("{\"data\""));
    assert_eq!(
        r.headers["content-length"],
        r.text.len().to_string().as_str()
    );

    let t = Instant::now();
    assert_eq!(a.get("/v3/brand-kits").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(1500));
    let t = Instant::now();
    assert_eq!(a.get("/v3/brand-kits").await.status, 200);
    assert!(
        t.elapsed() < Duration::from_millis(1200),
        "the latency fault is spent"
    );

    // Global latency applies to every request.
    a.faults(json!({"latency_ms": 300})).await;
    let t = Instant::now();
    a.get("/v3/voices").await;
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn rate_faults_are_reproducible_with_a_seed() {
    let a = Agent::start().await;
    let set = json!({"seed": 7, "rules": [{"route": "GET /v3/voices", "kind": "status", "status": 503, "rate": 0.5}]});
    let mut runs = Vec::new();
    for _ in 0..2 {
        a.faults(set.clone()).await;
        let mut pattern = Vec::new();
        for _ in 0..20 {
            pattern.push(a.get("/v3/voices").await.status.as_u16());
        }
        runs.push(pattern);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&503) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn reset_mid_body_for_json_and_downloads() {
    let a = Agent::start().await;
    // JSON: a client sees a broken body.
    a.faults(json!({"rules": [rule("GET /v3/video-agents/styles", json!({"kind": "reset", "after_bytes": 20}), 1)]})).await;
    let r = a
        .http
        .get(a.url("/v3/video-agents/styles"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "body must fail mid-way");
    assert_eq!(a.get("/v3/video-agents/styles").await.status, 200);

    // Download: a 1 MiB blob; the reset hits after 100 000 bytes; a Range resume completes it.
    let blob = a
        .admin(
            reqwest::Method::POST,
            "/__admin/blobs",
            Some(json!({"size_bytes": 1 << 20})),
        )
        .await;
    let url = blob["url"].as_str().unwrap().to_string();
    a.faults(
        json!({"rules": [rule("GET /cdn/*", json!({"kind": "reset", "after_bytes": 100_000}), 1)]}),
    )
    .await;
    let mut r = a.http.get(&url).send().await.unwrap();
    assert_eq!(
        r.headers()["content-length"],
        (1u64 << 20).to_string().as_str()
    );
    let mut got = Vec::new();
    let err = loop {
        match r.chunk().await {
            Ok(Some(c)) => got.extend_from_slice(&c),
            Ok(None) => panic!("the body should not complete"),
            Err(e) => break e,
        }
    };
    assert!(
        !got.is_empty() && got.len() <= 100_000,
        "{} bytes before {err}",
        got.len()
    );
    let rest = a
        .http
        .get(&url)
        .header("range", format!("bytes={}-", got.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 206);
    got.extend_from_slice(&rest.bytes().await.unwrap());
    assert_eq!(got.len(), 1 << 20);
    assert!(
        got.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8),
        "deterministic content"
    );
    assert!(a.stats().await["bytes_served"].as_u64().unwrap() >= 1 << 20);
}

#[tokio::test]
async fn url_expiry_forced_and_by_ttl() {
    let a = Agent::start().await;
    let blob = a
        .admin(
            reqwest::Method::POST,
            "/__admin/blobs",
            Some(json!({"size_bytes": 1000})),
        )
        .await;
    let url = blob["url"].as_str().unwrap().to_string();
    assert_eq!(a.http.get(&url).send().await.unwrap().status(), 200);
    a.faults(json!({"expire_urls": true})).await;
    let r = a.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    a.clear_faults().await;
    assert_eq!(a.http.get(&url).send().await.unwrap().status(), 200);

    a.faults(json!({"url_ttl_seconds": 2})).await;
    let short = a
        .admin(
            reqwest::Method::POST,
            "/__admin/blobs",
            Some(json!({"size_bytes": 1000})),
        )
        .await;
    let short = short["url"].as_str().unwrap().to_string();
    assert_eq!(a.http.get(&short).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        a.http.get(&short).send().await.unwrap().status(),
        403,
        "expired"
    );
}

#[tokio::test]
async fn stuck_thinking_holds_sessions_until_cleared() {
    // A one-shot session in `thinking` (the older create answer); in HeyGen mode the same fault
    // holds it in `generating` with its video `pending` (heygen_mode.rs).
    let a =
        Agent::start_with(|c| c.create_answer = local_agent::CreateAnswer::ThinkingNoVideo).await;
    a.faults(json!({"stuck_thinking": true})).await;
    let id = a
        .create(json!({"prompt": "A 3-second video about patience."}))
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let s = a.get(&format!("/v3/video-agents/{id}")).await.body["data"].clone();
    assert_eq!(s["status"], "thinking");
    assert!(s["video_id"].is_null());
    a.clear_faults().await;
    a.wait_status(&id, "completed", 60).await;
}

#[tokio::test]
async fn stats_count_requests_by_route_template() {
    let a = Agent::start().await;
    a.get("/v3/videos/abc").await;
    a.get("/v3/videos/def").await;
    a.get("/v3/users/me").await;
    let s = a.stats().await;
    assert_eq!(s["requests"]["GET /v3/videos/{video_id}"], 2);
    assert_eq!(s["requests"]["GET /v3/users/me"], 1);
    assert_eq!(s["creates"], 0);
    assert!(s["bytes_served"].is_u64());
    let v = a
        .send(
            a.http
                .get(a.url("/__admin/videos/nope"))
                .header("x-api-key", KEY),
        )
        .await;
    assert_eq!(v.status, 404);
    let bad = a
        .send(
            a.http
                .post(a.url("/__admin/faults"))
                .header("x-api-key", KEY)
                .body("{\"rules\": 5}"),
        )
        .await;
    assert_eq!(bad.status, 400);
}
