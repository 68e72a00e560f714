//! Conformance: status codes and JSON shapes of every endpoint against the spec and its examples,
//! over real loopback HTTP.

mod common;

use common::{example, keys, png_bytes, upload, Agent, KEY};
use serde_json::{json, Value};

#[tokio::test]
async fn auth_request_ids_and_error_envelopes() {
    let a = Agent::start().await;
    // No key.
    let r = a.send(a.http.get(a.url("/v3/users/me"))).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "unauthorized");
    assert!(r.headers.contains_key("x-request-id"));
    // Wrong key, right key as Bearer.
    let r = a
        .send(
            a.http
                .get(a.url("/v3/users/me"))
                .header("x-api-key", "nope"),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = a
        .send(a.http.get(a.url("/v3/users/me")).bearer_auth(KEY))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // 404 envelope has the example's shape (no param).
    let r = a.get("/v3/videos/does-not-exist").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["code"], "video_not_found");
    assert_eq!(
        keys(&r.body["error"]),
        keys(&example("error-not-found.json")["error"])
    );
    assert_eq!(
        r.body["error"]["doc_url"],
        "https://developers.heygen.com/docs/error-codes#video-not-found"
    );
    // 400 envelope with param, like the example.
    let r = a.post("/v3/video-agents", json!({"prompt": ""})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "invalid_parameter");
    assert_eq!(r.body["error"]["param"], "prompt");
    assert_eq!(
        keys(&r.body["error"]),
        keys(&example("error-invalid-parameter.json")["error"])
    );
    assert!(r.headers.contains_key("x-request-id"));
    // Unknown route.
    let r = a.get("/v3/nothing-here").await;
    assert_eq!(r.status, 404);
    assert!(r.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn create_validates_every_field() {
    let a = Agent::start().await;
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (json!({}), 400, "invalid_parameter", Some("prompt")),
        (
            json!({"prompt": "x".repeat(10_001)}),
            400,
            "invalid_parameter",
            Some("prompt"),
        ),
        (
            json!({"prompt": 5}),
            400,
            "invalid_parameter",
            Some("prompt"),
        ),
        (
            json!({"prompt": "hi", "mode": "batch"}),
            400,
            "invalid_parameter",
            Some("mode"),
        ),
        (
            json!({"prompt": "hi", "orientation": "square"}),
            400,
            "invalid_parameter",
            Some("orientation"),
        ),
        (
            json!({"prompt": "hi", "avatar_id": "nobody"}),
            404,
            "avatar_not_found",
            Some("avatar_id"),
        ),
        (
            json!({"prompt": "hi", "voice_id": "nobody"}),
            404,
            "voice_not_found",
            Some("voice_id"),
        ),
        (
            json!({"prompt": "hi", "style_id": "nope"}),
            400,
            "invalid_parameter",
            Some("style_id"),
        ),
        (
            json!({"prompt": "hi", "brand_kit_id": "nope"}),
            400,
            "invalid_parameter",
            Some("brand_kit_id"),
        ),
        (
            json!({"prompt": "hi", "incognito_mode": "yes"}),
            400,
            "invalid_parameter",
            Some("incognito_mode"),
        ),
        (
            json!({"prompt": "hi", "callback_url": "ftp://x"}),
            400,
            "invalid_parameter",
            Some("callback_url"),
        ),
        (
            json!({"prompt": "hi", "files": vec![json!({"type": "asset_id", "asset_id": "a"}); 21]}),
            400,
            "invalid_parameter",
            Some("files"),
        ),
        (
            json!({"prompt": "hi", "files": [{"type": "ftp"}]}),
            400,
            "invalid_parameter",
            Some("files[0].type"),
        ),
        (
            json!({"prompt": "hi", "files": [{"type": "asset_id", "asset_id": "missing"}]}),
            400,
            "invalid_parameter",
            Some("files[0].asset_id"),
        ),
        (
            json!({"prompt": "hi", "files": [{"type": "base64", "media_type": "text/html", "data": "PGh0bWw+PC9odG1sPg=="}]}),
            400,
            "invalid_parameter",
            Some("files[0]"),
        ),
        (
            json!({"prompt": "hi", "files": [{"type": "url", "url": format!("{}/cdn/nothing", a.base)}]}),
            400,
            "download_failed",
            Some("files[0].url"),
        ),
    ];
    for (body, status, code, param) in cases {
        let r = a.post("/v3/video-agents", body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text);
        assert_eq!(r.body["error"]["code"], code, "{body}");
        assert_eq!(r.body["error"]["param"].as_str(), param, "{body}");
    }
    let r = a
        .send(
            a.http
                .post(a.url("/v3/video-agents"))
                .header("x-api-key", KEY)
                .body("{not json"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["param"], "body");
    assert_eq!(
        a.stats().await["creates"],
        0,
        "rejected creates are not counted"
    );
}

#[tokio::test]
async fn example_create_request_and_response_shapes() {
    let a = Agent::start().await;
    // The example as published points at example.com, which a loopback agent cannot fetch.
    let mut req = example("create-video-agent.request.json");
    let r = a.post("/v3/video-agents", req.clone()).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let code = r.body["error"]["code"].as_str().unwrap();
    assert!(
        code == "download_failed" || code == "invalid_parameter",
        "{code}"
    );

    // Same request with the deck served by the agent itself (uploaded first, fetched by URL).
    let pdf = local_agent::testing::minimal_pdf(&[
        "Q3 launch: three new features.",
        "Ships on October 1.",
    ]);
    let up = upload(&a, pdf, "deck.pdf").await;
    assert_eq!(up.status, 200, "{}", up.text);
    req["files"][0]["url"] = up.body["data"]["url"].clone();
    req["prompt"] = json!("Create a 4-second explainer about our Q3 product launch. Use a friendly, upbeat tone. Include the attached slides as visual context.");
    let r = a.post("/v3/video-agents", req).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        keys(&r.body["data"]),
        keys(&example("create-video-agent.response.json")["data"])
    );
    assert!(r.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .starts_with("sess_"));
    assert!(r.body["data"]["created_at"].is_i64());
    assert_eq!(a.stats().await["creates"], 1);
    let sid = r.body["data"]["session_id"].as_str().unwrap().to_string();

    // Session shape matches the example (messages newest first, same message fields).
    let s = a.wait_status(&sid, "completed", 120).await;
    let ex = example("get-session.response.json")["data"].clone();
    assert_eq!(keys(&s), keys(&ex));
    assert_eq!(keys(&s["messages"][0]), keys(&ex["messages"][0]));
    assert_eq!(s["progress"], 100);
    let msgs = s["messages"].as_array().unwrap();
    assert!(
        msgs.first().unwrap()["created_at"].as_i64() >= msgs.last().unwrap()["created_at"].as_i64()
    );
    assert_eq!(msgs.last().unwrap()["role"], "user");
    // The PDF's text reached the script: the draft/storyboard narration mentions it.
    let vid = s["video_id"].as_str().unwrap();
    let srt = a
        .download(
            a.get(&format!("/v3/videos/{vid}")).await.body["data"]["subtitle_url"]
                .as_str()
                .unwrap(),
        )
        .await;
    let srt = String::from_utf8(srt).unwrap();
    assert!(
        srt.contains("Q3 launch") || srt.contains("October"),
        "{srt}"
    );
}

