//! HeyGen mode (the default): the agent answers as HeyGen does where that is less convenient
//! than the older local behaviour, and each older behaviour is still there as an option.

mod common;

use std::time::{Duration, Instant};

use common::{keys, png_bytes, upload, Agent, KEY};
use serde_json::{json, Value};

#[tokio::test]
async fn one_shot_create_answers_generating_with_a_pending_video() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let r = a
        .post(
            "/v3/video-agents",
            json!({"prompt": "A 2-second video about tides."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = &r.body["data"];
    assert_eq!(d["status"], "generating", "HeyGen's example answer");
    let vid = d["video_id"]
        .as_str()
        .expect("video_id at once")
        .to_string();
    let sid = d["session_id"].as_str().unwrap().to_string();
    // The video exists at once and waits; so does the session, which says the same.
    let v = a.get(&format!("/v3/videos/{vid}")).await;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["data"]["status"], "pending");
    assert!(v.body["data"]["video_url"].is_null());
    let s = a.get(&format!("/v3/video-agents/{sid}")).await.body["data"].clone();
    assert_eq!(s["status"], "generating");
    assert_eq!(s["video_id"], vid.as_str());
    assert!(s["progress"].as_u64().unwrap() <= 20);
    // Released, it renders that same video, and the title and messages follow.
    a.clear_faults().await;
    let done = a.wait_status(&sid, "completed", 120).await;
    assert_eq!(done["video_id"], vid.as_str());
    assert!(done["title"].is_string());
    assert!(done["messages"].as_array().unwrap().len() >= 3, "{done}");
    let v = a.wait_video(&vid, 60).await;
    assert_eq!(v["status"], "completed");
    assert_eq!(v["title"], done["title"]);
}

#[tokio::test]
async fn option_create_thinking_answers_the_older_way() {
    let a =
        Agent::start_with(|c| c.create_answer = local_agent::CreateAnswer::ThinkingNoVideo).await;
    a.faults(json!({"stuck_thinking": true})).await;
    let r = a.post("/v3/video-agents", json!({"prompt": "x"})).await;
    assert_eq!(r.body["data"]["status"], "thinking");
    assert!(r.body["data"]["video_id"].is_null());
    // Switchable at run time too.
    a.admin(
        reqwest::Method::POST,
        "/__admin/behaviour",
        Some(json!({"create_answer": "generating"})),
    )
    .await;
    let r = a.post("/v3/video-agents", json!({"prompt": "x"})).await;
    assert_eq!(r.body["data"]["status"], "generating");
}

#[tokio::test]
async fn chat_creates_still_answer_thinking_without_a_video() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let r = a
        .post("/v3/video-agents", json!({"prompt": "x", "mode": "chat"}))
        .await;
    assert_eq!(r.body["data"]["status"], "thinking");
    assert!(r.body["data"]["video_id"].is_null());
}

#[tokio::test]
async fn list_items_carry_only_session_id_created_at_and_title() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    a.create(json!({"prompt": "one"})).await;
    let list = a.get("/v3/video-agents").await;
    assert_eq!(
        keys(&list.body["data"][0]),
        ["created_at", "session_id", "title"]
    );
    a.admin(
        reqwest::Method::POST,
        "/__admin/behaviour",
        Some(json!({"full_list_items": true})),
    )
    .await;
    let list = a.get("/v3/video-agents").await;
    assert!(list.body["data"][0]["status"].is_string(), "option");
}

#[tokio::test]
async fn idempotency_key_is_ignored_on_session_creates_but_not_elsewhere() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let send = |path: &str, body: Value| {
        a.http
            .post(a.url(path))
            .header("x-api-key", KEY)
            .header("idempotency-key", "same-key")
            .json(&body)
    };
    let one = a
        .send(send("/v3/video-agents", json!({"prompt": "p"})))
        .await;
    let two = a
        .send(send("/v3/video-agents", json!({"prompt": "p"})))
        .await;
    assert_eq!((one.status.as_u16(), two.status.as_u16()), (200, 200));
    assert_ne!(
        one.body["data"]["session_id"], two.body["data"]["session_id"],
        "a second session, as HeyGen would make"
    );
    assert!(two.headers.get("idempotent-replayed").is_none());
    assert_eq!(a.stats().await["creates"], 2);
    // The older form too; and documented endpoints still replay.
    let l1 = a
        .send(send("/v3/video-agents/sessions", json!({"prompt": "p"})))
        .await;
    let l2 = a
        .send(send("/v3/video-agents/sessions", json!({"prompt": "p"})))
        .await;
    assert_ne!(l1.body["data"]["session_id"], l2.body["data"]["session_id"]);
    let hook = json!({"url": "https://example.com/h"});
    let w1 = a.send(send("/v3/webhooks/endpoints", hook.clone())).await;
    let w2 = a.send(send("/v3/webhooks/endpoints", hook)).await;
    assert_eq!(w1.body, w2.body);
    assert_eq!(w2.headers.get("idempotent-replayed").unwrap(), "true");
    // The same key with another request is refused, not answered with the first one's reply.
    let other = a
        .send(send(
            "/v3/webhooks/endpoints",
            json!({"url": "https://example.com/other"}),
        ))
        .await;
    assert_eq!(other.status, 409, "{}", other.text);
    assert_eq!(other.body["error"]["param"], "Idempotency-Key");
}

