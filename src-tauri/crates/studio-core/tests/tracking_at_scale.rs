//! Tracking many live jobs: requests grow with pages of the video list, not with jobs, and a
//! video the list does not tell about (missing, or without a status) is still followed to the
//! end. Real local agent over loopback, real SQLite.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use studio_core::{Job, JobState, Studio};

const VIDEO: &str = "GET /v3/videos/{video_id}";
const LIST: &str = "GET /v3/videos";

/// Every API request the agent counted so far, by route (the CDN and admin routes left out).
async fn api_requests(env: &Env) -> Value {
    let mut stats = env.stats().await["requests"].take();
    if let Value::Object(map) = &mut stats {
        map.retain(|route, _| route.contains(" /v3/"));
    }
    stats
}

fn total(stats: &Value) -> u64 {
    stats
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0)
}

fn count(stats: &Value, route: &str) -> u64 {
    stats[route].as_u64().unwrap_or(0)
}

/// Submits `n` jobs while the agent holds every session in `thinking` (their videos pending):
/// live jobs that stay live.
async fn held_jobs(env: &Env, studio: &Studio, n: usize) -> Vec<Job> {
    env.set_faults(json!({"stuck_thinking": true})).await;
    env.admin_post("/__admin/limits", json!({"max_active_jobs": n + 10}))
        .await;
    let mut jobs = Vec::new();
    for i in 0..n {
        let prompt = format!("A 10-second video about held job {i}");
        jobs.push(
            studio
                .submit(request(&prompt, vec![]))
                .await
                .expect("submit"),
        );
    }
    jobs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_live_jobs_cost_fewer_requests_than_jobs() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let n = 50;
    let jobs = held_jobs(&env, &studio, n).await;
    for job in &jobs {
        let job = studio.job(&job.id).unwrap();
        assert!(
            job.video_id.is_some(),
            "HeyGen's create answer carries the video id"
        );
    }
    // Past the first 2 nominal minutes (poll scale 0.02: 2.4 s), every job is polled on a
    // 30 s nominal cadence (0.6 s): in a 3 s window, per-job polling reads each job's video
    // (and session) at least 4 times — 200+ requests for 50 jobs.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = api_requests(&env).await;
    let window = Duration::from_secs(3);
    tokio::time::sleep(window).await;
    let after = api_requests(&env).await;
    let requests = total(&after) - total(&before);
    let list = count(&after, LIST) - count(&before, LIST);
    let video_reads = count(&after, VIDEO) - count(&before, VIDEO);
    eprintln!("{n} live jobs, {window:?}: {requests} requests ({list} list pages, {video_reads} video reads)");
    assert!(
        requests < n as u64,
        "{requests} requests in {window:?} for {n} live jobs: {before} -> {after}"
    );
    assert!(
        list >= 3,
        "the video list follows the jobs: {list} list reads"
    );
    assert_eq!(video_reads, 0, "every video was told by the list");
    for job in &jobs {
        assert!(studio.job(&job.id).unwrap().state.is_live());
    }
    studio.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_job_finishes_among_held_ones() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let held = held_jobs(&env, &studio, 30).await;
    let newest = studio
        .submit(request("A 10-second video about the newest job", vec![]))
        .await
        .expect("submit");
    let session = studio.job(&newest.id).unwrap().session_id.expect("session");
    env.set_faults(json!({"stuck_thinking": true, "stuck_thinking_except": [session]}))
        .await;
    let done = wait_done(&studio, &newest).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    for job in &held {
        assert!(studio.job(&job.id).unwrap().state.is_live());
    }
    studio.shutdown().await;
}

/// Jobs whose videos the list never shows (it reaches only the newest one) finish through
/// reads of each video.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_missing_from_the_list_still_complete() {
    let env = Env::start().await;
    env.set_behaviour(json!({"video_list_reach": 1})).await;
    let studio = env.studio().await;
    let mut jobs = Vec::new();
    for i in 0..3 {
        let prompt = format!("A 10-second video about unlisted job {i}");
        jobs.push(
            studio
                .submit(request(&prompt, vec![]))
                .await
                .expect("submit"),
        );
    }
    for job in &jobs {
        let done = wait_done(&studio, job).await;
        assert_eq!(done.state, JobState::Downloaded, "{done:?}");
        assert_video_matches_server(&env, &done).await;
    }
    assert!(env.requests(LIST).await > 0, "the list was tried");
    studio.shutdown().await;
}

/// List items without a status say nothing: each video is read itself, and completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_items_without_status_still_complete() {
    let env = Env::start().await;
    env.set_behaviour(json!({"video_list_bare": true})).await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 10-second video about a bare listing", vec![]))
        .await
        .expect("submit");
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert!(env.requests(LIST).await > 0, "the list was tried");
    assert!(env.requests(VIDEO).await > 0, "the video was read itself");
    studio.shutdown().await;
}
