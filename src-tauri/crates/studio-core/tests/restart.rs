//! A restart resumes every unfinished job from its persisted state: a create whose answer was lost
//! is re-sent with the same idempotency key (the server replays; no second create).

mod common;

use common::*;
use serde_json::json;
use studio_core::{JobState, Studio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_resends_an_unconfirmed_create_with_the_same_key() {
    let env = Env::start().await;
    // The server creates the session, then the connection drops before the answer arrives.
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "reset", "after_bytes": 3, "count": 1},
    ]}))
    .await;
    // First run: no tracker (as if the app was closed right after submitting).
    let first = Studio::open(env.config(KEY)).await.unwrap();
    let job = first
        .submit(request(
            "A 3-second video about picking up where you left off.",
            vec![env.file("logo.png", PNG)],
        ))
        .await
        .expect("a lost answer is not a failure");
    assert_eq!(job.state, JobState::Submitted);
    assert!(job.session_id.is_none());
    first.shutdown().await;
    drop(first);
    assert_eq!(env.stats().await["creates"], 1, "the server did create it");

    // Second run: the startup sweep re-sends the create with the same key and follows it.
    let second = env.studio().await;
    let stored = second.job(&job.id).unwrap();
    assert_eq!(stored.idempotency_key, job.idempotency_key);
    let done = wait_done(&second, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert!(done.session_id.is_some());
    assert_video_matches_server(&env, &done).await;
    let stats = env.stats().await;
    assert_eq!(stats["creates"], 1, "replayed, not created twice: {stats}");
    assert_eq!(
        env.requests("POST /v3/assets").await,
        1,
        "the attachment was uploaded once"
    );
    second.shutdown().await;
    env.agent.shutdown().await;
}