#[tokio::test]
async fn styles_catalogue_pagination_and_media() {
    let a = Agent::start().await;
    let ex = example("list-styles.response.json");
    let r = a.get("/v3/video-agents/styles?limit=5").await;
    assert_eq!(r.status, 200);
    assert_eq!(keys(&r.body), keys(&ex));
    assert_eq!(keys(&r.body["data"][0]), keys(&ex["data"][0]));
    assert_eq!(r.body["has_more"], true);
    // Walk every page with the opaque token.
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(t) => format!("/v3/video-agents/styles?limit=7&token={}", urlencode(t)),
            None => "/v3/video-agents/styles?limit=7".to_string(),
        };
        let r = a.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        all.extend(r.body["data"].as_array().unwrap().clone());
        match r.body["next_token"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => {
                assert_eq!(r.body["has_more"], false);
                break;
            }
        }
    }
    assert!(all.len() >= 24);
    let mut ids: Vec<&str> = all
        .iter()
        .map(|s| s["style_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no duplicates across pages");
    for tag in [
        "cinematic",
        "retro-tech",
        "iconic-artist",
        "pop-culture",
        "handmade",
        "print",
    ] {
        let r = a
            .get(&format!("/v3/video-agents/styles?tag={tag}&limit=100"))
            .await;
        let items = r.body["data"].as_array().unwrap();
        assert!(!items.is_empty(), "{tag}");
        assert!(items
            .iter()
            .all(|s| s["tags"].as_array().unwrap().iter().any(|t| t == tag)));
    }
    let aspects: Vec<Value> = all.iter().map(|s| s["aspect_ratio"].clone()).collect();
    for ar in [json!("16:9"), json!("9:16"), json!("1:1"), Value::Null] {
        assert!(aspects.contains(&ar), "{ar}");
    }
    for bad in ["limit=0", "limit=101", "limit=x", "token=garbage"] {
        let r = a.get(&format!("/v3/video-agents/styles?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.body["error"]["code"], "invalid_parameter");
    }
    // Thumbnail (JPEG) and preview (H.264 MP4) are generated and served publicly.
    let s = &all[0];
    let thumb = a.download(s["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(&thumb[..3], &[0xff, 0xd8, 0xff]);
    let prev = a.download(s["preview_video_url"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.mp4");
    std::fs::write(&p, prev).unwrap();
    let (codecs, w, h, d) = common::probe(&p);
    assert_eq!(codecs, vec!["h264"]);
    assert!(w > 0 && h > 0 && d > 1.0);
    // Cached: the second fetch is byte-identical.
    assert_eq!(
        a.download(s["thumbnail_url"].as_str().unwrap()).await,
        thumb
    );
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[tokio::test]
async fn brand_kits_avatars_looks_voices_and_account() {
    let a = Agent::start().await;
    let r = a.get("/v3/brand-kits").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        keys(&r.body["data"][0]),
        ["brand_kit_id", "colors", "logo_url", "name"]
    );
    assert_eq!(a.get("/v3/brand-kits?limit=101").await.status, 400);

    let r = a.get("/v3/avatars?limit=50").await;
    assert_eq!(r.status, 200);
    for f in ["id", "name", "created_at", "looks_count"] {
        assert!(!r.body["data"][0][f].is_null(), "{f}");
    }
    assert_eq!(a.get("/v3/avatars?limit=51").await.status, 400);
    assert_eq!(a.get("/v3/avatars?ownership=everyone").await.status, 400);
    let private = a.get("/v3/avatars?ownership=private").await;
    assert!(
        private.body["data"].as_array().unwrap().len() < r.body["data"].as_array().unwrap().len()
    );

    let r = a.get("/v3/avatars/looks?limit=2").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["has_more"], true);
    let look = &r.body["data"][0];
    for f in ["id", "name", "avatar_type"] {
        assert!(look[f].is_string(), "{f}");
    }
    let group = look["group_id"].as_str().unwrap();
    let g = a
        .get(&format!("/v3/avatars/looks?group_id={group}&limit=50"))
        .await;
    assert!(g.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["group_id"] == group));
    let img = a
        .download(look["preview_image_url"].as_str().unwrap())
        .await;
    assert_eq!(&img[1..4], b"PNG");
    assert_eq!(a.get("/v3/avatars/looks?limit=51").await.status, 400);

    let r = a.get("/v3/voices?limit=100").await;
    assert_eq!(r.status, 200);
    let v = &r.body["data"][0];
    for f in [
        "voice_id",
        "name",
        "language",
        "gender",
        "support_pause",
        "support_locale",
        "type",
    ] {
        assert!(!v[f].is_null(), "{f}");
    }
    let audio = a.download(v["preview_audio_url"].as_str().unwrap()).await;
    assert!(audio.len() > 1000);
    assert!(audio.starts_with(b"ID3") || audio[0] == 0xff, "mp3");
    let females = a.get("/v3/voices?gender=female").await;
    assert!(females.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["gender"] == "female"));

    let me = a.get("/v3/users/me").await;
    assert_eq!(me.status, 200);
    assert!(me.body["data"]["username"].is_string());
    assert_eq!(me.body["data"]["billing_type"], "wallet");
    assert!(
        me.body["data"]["wallet"]["remaining_balance"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(["usd", "credits"].contains(&me.body["data"]["wallet"]["currency"].as_str().unwrap()));
}

#[tokio::test]
async fn simple_upload_sniffs_type_and_enforces_32_mb() {
    let a = Agent::start().await;
    let png = png_bytes("red");
    let r = upload(&a, png.clone(), "picture.txt").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        keys(&r.body["data"]),
        keys(&example("upload-asset.response.json")["data"])
    );
    assert_eq!(
        r.body["data"]["mime_type"], "image/png",
        "type comes from the bytes, not the name"
    );
    assert_eq!(r.body["data"]["size_bytes"], png.len());
    assert_eq!(
        a.download(r.body["data"]["url"].as_str().unwrap()).await,
        png
    );

    let srt = b"1\n00:00:00,000 --> 00:00:01,000\nHello\n".to_vec();
    assert_eq!(
        upload(&a, srt, "c.srt").await.body["data"]["mime_type"],
        "application/x-subrip"
    );

    let r = upload(&a, b"<html>nope</html>".to_vec(), "x.html").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["param"], "file");

    let mut big = png.clone();
    big.resize(32 * 1024 * 1024 + 1, 0);
    let r = upload(&a, big, "big.png").await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "payload_too_large");

    let r = a
        .send(
            a.http
                .post(a.url("/v3/assets"))
                .header("x-api-key", KEY)
                .body("x"),
        )
        .await;
    assert_eq!(r.status, 400);

    let list = a.get("/v3/assets?limit=1").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["has_more"], true);
}

#[tokio::test]
async fn direct_upload_three_steps_with_checks() {
    let a = Agent::start().await;
    let bytes = png_bytes("blue");
    let sum = common::sha256(&bytes);
    let r = a
        .post(
            "/v3/assets/direct-uploads",
            json!({"filename": "b.png", "content_type": "image/png", "size_bytes": bytes.len(), "checksum_sha256": sum}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = &r.body["data"];
    for f in [
        "asset_id",
        "upload_url",
        "upload_headers",
        "expires_in_seconds",
        "max_bytes",
    ] {
        assert!(!d[f].is_null(), "{f}");
    }
    assert_eq!(d["status"], "pending_upload");
    let asset = d["asset_id"].as_str().unwrap().to_string();
    let url = d["upload_url"].as_str().unwrap().to_string();
    let headers = d["upload_headers"].as_object().unwrap().clone();
    let put = |body: Vec<u8>, with_headers: bool, auth: bool| {
        let mut req = a.http.put(&url).body(body);
        if with_headers {
            for (k, v) in &headers {
                req = req.header(k.as_str(), v.as_str().unwrap());
            }
        }
        if auth {
            req = req.header("x-api-key", KEY);
        }
        req
    };

    // Completing before the upload is a conflict; the asset is unusable in a create.
    assert_eq!(
        a.post(&format!("/v3/assets/{asset}/complete"), json!({}))
            .await
            .status,
        409
    );
    let r = a
        .post(
            "/v3/video-agents",
            json!({"prompt": "x", "files": [{"type": "asset_id", "asset_id": asset}]}),
        )
        .await;
    assert_eq!(r.status, 400);

    assert_eq!(
        a.send(put(bytes.clone(), false, false)).await.status,
        403,
        "headers are required"
    );
    assert_eq!(
        a.send(put(bytes.clone(), true, true)).await.status,
        400,
        "no API auth on presigned PUT"
    );
    assert_eq!(
        a.send(put(bytes[..10].to_vec(), true, false)).await.status,
        400,
        "short body"
    );
    let mut wrong = bytes.clone();
    wrong[20] ^= 0xff;
    let r = a.send(put(wrong, true, false)).await;
    assert_eq!(r.status, 400, "checksum mismatch");
    assert_eq!(r.body["error"]["param"], "checksum_sha256");
    let r = a.send(put(bytes.clone(), true, false)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = a
        .post(
            &format!("/v3/assets/{asset}/complete"),
            json!({"checksum_sha256": sum}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for f in ["asset_id", "url", "mime_type", "size_bytes", "status"] {
        assert!(!r.body["data"][f].is_null(), "{f}");
    }
    assert_eq!(r.body["data"]["mime_type"], "image/png");
    // Idempotent.
    let again = a
        .post(&format!("/v3/assets/{asset}/complete"), json!({}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["data"]["asset_id"], asset.as_str());
    assert_eq!(
        a.download(again.body["data"]["url"].as_str().unwrap())
            .await,
        bytes
    );
    // Bad parameters.
    let r = a
        .post(
            "/v3/assets/direct-uploads",
            json!({"filename": "x", "content_type": "image/png", "size_bytes": 0}),
        )
        .await;
    assert_eq!(r.body["error"]["param"], "size_bytes");
    let r = a
        .post(
            "/v3/assets/direct-uploads",
            json!({"content_type": "image/png", "size_bytes": 5}),
        )
        .await;
    assert_eq!(r.body["error"]["param"], "filename");
    assert_eq!(
        a.post("/v3/assets/nope/complete", json!({})).await.status,
        404
    );
    // Tampered URL.
    let tampered = url.replace("signature=", "signature=0");
    assert_eq!(
        a.send(a.http.put(tampered).body(bytes.clone()))
            .await
            .status,
        403
    );

    // Without a declared checksum, `complete` verifies the one it is given.
    let r = a
        .post(
            "/v3/assets/direct-uploads",
            json!({"filename": "c.png", "content_type": "image/png", "size_bytes": bytes.len()}),
        )
        .await;
    let d = r.body["data"].clone();
    let mut put = a
        .http
        .put(d["upload_url"].as_str().unwrap())
        .body(bytes.clone());
    for (k, v) in d["upload_headers"].as_object().unwrap() {
        put = put.header(k.as_str(), v.as_str().unwrap());
    }
    assert_eq!(a.send(put).await.status, 200);
    let id = d["asset_id"].as_str().unwrap();
    let wrong = common::sha256(b"something else");
    let r = a
        .post(
            &format!("/v3/assets/{id}/complete"),
            json!({"checksum_sha256": wrong}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"]["param"], "checksum_sha256");
    let r = a
        .post(
            &format!("/v3/assets/{id}/complete"),
            json!({"checksum_sha256": sum}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn idempotency_replays_and_conflicts() {
    // Session creates honour the key only when asked (HeyGen does not document it there; the
    // default is tested in heygen_mode.rs).
    let a = Agent::start_with(|c| c.honour_create_idempotency = true).await;
    a.faults(json!({"stuck_thinking": true})).await;
    let send = |key: &str| {
        a.http
            .post(a.url("/v3/video-agents"))
            .header("x-api-key", KEY)
            .header("idempotency-key", key)
            .json(&json!({"prompt": "A 3-second video about idempotency."}))
    };
    let first = a.send(send("job-1")).await;
    let second = a.send(send("job-1")).await;
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    assert_eq!(first.body, second.body, "replayed");
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(a.stats().await["creates"], 1);
    let other = a.send(send("job-2")).await;
    assert_ne!(
        other.body["data"]["session_id"],
        first.body["data"]["session_id"]
    );
    assert_eq!(a.send(send("bad key!")).await.status, 400);

    // While the first request is still running → 409 request_in_progress. The first create
    // fetches a file from the agent's own CDN, which a latency fault holds for 1.5 s.
    let up = upload(&a, png_bytes("green"), "g.png").await;
    let file_url = up.body["data"]["url"].as_str().unwrap().to_string();
    a.faults(json!({"stuck_thinking": true, "rules": [{"route": "GET /cdn/*", "kind": "latency", "ms": 1500, "count": 1}]})).await;
    let slow_req = a
        .http
        .post(a.url("/v3/video-agents"))
        .header("x-api-key", KEY)
        .header("idempotency-key", "job-3")
        .json(&json!({"prompt": "slow", "files": [{"type": "url", "url": file_url.clone()}]}));
    let slow = tokio::spawn(async move { slow_req.send().await.unwrap().status() });
    // Once the CDN fault has fired, the first request is inside the handler (fetching its file).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let f = a.admin(reqwest::Method::GET, "/__admin/faults", None).await;
        if f["rules"][0]["count"] == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "first request never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let busy = a.send(send("job-3")).await;
    assert_eq!(busy.status, 409, "{}", busy.text);
    assert_eq!(busy.body["error"]["code"], "request_in_progress");
    assert_eq!(slow.await.unwrap(), 200);
    // Once finished, the same key with another body is a conflict (never a replay of the
    // first answer), and with the same body a replay.
    let other_body = a.send(send("job-3")).await;
    assert_eq!(other_body.status, 409, "{}", other_body.text);
    assert_eq!(other_body.body["error"]["code"], "conflict");
    let replay = a
        .send(
            a.http
                .post(a.url("/v3/video-agents"))
                .header("x-api-key", KEY)
                .header("idempotency-key", "job-3")
                .json(&json!({"prompt": "slow", "files": [{"type": "url", "url": file_url}]})),
        )
        .await;
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert_eq!(a.stats().await["creates"], 3);
}

#[tokio::test]
async fn concurrency_limit_answers_429_with_retry_after() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    a.admin(
        reqwest::Method::POST,
        "/__admin/limits",
        Some(json!({"max_active_jobs": 2})),
    )
    .await;
    a.create(json!({"prompt": "one"})).await;
    a.create(json!({"prompt": "two"})).await;
    let r = a.post("/v3/video-agents", json!({"prompt": "three"})).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["error"]["code"], "rate_limit_exceeded");
    let ra: u64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ra >= 1);
    assert_eq!(a.stats().await["creates"], 2);
}

#[tokio::test]
async fn insufficient_credit_is_402() {
    let a = Agent::start().await;
    a.admin(
        reqwest::Method::POST,
        "/__admin/account",
        Some(json!({"remaining_balance": 0.5})),
    )
    .await;
    let r = a.post("/v3/video-agents", json!({"prompt": "x"})).await;
    assert_eq!(r.status, 402);
    assert_eq!(r.body["error"]["code"], "insufficient_credit");
    assert_eq!(
        keys(&r.body["error"]).len(),
        keys(&example("error-insufficient-credit.json")["error"]).len() - 1
    );
}

#[tokio::test]
async fn webhook_endpoints_crud_and_event_types() {
    let a = Agent::start().await;
    let r = a
        .post("/v3/webhooks/endpoints", json!({"url": "https://example.invalid/hook", "events": ["video_agent.success", "video_agent.fail"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ex = example("create-webhook-endpoint.response.json");
    assert_eq!(keys(&r.body["data"]), keys(&ex["data"]));
    let ep = r.body["data"]["endpoint_id"].as_str().unwrap().to_string();
    let secret = r.body["data"]["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert!(r.body["data"]["created_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let list = a.get("/v3/webhooks/endpoints").await;
    assert_eq!(list.body["data"][0]["endpoint_id"], ep.as_str());
    assert!(
        list.body["data"][0].get("secret").is_none(),
        "secret only on create/rotate"
    );

    let patched = a
        .send(
            a.http
                .patch(a.url(&format!("/v3/webhooks/endpoints/{ep}")))
                .header("x-api-key", KEY)
                .json(&json!({"status": "disabled"})),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["data"]["status"], "disabled");

    let rotated = a
        .post(
            &format!("/v3/webhooks/endpoints/{ep}/rotate-secret"),
            json!({}),
        )
        .await;
    assert_ne!(rotated.body["data"]["secret"].as_str().unwrap(), secret);

    let bad = a
        .post(
            "/v3/webhooks/endpoints",
            json!({"url": "https://x.invalid", "events": ["nope"]}),
        )
        .await;
    assert_eq!(bad.body["error"]["param"], "events");

    let types = a.get("/v3/webhooks/event-types").await;
    let ex = example("list-webhook-event-types.response.json");
    assert_eq!(keys(&types.body), keys(&ex));
    assert_eq!(keys(&types.body["data"][0]), keys(&ex["data"][0]));

    let del = a
        .send(
            a.http
                .delete(a.url(&format!("/v3/webhooks/endpoints/{ep}")))
                .header("x-api-key", KEY),
        )
        .await;
    assert_eq!(del.status, 200);
    let del = a
        .send(
            a.http
                .delete(a.url(&format!("/v3/webhooks/endpoints/{ep}")))
                .header("x-api-key", KEY),
        )
        .await;
    assert_eq!(del.status, 404);
    assert_eq!(a.get("/v3/webhooks/events?limit=0").await.status, 400);
}

#[tokio::test]
async fn session_routes_404_and_chat_only_messages() {
    let a = Agent::start().await;
    assert_eq!(a.get("/v3/video-agents/sess_nope").await.status, 404);
    assert_eq!(a.get("/v3/video-agents/sess_nope/videos").await.status, 404);
    assert_eq!(
        a.get("/v3/video-agents/sess_nope/resources/r").await.status,
        404
    );
    assert_eq!(
        a.post("/v3/video-agents/sess_nope/stop", json!({}))
            .await
            .status,
        404
    );
    a.faults(json!({"stuck_thinking": true})).await;
    let id = a
        .create(json!({"prompt": "A 3-second video about owls."}))
        .await;
    let r = a
        .post(
            &format!("/v3/video-agents/{id}"),
            json!({"message": "hello"}),
        )
        .await;
    assert_eq!(r.status, 409, "generate sessions take no follow-ups");
    let r = a.post(&format!("/v3/video-agents/{id}"), json!({})).await;
    assert_eq!(r.body["error"]["param"], "message");
    let list = a.get("/v3/video-agents").await;
    assert_eq!(list.body["data"][0]["session_id"], id.as_str());
    assert_eq!(a.get("/v3/video-agents?limit=101").await.status, 400);
    assert_eq!(a.get("/v3/videos?limit=101").await.status, 400);
}
