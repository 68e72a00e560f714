//! Downloads that cannot succeed as things are end the job in `failed` with a stable code and a
//! message that says what to do, instead of "downloading" forever; Retry then downloads the same
//! video again (no second create). Transient CDN faults that outlast one round of attempts are
//! still waited out.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use studio_core::{Job, JobState, Studio};

/// Like `wait_done`, with a bound that fails fast when a job is left in limbo.
async fn settle(studio: &Studio, job: &Job) -> Job {
    tokio::time::timeout(Duration::from_secs(60), studio.wait_for(&job.id))
        .await
        .unwrap_or_else(|_| {
            let now = studio.job(&job.id).unwrap();
            panic!("job still {} after 60 s (left in limbo)", now.state)
        })
        .expect("job readable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_gone_even_from_fresh_links_fails_and_retry_downloads_it_without_a_new_create() {
    let env = Env::start().await;
    env.set_faults(json!({"rules": [
        {"route": "GET /cdn/v/*", "kind": "status", "status": 404},
    ]}))
    .await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video about lost luggage.", vec![]))
        .await
        .unwrap();
    let failed = settle(&studio, &job).await;
    assert_eq!(failed.state, JobState::Failed, "{failed:?}");
    assert_eq!(failed.failure_code.as_deref(), Some("download_not_found"));
    let message = failed.failure_message.clone().unwrap();
    assert!(
        message.contains("HTTP 404") && message.contains("Retry"),
        "{message}"
    );
    // The link was refreshed from the video before giving up (§4).
    assert!(env.requests("GET /v3/videos/{video_id}").await >= 3);

    env.clear_faults().await;
    let retried = studio.retry(&job.id).await.unwrap();
    assert_eq!(retried.id, job.id, "the same job, not a new one");
    let done = settle(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    assert_eq!(
        env.stats().await["creates"],
        1,
        "the video was not made again"
    );
    assert_eq!(studio.jobs().unwrap().len(), 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_that_fresh_links_do_not_cure_fails_the_job() {
    let env = Env::start().await;
    env.set_faults(json!({"expire_urls": true})).await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video about locked doors.", vec![]))
        .await
        .unwrap();
    let failed = settle(&studio, &job).await;
    assert_eq!(failed.state, JobState::Failed, "{failed:?}");
    assert_eq!(failed.failure_code.as_deref(), Some("download_forbidden"));
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_path_the_system_refuses_fails_and_retry_resumes_once_fixed() {
    let env = Env::start().await;
    // The library folder's parent is a regular file: no folder can be made there.
    let blocker = env.dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let studio = env.studio().await;
    let mut req = request("A 3-second video about moving house.", vec![]);
    req.output_dir = Some(blocker.join("library"));
    let job = studio.submit(req).await.unwrap();
    let failed = settle(&studio, &job).await;
    assert_eq!(failed.state, JobState::Failed, "{failed:?}");
    assert_eq!(failed.failure_code.as_deref(), Some("library_path_refused"));
    let message = failed.failure_message.clone().unwrap();
    assert!(
        message.contains("choose another library folder"),
        "{message}"
    );

    std::fs::remove_file(&blocker).unwrap();
    studio.retry(&job.id).await.unwrap();
    let done = settle(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    let video = done.outputs.video.clone().unwrap();
    assert!(video.starts_with(&blocker), "{}", video.display());
    let files = env.video_files(done.video_id.as_deref().unwrap()).await;
    assert_eq!(
        sha256_file(&video),
        files["files"]["video"]["sha256"].as_str().unwrap()
    );
    assert_eq!(env.stats().await["creates"], 1);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_on_the_file_longer_than_one_round_is_waited_out() {
    let env = Env::start().await;
    // More 503s than one round takes (8 attempts, each with the client's own 2 retries = 24):
    // the job goes back to `completed` and the next round finishes it; it never fails.
    env.set_faults(json!({"rules": [
        {"route": "GET /cdn/v/*", "kind": "status", "status": 503, "count": 30},
    ]}))
    .await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video about patience.", vec![]))
        .await
        .unwrap();
    let done = settle(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    let history = studio.job_history(&job.id).unwrap();
    assert!(
        history
            .iter()
            .any(|e| e.to == JobState::Completed
                && e.detail.as_deref() == Some("download will resume")),
        "went back to completed once: {history:?}"
    );
    studio.shutdown().await;
    env.agent.shutdown().await;
}
