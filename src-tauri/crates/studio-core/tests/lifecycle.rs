//! Stop, cancel, retry, re-download, chat sessions, catalogues and offline mode, end to end
//! against a real local agent.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use studio_core::{ChatReply, JobState, Mode, Studio, StudioConfig};

async fn wait_state(studio: &Studio, id: &str, want: JobState) {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let job = studio.job(id).unwrap();
            if job.state == want {
                return;
            }
            assert!(
                !job.state.is_terminal(),
                "ended {} waiting for {want}: {job:?}",
                job.state
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {want}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_cancel_retry_and_download_again() {
    let env = Env::start().await;
    // Held in `thinking` (the older create answer, without a video id): in HeyGen's shape a
    // one-shot answers `generating` at once and never shows `thinking`.
    env.set_behaviour(json!({"create_answer": "thinking_no_video"}))
        .await;
    env.set_faults(json!({"stuck_thinking": true})).await;
    let studio = env.studio().await;

    // Stop: the server is told, the job ends `stopped` and is no longer followed.
    let a = studio
        .submit(request("A 3-second video that never ends.", vec![]))
        .await
        .unwrap();
    wait_state(&studio, &a.id, JobState::Thinking).await;
    let stopped = studio.stop(&a.id[..8]).await.unwrap();
    assert_eq!(stopped.state, JobState::Stopped);
    assert_eq!(
        env.requests("POST /v3/video-agents/{session_id}/stop")
            .await,
        1
    );

    // Cancel: local only.
    let b = studio
        .submit(request("A 3-second video to cancel.", vec![]))
        .await
        .unwrap();
    let cancelled = studio.cancel(&b.id).await.unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    // Terminal states do not come back.
    assert_eq!(
        studio.cancel(&a.id).await.unwrap_err().code(),
        "illegal_transition"
    );

    // Retry: a new job with the same inputs, which completes once the agent is unstuck.
    env.clear_faults().await;
    let retried = studio.retry(&a.id).await.unwrap();
    assert_ne!(retried.id, a.id);
    assert_eq!(retried.retry_of.as_deref(), Some(a.id.as_str()));
    assert_eq!(retried.request, a.request);
    let done = wait_done(&studio, &retried).await;
    assert_eq!(done.state, JobState::Downloaded);
    assert_video_matches_server(&env, &done).await;

    // Download again after the file was removed.
    let video = done.outputs.video.clone().unwrap();
    std::fs::remove_file(&video).unwrap();
    studio.download(&done.id).await.unwrap();
    let again = wait_done(&studio, &done).await;
    assert_eq!(again.state, JobState::Downloaded);
    assert!(video.exists());
    assert_video_matches_server(&env, &again).await;

    // Delete forgets the job (and its files when asked).
    assert!(studio.delete(&again.id, true).await.unwrap());
    assert!(!video.exists());
    assert_eq!(studio.job(&again.id).unwrap_err().code(), "not_found");
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_session_answers_approves_and_downloads() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let job = studio
        .submit(studio_core::JobRequest {
            mode: Mode::Chat,
            ..request("A 3-second video introducing our bakery.", vec![])
        })
        .await
        .unwrap();
    // Without a voice the agent asks for one first.
    wait_state(&studio, &job.id, JobState::WaitingForInput).await;
    assert!(!studio
        .chat_thread(&job.id)
        .await
        .unwrap()
        .messages
        .is_empty());
    studio
        .chat_reply(&job.id, ChatReply::text("Any friendly voice is fine."))
        .await
        .unwrap();
    wait_state(&studio, &job.id, JobState::Reviewing).await;
    studio.chat_approve(&job.id).await.unwrap();
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;
    let history: Vec<JobState> = studio
        .job_history(&job.id)
        .unwrap()
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert!(history.contains(&JobState::Reviewing) && history.contains(&JobState::Generating));
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogues_page_cache_and_fall_back_offline() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let first = studio.styles(None, None).await.unwrap();
    assert!(!first.items.is_empty() && !first.from_cache);
    let mut all = first.items.len();
    let mut token = first.next_token.clone();
    while let Some(t) = token {
        let page = studio.styles(None, Some(t)).await.unwrap();
        all += page.items.len();
        token = page.next_token;
    }
    let tagged = studio.styles(Some("cinematic".into()), None).await.unwrap();
    assert!(tagged
        .items
        .iter()
        .all(|s| s.tags.iter().any(|t| t == "cinematic")));
    assert!(tagged.items.len() < all);
    let thumb_url = first.items[0].thumbnail_url.clone().expect("thumbnail url");
    let thumb = studio.cached_thumbnail(&thumb_url).await.unwrap();
    assert!(std::fs::metadata(&thumb).unwrap().len() > 0);
    assert!(thumb.starts_with(studio.data_dir().join("thumbnails")));
    assert!(!studio.voices(None).await.unwrap().items.is_empty());
    assert!(!studio
        .avatar_looks(None, None)
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(!studio.avatars(None).await.unwrap().items.is_empty());
    studio.brand_kits(None).await.unwrap();

    // Server gone: the cached first page is served, marked as such; the cached thumbnail stays.
    let config = env.config(KEY);
    studio.shutdown().await;
    let Env {
        agent, dir: _dir, ..
    } = env;
    agent.shutdown().await;
    let studio = Studio::open(config).await.unwrap();
    let cached = studio.styles(None, None).await.unwrap();
    assert!(cached.from_cache);
    assert_eq!(
        cached.items.first().map(|s| &s.style_id),
        first.items.first().map(|s| &s.style_id)
    );
    assert_eq!(studio.cached_thumbnail(&thumb_url).await.unwrap(), thumb);
    studio.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_mode_runs_an_embedded_agent_without_any_key() {
    let dir = tempfile::tempdir().unwrap();
    let studio = Studio::open(StudioConfig {
        data_dir: Some(dir.path().join("data")),
        offline: Some(true),
        credentials: studio_core::Credentials::with_service("vas-test-offline-unused"),
        poll_scale: 0.02,
        local_agent_time_scale: 600.0,
        library_dir: Some(dir.path().join("library")),
        ..StudioConfig::default()
    })
    .await
    .unwrap();
    assert!(studio.is_offline());
    assert!(studio.base_url().starts_with("http://127.0.0.1:"));
    assert!(dir.path().join("data/local-agent").is_dir());
    let account = studio.test_key(None).await.unwrap();
    assert!(account.offline);
    studio.resume();
    let job = studio
        .submit(request("A 3-second offline test video.", vec![]))
        .await
        .unwrap();
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert!(done
        .outputs
        .video
        .unwrap()
        .starts_with(dir.path().join("library").canonicalize().unwrap()));
    studio.shutdown().await;
}
