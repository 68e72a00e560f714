//! The chat a user reads (issue 6): the lead's end-to-end journey over real HTTP — question,
//! storyboard, "make it shorter", approval, video, "make it vertical", second video — checking
//! that change requests are applied (never narrated), that every length the agent states agrees
//! with the storyboard, the video's `duration` and the real MP4 (ffprobe), and that the agent's
//! messages say what changed.

mod common;

use common::{probe, Agent};
use serde_json::{json, Value};

/// The model's messages, oldest first.
fn model_messages(session: &Value) -> Vec<String> {
    let mut m: Vec<String> = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "model")
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    m.reverse();
    m
}

fn narration(draft: &Value) -> Vec<String> {
    draft["scenes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["narration"].as_str().unwrap().to_string())
        .collect()
}

async fn latest_draft(a: &Agent, id: &str, session: &Value) -> Value {
    let rid = session["messages"][0]["resource_ids"][0].as_str().unwrap();
    let r = a
        .get(&format!("/v3/video-agents/{id}/resources/{rid}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"]["resource_type"], "draft");
    r.body["data"]["metadata"].clone()
}

/// Downloads the video and returns (ffprobe duration, width, height).
async fn rendered(a: &Agent, video: &Value) -> (f64, u64, u64) {
    let bytes = a.download(video["video_url"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.mp4");
    std::fs::write(&path, bytes).unwrap();
    let (codecs, w, h, d) = probe(&path);
    assert!(codecs.contains(&"h264".to_string()), "{codecs:?}");
    (d, w, h)
}

#[tokio::test]
async fn bakery_journey_reads_like_a_conversation() {
    let a = Agent::start().await;
    let id = a
        .create(json!({"prompt": "A 3-second video introducing our bakery.", "mode": "chat"}))
        .await;
    let s = a.wait_status(&id, "waiting_for_input", 30).await;
    assert_eq!(s["title"], "Our Bakery");
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "You choose the voice."}),
    )
    .await;

    // The first storyboard: what the user asked for, and the message says the same figures.
    let s = a.wait_status(&id, "reviewing", 30).await;
    let first = latest_draft(&a, &id, &s).await;
    assert_eq!(first["duration"], 3.0);
    assert_eq!(first["title"], "Our Bakery");
    let said = model_messages(&s).last().unwrap().clone();
    assert!(
        said.contains("“Our Bakery”: 1 scene, 3 s, landscape, narrated by Aria"),
        "{said}"
    );

    // "Make it shorter": shorter, same narration, and the agent says exactly that.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Please change the following: make it shorter"}),
    )
    .await;
    let s = a
        .wait_session(&id, 30, |d| {
            d["status"] == "reviewing" && d["messages"][0]["role"] == "model"
        })
        .await;
    let revised = latest_draft(&a, &id, &s).await;
    assert_eq!(revised["duration"], 2.0, "{revised}");
    let scene_sum: f64 = revised["scenes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["duration"].as_f64().unwrap())
        .sum();
    assert!((scene_sum - 2.0).abs() < 1e-9);
    assert_eq!(narration(&revised), narration(&first), "narration is kept");
    assert!(
        !revised.to_string().to_lowercase().contains("please change"),
        "the request leaked into the storyboard: {revised}"
    );
    let said = model_messages(&s).last().unwrap().clone();
    assert!(
        said.starts_with("Shortened to 2 s (was 3 s); narration kept."),
        "{said}"
    );

    // Approve → the video: the agent, the video's `duration` and the file agree.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Looks good — generate it."}),
    )
    .await;
    let s = a.wait_status(&id, "completed", 90).await;
    let vid1 = s["video_id"].as_str().unwrap().to_string();
    let v1 = a.wait_video(&vid1, 30).await;
    let reported = v1["duration"].as_f64().unwrap();
    let (file_secs, w, h) = rendered(&a, &v1).await;
    assert!(
        (reported - file_secs).abs() < 0.01,
        "API says {reported}, ffprobe {file_secs}"
    );
    assert!(
        (reported - 2.0).abs() < 0.1,
        "planned 2 s, rendered {reported}"
    );
    assert_eq!((w, h), (1280, 720));
    let said = model_messages(&s);
    assert!(
        said.iter().any(|m| m
            == "Rendering “Our Bakery” as approved: 1 scene, 2 s, landscape, narrated by Aria. I will tell you when it is ready."),
        "{said:?}"
    );
    assert_eq!(
        said.last().unwrap(),
        "Your video “Our Bakery” is ready: 2 s, landscape 1280×720."
    );

    // A change after completion: a second, vertical video of the same length and narration.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Please change the following: make it vertical"}),
    )
    .await;
    let s = a
        .wait_session(&id, 90, |d| {
            d["status"] == "completed" && d["video_id"].as_str() != Some(vid1.as_str())
        })
        .await;
    let v2 = a.wait_video(s["video_id"].as_str().unwrap(), 30).await;
    let reported2 = v2["duration"].as_f64().unwrap();
    let (file_secs2, w2, h2) = rendered(&a, &v2).await;
    assert_eq!((w2, h2), (720, 1280));
    assert!((reported2 - file_secs2).abs() < 0.01);
    assert!((reported2 - 2.0).abs() < 0.1, "{reported2}");
    let said = model_messages(&s);
    assert!(
        said.iter().any(|m| m
            == "New version: Switched to portrait (720×1280); narration kept. Rendering 1 scene, 2 s, portrait, narrated by Aria now."),
        "{said:?}"
    );
    assert_eq!(
        said.last().unwrap(),
        "Your video “Our Bakery” is ready: 2 s, portrait 720×1280."
    );
    // Nothing the model said repeats the user's request back as content.
    assert!(
        said.iter().all(|m| !m.contains("Please change")),
        "{said:?}"
    );

    // A thank-you is answered, not rendered again as an identical third video.
    let vid2 = s["video_id"].clone();
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "thanks!"}),
    )
    .await;
    let s = a
        .wait_session(&id, 30, |d| d["messages"][0]["role"] == "model")
        .await;
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(s["video_id"], vid2, "{s}");
    assert!(
        model_messages(&s)
            .last()
            .unwrap()
            .starts_with("I did not find anything to change in that"),
        "{s}"
    );
    let videos = a.get(&format!("/v3/video-agents/{id}/videos")).await;
    assert_eq!(
        videos.body["data"].as_array().unwrap().len(),
        2,
        "{}",
        videos.text
    );
}