/// Starts a direct upload of `bytes` and PUTs them; returns the asset id.
async fn direct_upload(a: &Agent, bytes: &[u8]) -> String {
    let r = a
        .post(
            "/v3/assets/direct-uploads",
            json!({"filename": "p.png", "content_type": "image/png", "size_bytes": bytes.len()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.body["data"].clone();
    let mut put = a
        .http
        .put(d["upload_url"].as_str().unwrap())
        .body(bytes.to_vec());
    for (k, v) in d["upload_headers"].as_object().unwrap() {
        put = put.header(k.as_str(), v.as_str().unwrap());
    }
    assert_eq!(a.send(put).await.status, 200);
    d["asset_id"].as_str().unwrap().to_string()
}

async fn asset_status(a: &Agent, id: &str) -> String {
    let r = a.get(&format!("/v3/assets/statuses?asset_ids={id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["data"][0]["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn direct_uploads_stay_processing_and_creates_refuse_them_meanwhile() {
    // 1.5 s of real time at the test time scale (6000).
    let a = Agent::start_with(|c| c.asset_processing_secs = 1.5 * 6000.0).await;
    a.faults(json!({"stuck_thinking": true})).await;
    let bytes = png_bytes("teal");
    let id = direct_upload(&a, &bytes).await;
    assert_eq!(
        asset_status(&a, &id).await,
        "queued",
        "uploaded, not completed"
    );
    let done = a
        .post(&format!("/v3/assets/{id}/complete"), json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["data"]["status"], "processing");
    assert_eq!(asset_status(&a, &id).await, "processing");
    let create = json!({"prompt": "p", "files": [{"type": "asset_id", "asset_id": id}]});
    let r = a.post("/v3/video-agents", create.clone()).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "asset_not_available");
    assert_eq!(r.body["error"]["param"], "files[0].asset_id");
    assert_eq!(a.stats().await["creates"], 0);
    // Several ids at once, in the order asked, unknown ones as not_found.
    let r = a
        .get(&format!("/v3/assets/statuses?asset_ids={id},asset_nope"))
        .await;
    assert_eq!(
        r.body["data"][1],
        json!({"asset_id": "asset_nope", "status": "not_found"})
    );
    assert_eq!(a.get("/v3/assets/statuses").await.status, 400);
    let many = vec!["a"; 101].join(",");
    assert_eq!(
        a.get(&format!("/v3/assets/statuses?asset_ids={many}"))
            .await
            .status,
        400
    );
    // Once processed: completed, and usable.
    let deadline = Instant::now() + Duration::from_secs(10);
    while asset_status(&a, &id).await != "completed" {
        assert!(Instant::now() < deadline, "never completed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let again = a
        .post(&format!("/v3/assets/{id}/complete"), json!({}))
        .await;
    assert_eq!(again.body["data"]["status"], "completed");
    assert_eq!(a.post("/v3/video-agents", create).await.status, 200);
}

#[tokio::test]
async fn option_uploads_ready_at_once() {
    let a = Agent::start_with(|c| c.asset_processing_secs = 0.0).await;
    a.faults(json!({"stuck_thinking": true})).await;
    let id = direct_upload(&a, &png_bytes("navy")).await;
    let done = a
        .post(&format!("/v3/assets/{id}/complete"), json!({}))
        .await;
    assert_eq!(done.body["data"]["status"], "completed");
    let r = a
        .post(
            "/v3/video-agents",
            json!({"prompt": "p", "files": [{"type": "asset_id", "asset_id": id}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn assert_envelope(r: &common::Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("application/json"), "{ct}: {}", r.text);
    assert_eq!(r.body["error"]["code"], code, "{}", r.text);
    assert!(r.body["error"]["message"].is_string());
    assert!(r.body["error"]["doc_url"].is_string());
    assert!(r.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn framework_rejections_are_json_error_envelopes() {
    let a = Agent::start().await;
    // Malformed query strings on every list endpoint (a duplicate field; bad percent-encoding).
    for path in [
        "/v3/video-agents",
        "/v3/video-agents/styles",
        "/v3/brand-kits",
        "/v3/assets",
        "/v3/videos",
        "/v3/avatars",
        "/v3/avatars/looks",
        "/v3/voices",
        "/v3/webhooks/endpoints",
        "/v3/webhooks/events",
        "/v3/webhooks/event-types",
    ] {
        let r = a.get(&format!("{path}?limit=1&limit=2")).await;
        assert_envelope(&r, 400, "invalid_parameter");
        let r = a.get(&format!("{path}?token=%FF%FE")).await;
        assert_eq!(r.status.as_u16(), 400, "{path}: {}", r.text);
        assert!(r.body["error"]["code"].is_string(), "{path}: {}", r.text);
    }
    // Bad JSON, a JSON array, a wrong content type for an upload.
    let bad = a
        .send(
            a.http
                .post(a.url("/v3/video-agents"))
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body("{\"prompt\": "),
        )
        .await;
    assert_envelope(&bad, 400, "invalid_parameter");
    let arr = a.post("/v3/video-agents", json!(["prompt"])).await;
    assert_envelope(&arr, 400, "invalid_parameter");
    let wrong_type = a
        .send(
            a.http
                .post(a.url("/v3/assets"))
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    assert_envelope(&wrong_type, 400, "invalid_parameter");
    // Unknown route, wrong method (with Allow), bad path encoding.
    assert_envelope(&a.get("/v3/nothing").await, 404, "not_found");
    let put = a
        .send(a.http.put(a.url("/v3/users/me")).header("x-api-key", KEY))
        .await;
    assert_envelope(&put, 405, "method_not_allowed");
    assert!(put.headers.contains_key("allow"));
    let r = a.get("/v3/videos/%FF").await;
    assert!(r.status.is_client_error());
    assert!(r.body["error"]["code"].is_string(), "{}", r.text);
    // Injected faults keep their own shape (outside this layer).
    a.faults(json!({"rules": [{"route": "GET /v3/users/me", "kind": "html_gateway", "count": 1}]}))
        .await;
    let r = a.get("/v3/users/me").await;
    assert_eq!(r.status.as_u16(), 502);
    assert!(r.text.contains("<html>"));
}

#[tokio::test]
async fn legacy_resources_answer_resources_and_next_cursor() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let up = upload(&a, png_bytes("red"), "r.png").await;
    let asset = up.body["data"]["asset_id"].as_str().unwrap().to_string();
    let files: Vec<Value> = (0..3)
        .map(|_| json!({"type": "asset_id", "asset_id": asset}))
        .collect();
    let r = a
        .post(
            "/v3/video-agents/sessions",
            json!({"prompt": "p", "files": files}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["data"]["session_id"].as_str().unwrap().to_string();
    let page = a
        .get(&format!("/v3/video-agents/sessions/{id}/resources?limit=2"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(keys(&page.body["data"]), ["next_cursor", "resources"]);
    assert_eq!(page.body["data"]["resources"].as_array().unwrap().len(), 2);
    let cursor = page.body["data"]["next_cursor"].as_str().unwrap();
    let last = a
        .get(&format!(
            "/v3/video-agents/sessions/{id}/resources?limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(last.body["data"]["resources"].as_array().unwrap().len(), 1);
    assert!(last.body["data"]["next_cursor"].is_null());
    let bad = a
        .get(&format!(
            "/v3/video-agents/sessions/{id}/resources?cursor=zz"
        ))
        .await;
    assert_eq!(bad.body["error"]["param"], "cursor");
}

#[tokio::test]
async fn the_first_user_message_carries_the_create_files() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let up = upload(&a, png_bytes("gold"), "g.png").await;
    let asset = up.body["data"]["asset_id"].as_str().unwrap().to_string();
    let id = a
        .create(
            json!({"prompt": "With a file.", "files": [{"type": "asset_id", "asset_id": asset}]}),
        )
        .await;
    let s = a.get(&format!("/v3/video-agents/{id}")).await.body["data"].clone();
    let first = s["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["role"], "user");
    assert_eq!(first["content"], "With a file.");
    let rid = first["resource_ids"][0].as_str().unwrap();
    let res = a
        .get(&format!("/v3/video-agents/{id}/resources/{rid}"))
        .await;
    assert_eq!(res.body["data"]["source_type"], "user_uploaded");
    let sessions = a
        .admin(reqwest::Method::GET, "/__admin/sessions", None)
        .await;
    assert_eq!(sessions["sessions"][0]["prompt"], "With a file.");
}

/// A raw HTTP/1.1 request; returns every byte the server sent before closing.
async fn raw_exchange(base: &str, request: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the server neither answered nor closed");
    got
}

#[tokio::test]
async fn process_then_drop_commits_the_create_and_answers_nothing() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true, "rules": [
        {"route": "POST /v3/video-agents", "kind": "process_then_drop", "count": 1}
    ]}))
    .await;
    let body = r#"{"prompt":"Dropped but made."}"#;
    let req = format!(
        "POST /v3/video-agents HTTP/1.1\r\nHost: x\r\nX-Api-Key: {KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let got = raw_exchange(&a.base, &req).await;
    assert!(
        got.is_empty(),
        "not a byte of the answer: {:?}",
        String::from_utf8_lossy(&got)
    );
    // The server did make the session.
    assert_eq!(a.stats().await["creates"], 1);
    let all = a
        .admin(reqwest::Method::GET, "/__admin/sessions", None)
        .await;
    assert_eq!(all["sessions"][0]["prompt"], "Dropped but made.");
    // Through a client it is an error, not a status; the next create is answered.
    a.faults(json!({"stuck_thinking": true, "rules": [
        {"route": "POST /v3/video-agents", "kind": "process_then_drop", "count": 1}
    ]}))
    .await;
    let err = a
        .http
        .post(a.url("/v3/video-agents"))
        .header("x-api-key", KEY)
        .json(&json!({"prompt": "second"}))
        .send()
        .await;
    assert!(err.is_err(), "{err:?}");
    assert_eq!(a.stats().await["creates"], 2);
    let ok = a.post("/v3/video-agents", json!({"prompt": "third"})).await;
    assert_eq!(ok.status, 200);
    // Any route: a GET dropped the same way.
    a.faults(
        json!({"rules": [{"route": "GET /v3/users/me", "kind": "process_then_drop", "count": 1}]}),
    )
    .await;
    let got = raw_exchange(
        &a.base,
        &format!("GET /v3/users/me HTTP/1.1\r\nHost: x\r\nX-Api-Key: {KEY}\r\n\r\n"),
    )
    .await;
    assert!(got.is_empty());
}

#[tokio::test]
async fn users_me_in_all_three_billing_shapes() {
    let a = Agent::start().await;
    for kind in ["wallet", "subscription", "usage_based"] {
        a.admin(
            reqwest::Method::POST,
            "/__admin/behaviour",
            Some(json!({ "billing_type": kind })),
        )
        .await;
        let me = a.get("/v3/users/me").await.body["data"].clone();
        assert_eq!(me["billing_type"], kind);
        for other in ["wallet", "subscription", "usage_based"] {
            assert_eq!(me[other].is_null(), other != kind, "{kind}: {me}");
        }
    }
    let me = a.get("/v3/users/me").await.body["data"].clone();
    assert!(me["usage_based"]["remaining_credits"].as_f64().unwrap() > 0.0);
    a.admin(
        reqwest::Method::POST,
        "/__admin/behaviour",
        Some(json!({"billing_type": "subscription"})),
    )
    .await;
    let me = a.get("/v3/users/me").await.body["data"].clone();
    let premium = &me["subscription"]["credits"]["premium_credits"];
    assert!(premium["resets_at"].is_i64(), "Unix seconds: {premium}");
    assert!(premium["remaining"].as_f64().unwrap() > 0.0);
    let bad = a
        .send(
            a.http
                .post(a.url("/__admin/behaviour"))
                .header("x-api-key", KEY)
                .json(&json!({"billing_type": "barter"})),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn private_voices_beside_public_ones_and_looks_not_ready() {
    let a = Agent::start().await;
    let all = a.get("/v3/voices?limit=100").await.body["data"].clone();
    let types: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"private") && types.contains(&"public"));
    let german = a.get("/v3/voices?language=German&gender=female").await;
    let g = german.body["data"].as_array().unwrap();
    assert!(g.len() >= 2, "{g:?}");
    assert!(g
        .iter()
        .all(|v| v["language"] == "German" && v["gender"] == "female"));
    assert!(g.iter().any(|v| v["type"] == "private"));

    let looks = a.get("/v3/avatars/looks?ownership=private&limit=50").await;
    let looks = looks.body["data"].as_array().unwrap().clone();
    let by_id = |id: &str| looks.iter().find(|l| l["id"] == id).cloned().unwrap();
    assert_eq!(by_id("look_me_studio")["status"], "processing");
    assert_eq!(by_id("look_me_outdoor")["consent_status"], "pending");
    assert_eq!(by_id("look_me_twin")["status"], "completed");
    for id in ["look_me_studio", "look_me_outdoor"] {
        let r = a
            .post("/v3/video-agents", json!({"prompt": "p", "avatar_id": id}))
            .await;
        assert_eq!(r.status, 400, "{id}: {}", r.text);
        assert_eq!(r.body["error"]["param"], "avatar_id");
    }
}
