//! Restart persistence: a job created before a shutdown is still there after a restart on the
//! same data dir and completes; finished videos stay downloadable.

mod common;

use common::Agent;
use serde_json::json;

#[tokio::test]
async fn a_render_interrupted_by_shutdown_is_redone_after_restart() {
    let a = Agent::start().await;
    let id = a
        .create(json!({"prompt": "A 12-second video about tides."}))
        .await;
    let vid = a
        .wait_session(&id, 30, |d| d["status"] == "generating")
        .await["video_id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while a.get(&format!("/v3/videos/{vid}")).await.body["data"]["status"] != "processing" {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let dir = a.stop().await;
    let b = Agent::start_in(dir).await;
    let s = b.wait_status(&id, "completed", 120).await;
    assert_eq!(
        s["video_id"],
        vid.as_str(),
        "the same video is finished, not a new one"
    );
    let v = b.wait_video(&vid, 30).await;
    assert_eq!(v["status"], "completed");
    assert!((v["duration"].as_f64().unwrap() - 12.0).abs() < 1.8);
    assert_eq!(b.stats().await["creates"], 0, "nothing was re-created");
}

#[tokio::test]
async fn jobs_and_files_survive_a_restart() {
    let a = Agent::start().await;
    // A finished video before the restart.
    let (_, done) = a
        .one_shot(json!({"prompt": "A 3-second video about lighthouses."}))
        .await;
    let done_id = done["id"].as_str().unwrap().to_string();
    let done_sha = a
        .admin(
            reqwest::Method::GET,
            &format!("/__admin/videos/{done_id}"),
            None,
        )
        .await["files"]["video"]["sha256"]
        .clone();
    let old_url = done["video_url"].as_str().unwrap().to_string();
    // A job in flight: held in `thinking` while the server goes down.
    a.faults(json!({"stuck_thinking": true})).await;
    let id = a
        .create(json!({"prompt": "A 3-second video about harbours.", "callback_id": "keep-me", "callback_url": "http://127.0.0.1:9/hook"}))
        .await;
    let chat = a
        .create(json!({"prompt": "A 3-second video about boats.", "mode": "chat"}))
        .await;
    let dir = a.stop().await;
    // No credential is written to disk (idempotency scopes hold only a hash of it).
    let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
    assert!(state.contains("harbours"), "state was persisted");
    assert!(
        !state.contains(common::KEY),
        "the API key must not reach the data dir"
    );

    // Restart on the same data dir (no faults this time).
    let b = Agent::start_in(dir).await;
    let s = b.get(&format!("/v3/video-agents/{id}")).await;
    assert_eq!(s.status, 200, "session survived: {}", s.text);
    let s = b.wait_status(&id, "completed", 90).await;
    let v = b.wait_video(s["video_id"].as_str().unwrap(), 30).await;
    assert_eq!(v["status"], "completed");
    assert_eq!(
        b.get("/v3/video-agents").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The chat session resumes too and pauses for its question.
    b.wait_status(&chat, "waiting_for_input", 30).await;

    // The old video and its (still valid) signed URL: the signing key persisted.
    let again = b.get(&format!("/v3/videos/{done_id}")).await;
    assert_eq!(again.body["data"]["status"], "completed");
    // (The port changed; the path and signature are what must still be valid.)
    let path = &old_url[old_url.find("/cdn/").unwrap()..];
    let bytes = b.download(&b.url(path)).await;
    assert_eq!(json!(common::sha256(&bytes)), done_sha);
    // Creates count per process; the balance persisted (two videos charged).
    let me = b.get("/v3/users/me").await;
    assert!(
        me.body["data"]["wallet"]["remaining_balance"]
            .as_f64()
            .unwrap()
            < 3600.0 - 5.0
    );
}

/// A crash right after an answer loses nothing the client was told: the created session (and a
/// follow-up message) are in `state.json` by the time the response arrives — not ~30 ms later,
/// when a SIGKILL in between would leave the client polling a session that never existed.
#[tokio::test]
async fn a_write_is_on_disk_before_its_answer() {
    let a = Agent::start().await;
    let state = a.data_dir().join("state.json");
    for n in 0..5 {
        let id = a
            .create(json!({"prompt": format!("A 3-second video, number {n}."), "mode": "chat"}))
            .await;
        let on_disk = std::fs::read_to_string(&state).expect("state.json exists");
        assert!(
            on_disk.contains(&id),
            "session {id} not on disk when created"
        );
    }
}
