//! Reliability against the local agent's fault injection: 429 storms (both Retry-After forms),
//! 5xx on GET (retried) and on the create POST (resolved by reconciling with the server's
//! sessions, never a second create), HTML 502, truncated JSON, a reset mid-download (resumed
//! with Range, no byte fetched twice) and an expired download link (refreshed).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use studio_core::downloads::file::fetch_to_file;
use studio_core::heygen_api::{Auth, Client, ClientConfig};
use studio_core::{JobState, Secret, StudioEvent};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_storms_in_both_retry_after_forms_are_waited_out() {
    let env = Env::start().await;
    env.set_faults(json!({"rules": [
        {"route": "GET /v3/video-agents/*", "kind": "status", "status": 429,
         "retry_after_seconds": 1, "retry_after_format": "seconds", "count": 4},
        {"route": "GET /v3/videos/*", "kind": "status", "status": 429,
         "retry_after_seconds": 1, "retry_after_format": "http_date", "count": 4},
    ]}))
    .await;
    let studio = env.studio().await;
    let mut events = studio.subscribe();
    let job = studio
        .submit(request("A 3-second video about patience.", vec![]))
        .await
        .unwrap();
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    // The storms outlasted the client's own two retries, so the shared budget paused.
    let mut rate_limited = false;
    while let Ok(e) = events.try_recv() {
        rate_limited |=
            matches!(e, StudioEvent::RateLimited { retry_after_secs } if retry_after_secs >= 1);
    }
    assert!(rate_limited, "a RateLimited event was sent");
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_429_the_client_absorbs_is_still_announced_with_its_wait() {
    let env = Env::start().await;
    // One 429 on create: the client's own retry absorbs it, so the engine never sees an error;
    // the user must still be told why nothing happens for the Retry-After.
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "status", "status": 429,
         "retry_after_seconds": 1, "count": 1},
    ]}))
    .await;
    let studio = env.studio().await;
    let mut events = studio.subscribe();
    let job = studio
        .submit(request("A 3-second video about waiting.", vec![]))
        .await
        .unwrap();
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    let mut announced = None;
    while let Ok(e) = events.try_recv() {
        if let StudioEvent::RateLimited { retry_after_secs } = e {
            announced = Some(retry_after_secs);
        }
    }
    assert!(
        announced.is_some_and(|s| s >= 1),
        "no RateLimited event for the absorbed 429: {announced:?}"
    );
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_retry_gets_and_never_create_twice() {
    let env = Env::start().await;
    env.set_faults(json!({"rules": [
        // The create: first a bare 503 (not processed), then a reset after the server created
        // the session (the answer is lost). The server does not honour the key (HeyGen mode):
        // the engine finds no session after the 503 and sends again; after the reset it finds
        // the session and adopts it instead of sending a third time.
        {"route": "POST /v3/video-agents", "kind": "status", "status": 503, "envelope": false, "count": 1},
        {"route": "POST /v3/video-agents", "kind": "reset", "after_bytes": 5, "count": 1},
        {"route": "GET /v3/videos/*", "kind": "status", "status": 500, "count": 2},
        {"route": "GET /v3/video-agents/*", "kind": "status", "status": 502, "envelope": false, "count": 2},
    ]}))
    .await;
    let done = env.run_job("A 3-second video about second chances.").await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    let stats = env.stats().await;
    assert_eq!(
        stats["creates"], 1,
        "exactly one session was created: {stats}"
    );
    // The injected 503 never reaches the router's counter; the reset one does, and no third
    // create follows it (the lost answer's session was adopted, not re-created).
    assert_eq!(
        stats["requests"]["POST /v3/video-agents"].as_u64(),
        Some(1),
        "the create was re-sent once: {stats}"
    );
    assert_eq!(
        env.sessions_for("A 3-second video about second chances.")
            .await,
        1
    );
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_gateway_pages_and_truncated_json_are_survived() {
    let env = Env::start().await;
    env.set_faults(json!({"rules": [
        {"route": "GET /v3/video-agents/*", "kind": "html_gateway", "count": 3},
        {"route": "GET /v3/videos/*", "kind": "truncated_json", "count": 3},
    ]}))
    .await;
    let done = env.run_job("A 3-second video about bridges.").await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    assert_eq!(env.stats().await["creates"], 1);
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_download_link_is_refreshed_from_the_video() {
    let env = Env::start().await;
    env.set_faults(json!({"rules": [
        {"route": "GET /cdn/v/*", "kind": "status", "status": 403, "count": 1},
    ]}))
    .await;
    let done = env.run_job("A 3-second video about fresh starts.").await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_mid_download_resumes_with_range_and_fetches_each_byte_once() {
    let env = Env::start().await;
    let size = 600_000u64;
    let blob = env.blob(size).await;
    let url = blob["url"].as_str().unwrap().to_string();
    env.set_faults(json!({"rules": [
        {"route": "GET /cdn/*", "kind": "reset", "after_bytes": 150000, "count": 2},
    ]}))
    .await;
    let client = Client::new({
        let mut c = ClientConfig::new(env.agent.base_url(), Auth::ApiKey(Secret::new(KEY)));
        c.retry = fast_retry();
        c
    })
    .unwrap();
    let dest = env.dir.path().join("blob.bin");
    let refreshed = std::sync::atomic::AtomicU32::new(0);
    let fetched = fetch_to_file(
        &client,
        url.clone(),
        &dest,
        || {
            refreshed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let u = url.clone();
            async move { Ok(u) }
        },
        &CancellationToken::new(),
        &|_, _| {},
        Duration::from_millis(20),
    )
    .await
    .expect("download completes");
    assert_eq!(fetched.size, size);
    assert_eq!(fetched.transferred, size, "no byte was fetched twice");
    assert_eq!(refreshed.load(std::sync::atomic::Ordering::SeqCst), 0);
    let bytes = std::fs::read(&dest).unwrap();
    assert!(
        bytes.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8),
        "content intact"
    );
    assert!(!env.dir.path().join("blob.bin.part").exists());
    assert!(!env.dir.path().join("blob.bin.part.json").exists());
    env.agent.shutdown().await;
}
