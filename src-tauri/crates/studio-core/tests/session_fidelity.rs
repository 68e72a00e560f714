//! Sessions as HeyGen describes them (issue 11 items 2 and 3), against the local agent in its
//! default HeyGen mode: list items carry only `{session_id, created_at, title}`, and a one-shot
//! create answers `generating` with a `video_id` already set.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use studio_core::chat::UNKNOWN_STATUS;
use studio_core::heygen_api::models::{CreateVideoAgentRequest, SessionStatus, VideoAgentMode};
use studio_core::JobState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_finished_elsewhere_is_listed_as_finished_not_thinking() {
    let env = Env::start().await;
    let client = env.raw_client();
    let made = client
        .create_video_agent(
            &CreateVideoAgentRequest::new("A 2-second video made on the web."),
            None,
        )
        .await
        .unwrap();
    // It finishes on the server without this app ever reading it.
    tokio::time::timeout(Duration::from_secs(90), async {
        loop {
            let s = client
                .get_video_agent_session(&made.session_id)
                .await
                .unwrap();
            if s.status == SessionStatus::Completed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the session completes on the server");
    let studio = env.studio().await;
    let list = studio.chat_sessions(None).await.unwrap();
    let row = list
        .sessions
        .iter()
        .find(|s| s.session_id == made.session_id)
        .expect("listed");
    assert_eq!(row.status, "completed", "{row:?}");
    assert!(!row.active && !row.stuck, "{row:?}");
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_not_read_yet_say_their_status_is_unknown_and_are_read_on_the_next_listing() {
    let env = Env::start().await;
    let client = env.raw_client();
    // More sessions than one listing reads details for (10).
    let mut ids = Vec::new();
    for i in 0..12 {
        let made = client
            .create_video_agent(
                &CreateVideoAgentRequest {
                    mode: Some(VideoAgentMode::Chat),
                    ..CreateVideoAgentRequest::new(format!("A 2-second chat number {i}."))
                },
                None,
            )
            .await
            .unwrap();
        ids.push(made.session_id);
    }
    let studio = env.studio().await;
    let first = studio.chat_sessions(None).await.unwrap();
    let ours: Vec<_> = first
        .sessions
        .iter()
        .filter(|s| ids.contains(&s.session_id))
        .collect();
    assert_eq!(ours.len(), 12);
    let unknown = ours.iter().filter(|s| s.status == UNKNOWN_STATUS).count();
    assert_eq!(unknown, 2, "10 read, 2 honestly unknown: {ours:?}");
    assert!(
        ours.iter()
            .all(|s| s.status != UNKNOWN_STATUS || (!s.stuck && !s.needs_input)),
        "nothing is claimed about an unknown row"
    );
    let second = studio.chat_sessions(None).await.unwrap();
    assert!(
        second
            .sessions
            .iter()
            .filter(|s| ids.contains(&s.session_id))
            .all(|s| s.status != UNKNOWN_STATUS),
        "the rest were read on the next listing"
    );
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_shot_created_with_its_video_id_still_follows_its_session() {
    let env = Env::start().await;
    // The video is not there for a moment after the create (HeyGen may answer 404 at first).
    env.set_faults(json!({"rules": [
        {"route": "GET /v3/videos/*", "kind": "status", "status": 404, "count": 3},
    ]}))
    .await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video about lighthouses.", vec![]))
        .await
        .unwrap();
    assert!(
        job.video_id.is_some(),
        "HeyGen mode: the create answer carries the video id"
    );
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    // What only the session says: its messages (the prompt first) and its status.
    let messages = studio.chat_thread(&done.id).await.unwrap().messages;
    assert!(
        messages
            .iter()
            .any(|m| m.role == "user" && m.content == "A 3-second video about lighthouses."),
        "{messages:?}"
    );
    let thread = studio.chat_refresh(&done.id).await.unwrap();
    assert_eq!(thread.session.status, "completed");
    assert!(done.title.is_some());
    studio.shutdown().await;
    env.agent.shutdown().await;
}
