//! A job whose session the server no longer knows (404 on every poll, long after the create)
//! ends in `failed` with a stable code instead of being polled forever.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use studio_core::JobState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_the_server_lost_fails_the_job_after_a_grace_period() {
    let env = Env::start().await;
    env.set_faults(json!({
        "stuck_thinking": true,
        "rules": [{"route": "GET /v3/video-agents/*", "kind": "status", "status": 404}],
    }))
    .await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video about forgetting.", vec![]))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let failed = tokio::time::timeout(Duration::from_secs(60), studio.wait_for(&job.id))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "job still {} after 60 s",
                studio.job(&job.id).unwrap().state
            )
        })
        .unwrap();
    assert_eq!(failed.state, JobState::Failed, "{failed:?}");
    assert_eq!(failed.failure_code.as_deref(), Some("session_not_found"));
    assert!(
        failed.failure_message.as_deref().unwrap().contains("Retry"),
        "{failed:?}"
    );
    // Not on the first 404: the grace period (5 min nominal, 6 s at this poll scale) came first.
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}
