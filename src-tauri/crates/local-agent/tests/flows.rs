//! End-to-end flows over real HTTP: one-shot to a verified MP4, chat with review and revision,
//! stop, the older `/sessions` routes, webhooks, video list/delete.

mod common;

use std::sync::{Arc, Mutex};

use base64::Engine;
use common::{png_bytes, probe, sha256, upload, Agent, KEY};
use serde_json::{json, Value};

/// Headers and raw body of one webhook delivery.
type Delivery = (axum::http::HeaderMap, Vec<u8>);

fn write_tmp(bytes: &[u8], name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    (d, p)
}

#[tokio::test]
async fn one_shot_renders_h264_aac_mp4_with_thumbnail_srt_and_captions() {
    // The older create answer (`thinking`, no video yet), which this walk-through checks;
    // HeyGen mode's `generating` answer is covered in heygen_mode.rs.
    let a =
        Agent::start_with(|c| c.create_answer = local_agent::CreateAnswer::ThinkingNoVideo).await;
    let img = upload(&a, png_bytes("orange"), "chart.png").await;
    let asset = img.body["data"]["asset_id"].as_str().unwrap().to_string();
    let balance0 = a.get("/v3/users/me").await.body["data"]["wallet"]["remaining_balance"]
        .as_f64()
        .unwrap();
    let create = a
        .post(
            "/v3/video-agents",
            json!({
                "prompt": "Make a 5-second video about solar power. Solar panels turn light into electricity. Prices fell a lot.",
                "orientation": "landscape",
                "style_id": "style_noir_detective",
                "avatar_id": "look_ben_suit",
                "voice_id": "voice_en_gb_m1",
                "files": [{"type": "asset_id", "asset_id": asset},
                          {"type": "base64", "media_type": "image/png", "data": base64::engine::general_purpose::STANDARD.encode(png_bytes("purple"))}]
            }),
        )
        .await;
    assert_eq!(create.status, 200, "{}", create.text);
    assert_eq!(create.body["data"]["status"], "thinking");
    assert!(create.body["data"]["video_id"].is_null());
    let id = create.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Progress never goes backwards; video_id appears once generating.
    let mut last = 0;
    let s = loop {
        let s = a.get(&format!("/v3/video-agents/{id}")).await.body["data"].clone();
        let p = s["progress"].as_u64().unwrap();
        assert!(p >= last, "progress went back {last} → {p}");
        last = p;
        if s["status"] == "generating" || s["status"] == "completed" {
            assert!(s["video_id"].is_string());
        }
        if s["status"] == "completed" {
            break s;
        }
        assert_ne!(s["status"], "failed", "{s}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(s["title"], "Solar Power");
    let vid = s["video_id"].as_str().unwrap().to_string();
    let v = a.wait_video(&vid, 30).await;
    assert_eq!(v["status"], "completed");
    assert!(v["failure_code"].is_null());
    for f in [
        "video_url",
        "captioned_video_url",
        "subtitle_url",
        "thumbnail_url",
        "video_page_url",
        "completed_at",
        "duration",
    ] {
        assert!(!v[f].is_null(), "{f}");
    }

    let mp4 = a.download(v["video_url"].as_str().unwrap()).await;
    let (_d, p) = write_tmp(&mp4, "v.mp4");
    let (codecs, w, h, dur) = probe(&p);
    assert!(
        codecs.contains(&"h264".to_string()) && codecs.contains(&"aac".to_string()),
        "{codecs:?}"
    );
    assert_eq!((w, h), (1280, 720));
    assert!(
        (dur - 5.0).abs() <= 0.75,
        "duration {dur} within 15% of 5 s"
    );
    assert!((v["duration"].as_f64().unwrap() - dur).abs() < 0.1);

    let cap = a.download(v["captioned_video_url"].as_str().unwrap()).await;
    let (_d2, cp) = write_tmp(&cap, "c.mp4");
    let (ccodecs, cw, ch, _) = probe(&cp);
    assert_eq!((cw, ch), (1280, 720));
    assert!(ccodecs.contains(&"h264".to_string()));
    assert_ne!(sha256(&cap), sha256(&mp4), "captions are burned in");

    let thumb = a.download(v["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(&thumb[..3], &[0xff, 0xd8, 0xff], "JPEG");
    let srt = String::from_utf8(a.download(v["subtitle_url"].as_str().unwrap()).await).unwrap();
    assert!(srt.starts_with("1\n00:00:00,000 --> "), "{srt}");
    assert!(srt.contains("Solar"), "{srt}");

    // Byte-identical to what the agent rendered.
    let files = a
        .admin(
            reqwest::Method::GET,
            &format!("/__admin/videos/{vid}"),
            None,
        )
        .await;
    assert_eq!(files["files"]["video"]["sha256"], sha256(&mp4));
    assert_eq!(files["files"]["thumbnail"]["sha256"], sha256(&thumb));
    assert_eq!(files["files"]["captioned_video"]["size_bytes"], cap.len());

    // Range requests.
    let url = v["video_url"].as_str().unwrap();
    let r = a
        .http
        .get(url)
        .header("range", "bytes=10-109")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes 10-109/{}", mp4.len()).as_str()
    );
    assert_eq!(r.headers()["content-length"], "100");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &mp4[10..110]);
    let r = a
        .http
        .get(url)
        .header("range", "bytes=1000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &mp4[1000..]);
    let r = a
        .http
        .get(url)
        .header("range", format!("bytes={}-", mp4.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    let r = a.http.head(url).send().await.unwrap();
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(
        r.headers()["content-length"],
        mp4.len().to_string().as_str()
    );

    // Each GET re-signs; a bad signature is 403.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let v2 = a.get(&format!("/v3/videos/{vid}")).await.body["data"].clone();
    assert_ne!(v2["video_url"], v["video_url"]);
    let bad = url.replace("signature=", "signature=ab");
    assert_eq!(a.http.get(bad).send().await.unwrap().status(), 403);

    // Credits dropped by the video's seconds; the session's video list has it.
    let balance1 = a.get("/v3/users/me").await.body["data"]["wallet"]["remaining_balance"]
        .as_f64()
        .unwrap();
    assert!(
        (balance0 - balance1 - dur).abs() < 0.1,
        "{balance0} → {balance1}"
    );
    let vids = a.get(&format!("/v3/video-agents/{id}/videos")).await;
    assert_eq!(vids.body["data"][0]["id"], vid.as_str());
    let share = a
        .http
        .get(v["video_page_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(share.status(), 200);
}

#[tokio::test]
async fn portrait_video_is_720_by_1280() {
    let a = Agent::start().await;
    // An attached video contributes a still to its scene.
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let ok = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=320x240:d=1",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(ok.success());
    let up = upload(&a, std::fs::read(&clip).unwrap(), "clip.mp4").await;
    assert_eq!(up.body["data"]["mime_type"], "video/mp4");
    let (s, v) = a
        .one_shot(json!({
            "prompt": "A 3-second vertical clip about coffee. Coffee wakes you up.",
            "orientation": "portrait",
            "files": [{"type": "asset_id", "asset_id": up.body["data"]["asset_id"]}]
        }))
        .await;
    assert!(
        s["messages"]
            .to_string()
            .contains("still from the attached video"),
        "{s}"
    );
    let stills = std::fs::read_dir(a.data_dir().join("cache/stills"))
        .unwrap()
        .count();
    assert_eq!(stills, 1, "a still was taken from the clip for its scene");
    let mp4 = a.download(v["video_url"].as_str().unwrap()).await;
    let (_d, p) = write_tmp(&mp4, "p.mp4");
    let (codecs, w, h, dur) = probe(&p);
    assert_eq!((w, h), (720, 1280));
    assert!(codecs.contains(&"aac".to_string()));
    assert!((dur - 3.0).abs() <= 0.45, "{dur}");

    // Listing and deleting videos.
    let list = a.get("/v3/videos?title=coffee").await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        a.get("/v3/videos?title=nothing-like-this").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let vid = v["id"].as_str().unwrap();
    let del = a
        .send(
            a.http
                .delete(a.url(&format!("/v3/videos/{vid}")))
                .header("x-api-key", KEY),
        )
        .await;
    assert_eq!(del.status, 200);
    assert_eq!(del.body, json!({"data": {"id": vid, "deleted": true}}));
    assert_eq!(a.get(&format!("/v3/videos/{vid}")).await.status, 404);
}

#[tokio::test]
async fn chat_flow_question_review_revision_and_second_video() {
    let a = Agent::start().await;
    let id = a
        .create(json!({"prompt": "A 3-second video about tea. Green tea has antioxidants.", "mode": "chat", "orientation": "landscape"}))
        .await;
    let s = a.wait_status(&id, "waiting_for_input", 30).await;
    let q = s["messages"][0]["content"].as_str().unwrap();
    assert_eq!(s["messages"][0]["role"], "model");
    assert!(q.contains("voice"), "{q}");

    let r = a
        .post(
            &format!("/v3/video-agents/{id}"),
            json!({"message": "Finn, please"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        common::keys(&r.body["data"]),
        common::keys(&common::example("send-message.response.json")["data"])
    );

    let s = a.wait_status(&id, "reviewing", 30).await;
    let m = &s["messages"][0];
    assert_eq!(m["type"], "resource");
    let rid = m["resource_ids"][0].as_str().unwrap();
    let draft = a
        .get(&format!("/v3/video-agents/{id}/resources/{rid}"))
        .await;
    assert_eq!(draft.status, 200);
    let d = &draft.body["data"];
    assert_eq!(d["resource_type"], "draft");
    assert_eq!(d["source_type"], "generated");
    for f in [
        "resource_id",
        "url",
        "preview_url",
        "thumbnail_url",
        "created_at",
        "metadata",
    ] {
        assert!(d.get(f).is_some(), "{f}");
    }
    let scenes1 = d["metadata"]["scenes"].clone();
    assert!(!scenes1.as_array().unwrap().is_empty());
    assert_eq!(
        d["metadata"]["voice_id"], "voice_en_gb_m1",
        "the answer picked the voice"
    );

    // A change request → a revised draft, still reviewing.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Change it to mention matcha is a powdered green tea."}),
    )
    .await;
    let s = a
        .wait_session(&id, 30, |d| {
            d["status"] == "reviewing" && d["messages"][0]["resource_ids"][0].as_str() != Some(rid)
        })
        .await;
    let rid2 = s["messages"][0]["resource_ids"][0].as_str().unwrap();
    let draft2 = a
        .get(&format!("/v3/video-agents/{id}/resources/{rid2}"))
        .await;
    assert_ne!(draft2.body["data"]["metadata"]["scenes"], scenes1);
    let meta2 = draft2.body["data"]["metadata"].to_string();
    assert!(
        meta2.contains("Matcha is a powdered green tea."),
        "the requested sentence is narrated: {meta2}"
    );
    assert!(
        !meta2.contains("Change it to"),
        "the request itself is not: {meta2}"
    );

    // Approve → first video.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Looks good — generate it"}),
    )
    .await;
    let s = a.wait_status(&id, "completed", 60).await;
    let first_video = s["video_id"].as_str().unwrap().to_string();

    // After completion a change request makes a second video in the same session.
    let r = a
        .post(
            &format!("/v3/video-agents/{id}"),
            json!({"message": "Make it a 4-second version, please."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = a
        .wait_session(&id, 60, |d| {
            d["status"] == "completed" && d["video_id"].as_str() != Some(first_video.as_str())
        })
        .await;
    let second = s["video_id"].as_str().unwrap();
    let vids = a.get(&format!("/v3/video-agents/{id}/videos")).await;
    let ids: Vec<&str> = vids.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second, first_video.as_str()], "newest first");
    let v2 = a.wait_video(second, 30).await;
    assert!(
        (v2["duration"].as_f64().unwrap() - 4.0).abs() <= 0.6,
        "{v2}"
    );
}

#[tokio::test]
async fn stop_ends_a_session() {
    let a = Agent::start().await;
    a.faults(json!({"stuck_thinking": true})).await;
    let id = a
        .create(json!({"prompt": "A 3-second video about stopping."}))
        .await;
    let r = a
        .post(&format!("/v3/video-agents/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"data": {"session_id": id}}));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let s = loop {
        let s = a.get(&format!("/v3/video-agents/{id}")).await.body["data"].clone();
        if s["status"] == "failed" {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "{s}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(s["messages"][0]["type"], "error");
    assert!(s["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("Stopped"));
    // Stopping while rendering kills the encode: the video fails with `stopped`.
    let id = a
        .create(json!({"prompt": "A 20-second video about stopping mid-render."}))
        .await;
    a.clear_faults().await;
    let vid = a
        .wait_session(&id, 30, |d| d["status"] == "generating")
        .await["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while a.get(&format!("/v3/videos/{vid}")).await.body["data"]["status"] == "pending" {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    a.post(&format!("/v3/video-agents/{id}/stop"), json!({}))
        .await;
    let v = a.wait_video(&vid, 30).await;
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["failure_code"], "stopped");
    assert!(v["video_url"].is_null());
    assert_eq!(
        a.get(&format!("/v3/video-agents/{id}")).await.body["data"]["status"],
        "failed"
    );
    // A paused chat session stops too.
    a.clear_faults().await;
    let chat = a
        .create(json!({"prompt": "A 3-second video.", "mode": "chat"}))
        .await;
    a.wait_status(&chat, "waiting_for_input", 30).await;
    a.post(&format!("/v3/video-agents/{chat}/stop"), json!({}))
        .await;
    let s = a.get(&format!("/v3/video-agents/{chat}")).await;
    assert_eq!(s.body["data"]["status"], "failed");
}

#[tokio::test]
async fn legacy_sessions_routes() {
    let a = Agent::start().await;
    let r = a
        .post(
            "/v3/video-agents/sessions",
            json!({"prompt": "A 3-second video about maps. Maps show places."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.body["data"]["session_id"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = a.get(&format!("/v3/video-agents/sessions/{id}")).await.body["data"].clone();
        assert!(
            ["processing", "reviewing", "generating", "completed"]
                .contains(&s["status"].as_str().unwrap()),
            "{s}"
        );
        if s["status"] == "reviewing" {
            break;
        }
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let res = a
        .get(&format!("/v3/video-agents/sessions/{id}/resources"))
        .await;
    assert_eq!(res.status, 200);
    // The interim form's own shape: `{resources, next_cursor}` (not a `has_more` page).
    assert!(res.body["data"]["next_cursor"].is_null());
    assert!(res.body["data"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["resource_type"] == "draft"));
    let m = a
        .post(
            &format!("/v3/video-agents/sessions/{id}/messages"),
            json!({"message": "ok", "auto_proceed": true}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.text);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let s = a.get(&format!("/v3/video-agents/sessions/{id}")).await.body["data"].clone();
        if s["status"] == "completed" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{s}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        a.post(&format!("/v3/video-agents/sessions/{id}/stop"), json!({}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn webhooks_are_delivered_signed_and_recorded() {
    use axum::routing::post;
    let got: Arc<Mutex<Vec<Delivery>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    sink.lock().unwrap().push((headers, body.to_vec()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let a = Agent::start().await;
    let ep = a
        .post(
            "/v3/webhooks/endpoints",
            json!({"url": hook, "events": ["video_agent.success"]}),
        )
        .await;
    let secret = ep.body["data"]["secret"].as_str().unwrap().to_string();
    let (_, v) = a
        .one_shot(json!({"prompt": "A 3-second video about kites.", "callback_url": hook, "callback_id": "cb-42"}))
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while got.lock().unwrap().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "two deliveries expected"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let deliveries = got.lock().unwrap().clone();
    let mut verified = 0;
    for (headers, body) in &deliveries {
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["event_type"], "video_agent.success");
        assert_eq!(payload["event_data"]["video_id"], v["id"]);
        assert_eq!(payload["event_data"]["callback_id"], "cb-42");
        let ts = headers["x-webhook-timestamp"].to_str().unwrap();
        let sig = headers["x-webhook-signature"].to_str().unwrap();
        for key in [secret.as_str(), KEY] {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(format!("{ts}.").as_bytes());
            mac.update(body);
            if sig == format!("t={ts},v1={}", hex::encode(mac.finalize().into_bytes())) {
                verified += 1;
            }
        }
    }
    assert_eq!(
        verified, 2,
        "endpoint delivery signed with whsec, inline with the API key"
    );
    let events = a.get("/v3/webhooks/events").await;
    let e = &events.body["data"][0];
    assert_eq!(e["event_type"], "video_agent.success");
    assert!(e["event_id"].is_string() && e["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(e["event_data"]["video_id"], v["id"]);
}
