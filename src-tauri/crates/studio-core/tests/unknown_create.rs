//! At most one session per job without the server's idempotency (issue 11 item 1). The local
//! agent runs as HeyGen documents it: `Idempotency-Key` is NOT honoured on creates, so a blind
//! re-send makes a second (billed) session. A create the server processed but whose answer was
//! lost (`process_then_drop`), a crash right after sending, and a create that never arrived
//! must each end with exactly one session for the job.

mod common;

use common::*;
use serde_json::json;
use studio_core::{JobState, Studio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_processed_then_dropped_is_adopted_not_sent_again() {
    let env = Env::start().await;
    env.set_behaviour(json!({"honour_create_idempotency": false}))
        .await;
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "process_then_drop", "count": 2},
    ]}))
    .await;
    let prompt = "A 3-second video about lost letters.";
    let done = env.run_job(prompt).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    assert_eq!(env.sessions_for(prompt).await, 1, "exactly one session");
    assert_eq!(env.stats().await["creates"], 1);
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_never_arrived_is_sent_again_once() {
    let env = Env::start().await;
    env.set_behaviour(json!({"honour_create_idempotency": false}))
        .await;
    // A bare 503 from in front of the server: not processed, but the client cannot know that.
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "status", "status": 503, "envelope": false, "count": 1},
    ]}))
    .await;
    let prompt = "A 3-second video about second tries.";
    let done = env.run_job(prompt).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_eq!(env.sessions_for(prompt).await, 1);
    assert_eq!(
        env.requests("POST /v3/video-agents").await,
        1,
        "sent again once the list showed no session"
    );
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_mid_create_the_restarted_engine_adopts_the_session() {
    let env = Env::start().await;
    env.set_behaviour(json!({"honour_create_idempotency": false}))
        .await;
    // Every create is processed and its answer lost, as if the process died before reading it.
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "process_then_drop"},
    ]}))
    .await;
    let prompt = "A 3-second video about waking up again.";
    let id = {
        let studio = Studio::open(env.config(KEY)).await.unwrap();
        // No tracker (no resume): nothing reconciles in this process.
        let job = studio.submit(request(prompt, vec![])).await.unwrap();
        assert_eq!(job.state, JobState::Submitted, "{job:?}");
        assert_eq!(job.session_id, None);
        studio.shutdown().await;
        job.id
    };
    assert_eq!(env.sessions_for(prompt).await, 1);
    env.clear_faults().await;
    let studio = env.studio().await;
    let done = tokio::time::timeout(std::time::Duration::from_secs(120), studio.wait_for(&id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_eq!(
        env.sessions_for(prompt).await,
        1,
        "the startup sweep adopted it"
    );
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_lost_creates_with_the_same_prompt_each_keep_their_own_session() {
    let env = Env::start().await;
    env.set_behaviour(json!({"honour_create_idempotency": false}))
        .await;
    env.set_faults(json!({"rules": [
        {"route": "POST /v3/video-agents", "kind": "process_then_drop", "count": 2},
    ]}))
    .await;
    let prompt = "A 3-second video about twins.";
    let studio = env.studio().await;
    let a = studio.submit(request(prompt, vec![])).await.unwrap();
    let b = studio.submit(request(prompt, vec![])).await.unwrap();
    let a = wait_done(&studio, &a).await;
    let b = wait_done(&studio, &b).await;
    assert_eq!(
        (a.state, b.state),
        (JobState::Downloaded, JobState::Downloaded)
    );
    assert_ne!(a.session_id, b.session_id, "one session each");
    assert_eq!(
        env.sessions_for(prompt).await,
        2,
        "two jobs, two sessions, no third"
    );
    studio.shutdown().await;
    env.agent.shutdown().await;
}