#[tokio::test]
async fn requests_it_cannot_apply_are_acknowledged_not_narrated() {
    let a = Agent::start().await;
    let id = a
        .create(json!({
            "prompt": "A 4-second video about tea. Green tea has antioxidants.",
            "mode": "chat",
            "voice_id": "voice_en_us_m1"
        }))
        .await;
    let s = a.wait_status(&id, "reviewing", 30).await;
    let first = latest_draft(&a, &id, &s).await;
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Please change the following: make it warmer and square, and add drone footage of the tea fields"}),
    )
    .await;
    let s = a
        .wait_session(&id, 30, |d| {
            d["status"] == "reviewing" && d["messages"][0]["role"] == "model"
        })
        .await;
    let revised = latest_draft(&a, &id, &s).await;
    assert_eq!(revised["tone"], "warm");
    assert_eq!(revised["duration"], first["duration"]);
    assert!(!revised.to_string().contains("drone"), "{revised}");
    let said = model_messages(&s).last().unwrap().clone();
    assert!(
        said.contains("; rewrote the wording in a warm tone"),
        "{said}"
    );
    assert!(said.contains("Switched to square (720×720)"), "{said}");
    assert!(
        said.contains(
            "I noted “add drone footage of the tea fields” but could not apply it offline"
        ),
        "{said}"
    );

    // The square storyboard renders a square video of the planned length.
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Looks good — generate it."}),
    )
    .await;
    let s = a.wait_status(&id, "completed", 90).await;
    let v = a.wait_video(s["video_id"].as_str().unwrap(), 30).await;
    let (secs, w, h) = rendered(&a, &v).await;
    assert_eq!((w, h), (720, 720));
    assert!((secs - 4.0).abs() < 0.1, "{secs}");
    assert!((v["duration"].as_f64().unwrap() - secs).abs() < 0.01, "{v}");
}

#[tokio::test]
async fn one_shot_length_matches_the_prompt_and_the_file() {
    let a = Agent::start().await;
    let (s, v) = a
        .one_shot(json!({"prompt": "A 3-second video introducing our bakery."}))
        .await;
    let reported = v["duration"].as_f64().unwrap();
    let (file_secs, _, _) = rendered(&a, &v).await;
    assert!((reported - file_secs).abs() < 0.01);
    assert!((reported - 3.0).abs() < 0.1, "{reported}");
    let said = model_messages(&s);
    assert!(
        said.iter()
            .any(|m| m.starts_with("I wrote a script titled “Our Bakery”: 1 scene, 3 s, landscape")),
        "{said:?}"
    );
    assert_eq!(
        said.last().unwrap(),
        "Your video “Our Bakery” is ready: 3 s, landscape 1280×720."
    );
}

#[tokio::test]
async fn an_answer_can_carry_a_change_too() {
    let a = Agent::start().await;
    let id = a
        .create(json!({"prompt": "A 4-second video about tea. Green tea has antioxidants.", "mode": "chat"}))
        .await;
    a.wait_status(&id, "waiting_for_input", 30).await;
    a.post(
        &format!("/v3/video-agents/{id}"),
        json!({"message": "Finn, and make it vertical"}),
    )
    .await;
    let s = a.wait_status(&id, "reviewing", 30).await;
    let draft = latest_draft(&a, &id, &s).await;
    assert_eq!(draft["voice_id"], "voice_en_gb_m1");
    assert_eq!(draft["orientation"], "portrait");
    assert!(!draft.to_string().contains("make it"), "{draft}");
    let said = model_messages(&s).last().unwrap().clone();
    assert!(said.contains("4 s, portrait, narrated by Finn"), "{said}");
}
