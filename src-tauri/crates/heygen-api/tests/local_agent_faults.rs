//! Retry policy and error mapping against a real local agent with injected faults.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, API_KEY};
use heygen_api::models::{CreateVideoAgentRequest, PageRequest, StyleQuery};
use heygen_api::{ApiError, Auth, RetryHook, RetryNotice, RetryPolicy, Secret};
use serde_json::json;

fn rule(route: &str, kind: serde_json::Value, count: u32) -> serde_json::Value {
    let mut rule = kind;
    rule["route"] = json!(route);
    rule["count"] = json!(count);
    rule
}

#[tokio::test]
async fn authenticates_with_key_or_bearer_and_maps_401() {
    let h = Harness::start().await;
    let user = h
        .client
        .get_current_user()
        .await
        .expect("users/me with X-Api-Key");
    assert!(!user.username.is_empty());

    let bearer = h
        .client
        .with_auth(Auth::Bearer(Secret::new(API_KEY)))
        .unwrap();
    bearer
        .get_current_user()
        .await
        .expect("users/me with Bearer");

    let wrong_key = "wrong-key-5e1d2c";
    let bad = h
        .client
        .with_auth(Auth::ApiKey(Secret::new(wrong_key)))
        .unwrap();
    let err = bad.get_current_user().await.unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert_eq!(err.http_status(), Some(401));
    assert!(err.request_id().is_some_and(|id| !id.is_empty()), "{err:?}");
    assert!(!err.is_retryable());
    // Not retried: of two injected 401s, one is left.
    h.faults(
        json!({"rules": [rule("GET /v3/users/me", json!({"kind": "status", "status": 401}), 2)]}),
    )
    .await;
    assert_eq!(
        h.client.get_current_user().await.unwrap_err().code(),
        "unauthorized"
    );
    assert_eq!(h.active_faults().await["rules"][0]["count"], 1);
    // The key never appears in any rendering of the error.
    for text in [
        err.to_string(),
        format!("{err:?}"),
        serde_json::to_string(&err.report()).unwrap(),
    ] {
        assert!(!text.contains(wrong_key), "{text}");
        assert!(!text.contains(API_KEY), "{text}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn rate_limit_storm_is_retried_for_post_honouring_retry_after_seconds() {
    let h = Harness::start().await;
    h.faults(json!({"rules": [rule("POST /v3/video-agents",
        json!({"kind": "status", "status": 429, "retry_after_seconds": 1, "retry_after_format": "seconds"}), 2)]}))
        .await;
    let started = Instant::now();
    let created = h
        .client
        .create_video_agent(
            &CreateVideoAgentRequest::new("A 5-second test clip about retries."),
            Some("job-429-seconds"),
        )
        .await
        .expect("create succeeds after two 429s");
    let waited = started.elapsed();
    assert!(!created.session_id.is_empty());
    // Two waits of Retry-After (1 s) capped to 250 ms each — far more than the 10–20 ms backoff.
    assert!(
        waited >= Duration::from_millis(480),
        "Retry-After not honoured: waited {waited:?}"
    );
    assert_eq!(h.stats().await["creates"], 1);
    h.shutdown().await;
}

#[tokio::test]
async fn the_retry_hook_hears_each_wait_before_it_starts() {
    let h = Harness::start().await;
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::<RetryNotice>::new()));
    let sink = heard.clone();
    let client = h.client_with(|config| {
        config.on_retry = Some(RetryHook::new(move |n| {
            sink.lock().unwrap().push(n.clone())
        }));
    });
    h.faults(json!({"rules": [
        rule("POST /v3/video-agents",
            json!({"kind": "status", "status": 429, "retry_after_seconds": 1}), 1),
        rule("GET /v3/users/me", json!({"kind": "status", "status": 503}), 1),
    ]}))
    .await;
    client
        .create_video_agent(
            &CreateVideoAgentRequest::new("A 5-second test clip about patience."),
            Some("job-hook"),
        )
        .await
        .expect("create succeeds after one 429");
    client
        .get_current_user()
        .await
        .expect("users/me after a 503");
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert!(heard[0].rate_limited, "{heard:?}");
    assert_eq!(heard[0].retry, 1);
    assert!(heard[0].delay > Duration::ZERO);
    assert!(
        !heard[1].rate_limited,
        "a 503 is not a rate limit: {heard:?}"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn rate_limit_with_http_date_is_retried_and_exhaustion_reports_retry_after() {
    let h = Harness::start().await;
    h.faults(json!({"rules": [rule("GET /v3/users/me",
        json!({"kind": "status", "status": 429, "retry_after_seconds": 2, "retry_after_format": "http_date"}), 2)]}))
        .await;
    let started = Instant::now();
    h.client
        .get_current_user()
        .await
        .expect("succeeds on the third attempt");
    assert!(
        started.elapsed() >= Duration::from_millis(480),
        "HTTP-date Retry-After not honoured"
    );

    // More 429s than retries: the caller gets the error with the server's Retry-After.
    h.faults(json!({"rules": [rule("GET /v3/users/me",
        json!({"kind": "status", "status": 429, "retry_after_seconds": 30, "retry_after_format": "seconds"}), 5)]}))
        .await;
    let err = h.client.get_current_user().await.unwrap_err();
    assert_eq!(err.code(), "rate_limit_exceeded");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(err.report().retry_after, Some(30));
    // Three attempts were made (two rules left of five).
    assert_eq!(h.active_faults().await["rules"][0]["count"], 2);
    h.shutdown().await;
}

#[tokio::test]
async fn server_errors_are_retried_on_get_but_not_on_post() {
    let h = Harness::start().await;
    // The second half re-sends a create with its key: only meaningful where the server honours
    // it (HeyGen does not promise that for creates; studio-core reconciles instead).
    h.behaviour(json!({"honour_create_idempotency": true}))
        .await;
    h.faults(
        json!({"rules": [rule("GET /v3/users/me", json!({"kind": "status", "status": 503}), 2)]}),
    )
    .await;
    h.client
        .get_current_user()
        .await
        .expect("GET retried through two 503s");
    assert_eq!(h.handled("GET /v3/users/me").await, 1);

    h.faults(json!({"rules": [rule("POST /v3/video-agents", json!({"kind": "status", "status": 500}), 2)]})).await;
    let request = CreateVideoAgentRequest::new("A 5-second clip that must not be created twice.");
    let err = h
        .client
        .create_video_agent(&request, Some("job-500"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "internal_error");
    assert_eq!(err.http_status(), Some(500));
    assert!(
        err.is_retryable(),
        "a caller may retry it deliberately with the same key"
    );
    // Exactly one attempt consumed one of the two faults: the POST was not retried blindly.
    assert_eq!(h.active_faults().await["rules"][0]["count"], 1);
    assert_eq!(h.stats().await["creates"], 0);
    h.clear_faults().await;
    // The caller resolves it through the idempotency key: two sends, one job.
    let first = h
        .client
        .create_video_agent(&request, Some("job-500"))
        .await
        .unwrap();
    let again = h
        .client
        .create_video_agent(&request, Some("job-500"))
        .await
        .unwrap();
    assert_eq!(first.session_id, again.session_id);
    assert_eq!(h.stats().await["creates"], 1);
    h.shutdown().await;
}

#[tokio::test]
async fn html_gateway_and_bare_statuses_become_sensible_errors() {
    let h = Harness::start().await;
    h.faults(json!({"rules": [rule("GET /v3/users/me", json!({"kind": "html_gateway"}), 3)]}))
        .await;
    let err = h.client.get_current_user().await.unwrap_err();
    assert!(
        matches!(err, ApiError::Status { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "bad_gateway");
    assert!(err.to_string().contains("HTML page"), "{err}");
    assert!(err.request_id().is_some());
    assert_eq!(
        h.active_faults().await["rules"][0]["count"],
        0,
        "502 on GET retried twice"
    );

    h.faults(json!({"rules": [rule("POST /v3/video-agents",
        json!({"kind": "status", "status": 503, "envelope": false}), 1)]}))
        .await;
    let err = h
        .client
        .create_video_agent(&CreateVideoAgentRequest::new("x"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "service_unavailable");
    assert!(err.to_string().contains("no details"), "{err}");
    h.shutdown().await;
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_retried_on_get() {
    let h = Harness::start().await;
    h.faults(json!({"rules": [rule("GET /v3/video-agents/styles", json!({"kind": "truncated_json"}), 1)]})).await;
    let page = h
        .client
        .list_styles(&StyleQuery::default(), &PageRequest::first())
        .await
        .expect("retried");
    assert!(!page.data.is_empty());

    let no_retry = h.client_with(|c| c.retry = RetryPolicy::none());
    h.faults(json!({"rules": [rule("GET /v3/video-agents/styles", json!({"kind": "truncated_json"}), 1)]})).await;
    let err = no_retry
        .list_styles(&StyleQuery::default(), &PageRequest::first())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Decode {
                status: 200,
                truncated: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "decode_error");
    assert_eq!(err.http_status(), Some(200));
    h.shutdown().await;
}

#[tokio::test]
async fn connection_reset_mid_body_is_retried_on_get_only() {
    let h = Harness::start().await;
    // The second half re-sends a create with its key: only meaningful where the server honours
    // it (HeyGen does not promise that for creates; studio-core reconciles instead).
    h.behaviour(json!({"honour_create_idempotency": true}))
        .await;
    h.faults(json!({"rules": [rule("GET /v3/video-agents/styles", json!({"kind": "reset", "after_bytes": 20}), 1)]}))
        .await;
    h.client
        .list_styles(&StyleQuery::default(), &PageRequest::first())
        .await
        .expect("retried after reset");

    h.faults(json!({"rules": [rule("POST /v3/video-agents", json!({"kind": "reset", "after_bytes": 10}), 1)]})).await;
    let err = h
        .client
        .create_video_agent(
            &CreateVideoAgentRequest::new("A 5-second clip."),
            Some("job-reset"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "network_error", "{err:?}");
    assert!(err.is_retryable());
    // The server did create it; the same key gets the same session back.
    let again = h
        .client
        .create_video_agent(
            &CreateVideoAgentRequest::new("A 5-second clip."),
            Some("job-reset"),
        )
        .await
        .unwrap();
    assert!(!again.session_id.is_empty());
    assert_eq!(h.stats().await["creates"], 1);
    h.shutdown().await;
}

#[tokio::test]
async fn timeouts_and_refused_connections() {
    let h = Harness::start().await;
    let impatient = h.client_with(|c| {
        c.timeouts.read = Duration::from_millis(200);
        c.retry = RetryPolicy::none();
    });
    h.faults(
        json!({"rules": [rule("GET /v3/users/me", json!({"kind": "latency", "ms": 1500}), 1)]}),
    )
    .await;
    let err = impatient.get_current_user().await.unwrap_err();
    assert_eq!(err.code(), "timeout", "{err:?}");
    assert!(err.is_retryable());

    let base = h.base_url.clone();
    h.shutdown().await;
    let config = heygen_api::ClientConfig::new(base, Auth::ApiKey(Secret::new(API_KEY)));
    let gone = heygen_api::Client::new(heygen_api::ClientConfig {
        retry: RetryPolicy::none(),
        ..config
    })
    .unwrap();
    let err = gone.get_current_user().await.unwrap_err();
    assert_eq!(err.code(), "network_error", "{err:?}");
    assert!(err.to_string().contains("could not connect"), "{err}");
    assert!(
        !err.to_string().contains("/v3/users/me"),
        "no URL in network errors: {err}"
    );
}

#[tokio::test]
async fn validation_errors_carry_param_and_client_checks_come_first() {
    let h = Harness::start().await;
    let mut request = CreateVideoAgentRequest::new("A 5-second clip.");
    request.files = vec![heygen_api::models::AssetInput::asset_id(
        "asset_does_not_exist",
    )];
    let err = h
        .client
        .create_video_agent(&request, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_parameter");
    assert_eq!(err.http_status(), Some(400));
    assert!(
        err.param().is_some_and(|p| p.starts_with("files")),
        "{err:?}"
    );

    let err = h
        .client
        .create_video_agent(&CreateVideoAgentRequest::new("   "), None)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.param()),
        ("invalid_request", Some("prompt"))
    );
    let err = h
        .client
        .create_video_agent(&CreateVideoAgentRequest::new("x"), Some("bad key!"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    let err = h.client.get_video("..").await.unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    let err = h.client.get_video("vid_missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(h.stats().await["creates"], 0);
    h.shutdown().await;
}

#[tokio::test]
async fn uploads_are_retried_per_policy() {
    let h = Harness::start_with(|c| c.simple_upload_max_bytes = 64 * 1024).await;
    let logo = common::fixture("logo.png");
    // 429 on the multipart POST: retried, the file re-read from the start.
    h.faults(json!({"rules": [rule("POST /v3/assets",
        json!({"kind": "status", "status": 429, "retry_after_seconds": 1}), 1)]}))
        .await;
    let asset = h
        .client
        .upload_file(&logo, &Default::default())
        .await
        .expect("simple upload after 429");
    assert_eq!(
        asset.asset.size_bytes,
        Some(std::fs::metadata(&logo).unwrap().len())
    );
    // 503 on the multipart POST: not retried.
    h.faults(
        json!({"rules": [rule("POST /v3/assets", json!({"kind": "status", "status": 503}), 1)]}),
    )
    .await;
    let err = h
        .client
        .upload_file(&logo, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "internal_error");

    // 503 on the presigned PUT: retried (PUT is idempotent) and the direct upload completes.
    let wav = h.work.join("tone.wav");
    common::write_wav(&wav, 6);
    h.faults(
        json!({"rules": [rule("PUT /uploads/*", json!({"kind": "status", "status": 503}), 2)]}),
    )
    .await;
    let direct = h
        .client
        .upload_file(&wav, &Default::default())
        .await
        .expect("direct upload after 503s");
    assert_eq!(direct.method, heygen_api::UploadMethod::Direct);
    assert_eq!(h.active_faults().await["rules"][0]["count"], 0);

    // `/complete` is documented as idempotent: a 502 there is retried as well.
    h.faults(
        json!({"rules": [rule("POST /v3/assets/*/complete", json!({"kind": "html_gateway"}), 1)]}),
    )
    .await;
    let again = h
        .client
        .upload_file(&wav, &Default::default())
        .await
        .expect("complete retried after 502");
    assert_eq!(again.sha256, direct.sha256);
    assert_eq!(h.active_faults().await["rules"][0]["count"], 0);
    h.shutdown().await;
}

#[tokio::test]
async fn slow_presigned_put_is_bounded_by_the_upload_timeout_not_the_download_idle_timeout() {
    let h = Harness::start_with(|c| {
        c.simple_upload_max_bytes = 64 * 1024;
        c.timeouts.download_idle = Duration::from_millis(300);
        c.retry = RetryPolicy::none();
    })
    .await;
    let wav = h.work.join("tone.wav");
    common::write_wav(&wav, 6);
    // The storage takes a second to answer the PUT: longer than the idle timeout for downloads.
    h.faults(json!({"rules": [rule("PUT /uploads/*", json!({"kind": "latency", "ms": 1000}), 1)]}))
        .await;
    let started = Instant::now();
    let uploaded = h
        .client
        .upload_file(&wav, &Default::default())
        .await
        .expect("slow PUT still completes");
    assert_eq!(uploaded.method, heygen_api::UploadMethod::Direct);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "the PUT really was slow"
    );

    // A download that goes silent for longer than the idle timeout fails as a timeout.
    let blob = h
        .admin_post("/__admin/blobs", json!({"size_bytes": 1000}))
        .await;
    h.faults(json!({"rules": [rule("GET /cdn/*", json!({"kind": "latency", "ms": 1500}), 1)]}))
        .await;
    let no_retry = h.client_with(|c| c.retry = RetryPolicy::none());
    let err = no_retry
        .download(blob["url"].as_str().unwrap(), 0)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "timeout", "{err:?}");
    assert!(
        err.to_string().contains("after 0."),
        "the idle timeout, not the 10 min total: {err}"
    );
    h.shutdown().await;
}
