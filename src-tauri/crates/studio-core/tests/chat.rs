//! Chat sessions end to end against a real local agent: question → answer (with an attachment)
//! → storyboard → change request → approve → video; a revision after completion becomes a second
//! library entry of the same session; the thread survives the 40-message window and restarts; a
//! session started elsewhere (including through the older `/sessions` routes) is listed, opened,
//! followed and downloaded; a session stuck in `thinking` is flagged and can be stopped.

mod common;

use std::future::Future;
use std::time::Duration;

use common::{assert_video_matches_server, request, Env, KEY, PNG};
use studio_core::chat::ChatThread;
use studio_core::heygen_api::models::legacy::LegacyCreateSessionRequest;
use studio_core::heygen_api::models::{CreateVideoAgentRequest, VideoAgentMode};
use studio_core::{ChatReply, JobRequest, JobState, Mode, Studio, StudioConfig, StudioEvent};

const LIMIT: Duration = Duration::from_secs(90);

/// Poll `check` until it yields a value (panics after [`LIMIT`], saying what was awaited).
async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    tokio::time::timeout(LIMIT, async {
        loop {
            if let Some(v) = check().await {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn status_is(studio: &Studio, id: &str, want: &str) -> ChatThread {
    until(&format!("status {want}"), || async {
        let t = studio.chat_thread(id).await.unwrap();
        assert_ne!(t.session.status, "failed", "{:?}", t.messages);
        (t.session.status == want).then_some(t)
    })
    .await
}

fn drafts(t: &ChatThread) -> usize {
    t.resources
        .iter()
        .filter(|r| r.storyboard.is_some())
        .count()
}

/// Every message of `before` is still in `after`, in the same order.
fn keeps_thread(before: &ChatThread, after: &ChatThread) {
    let b: Vec<_> = before
        .messages
        .iter()
        .map(|m| (&m.content, m.created_at))
        .collect();
    let a: Vec<_> = after
        .messages
        .iter()
        .map(|m| (&m.content, m.created_at))
        .collect();
    assert_eq!(&a[..b.len()], &b[..], "nothing shown disappears");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_answer_review_revise_approve_and_a_revision_after_completion() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let mut events = studio.subscribe();
    let job = studio
        .chat_start(request("A 3-second video introducing our bakery.", vec![]))
        .await
        .unwrap();
    assert_eq!(job.request.mode, Mode::Chat);

    // The agent asks which voice (no voice chosen).
    let asked = status_is(&studio, &job.id, "waiting_for_input").await;
    assert!(asked.session.needs_input && asked.session.active && !asked.session.stuck);
    assert_eq!(
        asked.messages.last().unwrap().role,
        "model",
        "{:#?}",
        asked.messages
    );
    assert!(asked.messages.last().unwrap().content.contains("voice"));

    // Answer with an attachment: uploaded, then the storyboard comes back for review.
    let logo = env.file("logo.png", PNG);
    let replied = studio
        .chat_reply(
            &job.id[..8],
            ChatReply {
                message: "Any friendly voice is fine. Show our logo.".into(),
                files: vec![logo],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(replied.status, "thinking");
    let review = status_is(&studio, &job.id, "reviewing").await;
    keeps_thread(&asked, &review);
    assert!(review
        .messages
        .iter()
        .any(|m| m.role == "user" && m.content.contains("logo")));
    let draft = review
        .resources
        .iter()
        .find_map(|r| r.storyboard.clone())
        .expect("a draft");
    assert!(!draft.scenes.is_empty(), "{draft:?}");
    assert!(draft
        .scenes
        .iter()
        .all(|s| s.text.is_some() || s.heading.is_some()));
    assert!(draft.scenes.iter().any(|s| s.duration_secs.is_some()));

    // Request a change: a revised storyboard, the thread only grows.
    studio
        .chat_request_changes(&job.id, "make it shorter")
        .await
        .unwrap();
    let revised = until("a revised draft", || async {
        let t = studio.chat_thread(&job.id).await.unwrap();
        (t.session.status == "reviewing" && drafts(&t) >= 2).then_some(t)
    })
    .await;
    keeps_thread(&review, &revised);
    assert!(revised
        .messages
        .iter()
        .any(|m| m.content.starts_with("Please change")));

    // Approve and generate → the first video, downloaded into the library.
    studio.chat_approve(&job.id).await.unwrap();
    let first = common::wait_done(&studio, &job).await;
    assert_eq!(first.state, JobState::Downloaded, "{first:?}");
    assert_video_matches_server(&env, &first).await;

    // A change after completion → a new video in the same session, its own library entry.
    studio
        .chat_request_changes(&job.id, "make it vertical")
        .await
        .unwrap();
    let two = until("the revision's video downloaded", || async {
        let t = studio.chat_refresh(&job.id).await.unwrap();
        (t.videos.len() == 2 && t.videos[1].state == JobState::Downloaded).then_some(t)
    })
    .await;
    assert_eq!(two.videos[0].job_id, job.id);
    assert_eq!((two.videos[0].revision, two.videos[1].revision), (1, 2));
    assert_ne!(two.videos[0].video_id, two.videos[1].video_id);
    let second = studio.job(&two.videos[1].job_id).unwrap();
    assert_eq!(
        second.session_id, first.session_id,
        "grouped under its session"
    );
    assert_ne!(second.outputs.video, first.outputs.video);
    assert_video_matches_server(&env, &second).await;
    assert_eq!(two.session.video_count, 2);
    keeps_thread(&revised, &two);

    // Events told the UI about the thread and the status.
    let mut saw_messages = false;
    let mut saw_status = false;
    while let Ok(e) = events.try_recv() {
        match e {
            StudioEvent::SessionMessages { job_id, added, .. } => {
                saw_messages |= job_id.as_deref() == Some(job.id.as_str()) && added > 0
            }
            StudioEvent::SessionUpdated { status, .. } => saw_status |= status == "reviewing",
            _ => {}
        }
    }
    assert!(saw_messages && saw_status);

    // The sessions list merges the server's list with local history.
    let list = studio.chat_sessions(None).await.unwrap();
    assert!(list.remote_error.is_none());
    let listed = list
        .sessions
        .iter()
        .find(|s| Some(&s.session_id) == first.session_id.as_ref())
        .expect("listed");
    assert_eq!(listed.job_id.as_deref(), Some(job.id.as_str()));

    // A restart keeps the whole thread, even with the server gone.
    let config = env.config(KEY);
    studio.shutdown().await;
    let Env {
        agent, dir: _dir, ..
    } = env;
    agent.shutdown().await;
    let reopened = Studio::open(config).await.unwrap();
    let after = reopened.chat_thread(&job.id).await.unwrap();
    assert_eq!(after.messages, two.messages);
    assert_eq!(after.videos.len(), 2);
    assert!(
        after.resources.iter().all(|r| r.resource.is_some()),
        "resources cached"
    );
    let offline = reopened.chat_sessions(None).await.unwrap();
    assert!(offline.remote_error.is_some() && !offline.sessions.is_empty());
    reopened.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_started_elsewhere_is_listed_opened_followed_and_downloaded() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let elsewhere = env
        .raw_client()
        .create_video_agent(
            &CreateVideoAgentRequest {
                mode: Some(VideoAgentMode::Chat),
                ..CreateVideoAgentRequest::new("A 3-second clip about our tea shop.")
            },
            None,
        )
        .await
        .unwrap();
    let sid = elsewhere.session_id.clone();
    let list = studio.chat_sessions(None).await.unwrap();
    let listed = list
        .sessions
        .iter()
        .find(|s| s.session_id == sid)
        .expect("listed");
    assert!(listed.job_id.is_none() && listed.video_count == 0);

    studio.open_session(&sid).await.unwrap();
    status_is(&studio, &sid, "waiting_for_input").await;
    studio
        .chat_reply(&sid, ChatReply::text("You choose the voice."))
        .await
        .unwrap();
    status_is(&studio, &sid, "reviewing").await;
    studio.chat_approve(&sid).await.unwrap();
    let done = until("the session's video downloaded", || async {
        let t = studio.chat_thread(&sid).await.unwrap();
        (t.videos.len() == 1 && t.videos[0].state == JobState::Downloaded).then_some(t)
    })
    .await;
    let job = studio.job(&done.videos[0].job_id).unwrap();
    assert_eq!(job.session_id.as_deref(), Some(sid.as_str()));
    assert_video_matches_server(&env, &job).await;
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_through_the_older_routes_is_followed_to_its_video() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let client = env.raw_client();
    let legacy = client.legacy_sessions();
    let created = legacy
        .create(
            &LegacyCreateSessionRequest {
                prompt: "A 3-second clip about our flower shop.".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let sid = created.session_id.clone();
    // The same session through the current routes: paused for review, with a storyboard.
    studio.open_session(&sid).await.unwrap();
    let review = status_is(&studio, &sid, "reviewing").await;
    assert!(drafts(&review) >= 1, "{:?}", review.resources);
    // Approved through the old message route; the engine follows it into the library.
    legacy
        .send_message(
            &sid,
            &studio_core::heygen_api::models::legacy::LegacyMessageRequest {
                message: "Looks good, generate it".into(),
                auto_proceed: None,
            },
        )
        .await
        .unwrap();
    let done = until("the old-form session's video downloaded", || async {
        let t = studio.chat_refresh(&sid).await.unwrap();
        (t.videos.len() == 1 && t.videos[0].state == JobState::Downloaded).then_some(t)
    })
    .await;
    assert_video_matches_server(&env, &studio.job(&done.videos[0].job_id).unwrap()).await;
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_stuck_in_thinking_is_flagged_and_can_be_stopped() {
    let env = Env::start().await;
    env.set_faults(serde_json::json!({ "stuck_thinking": true }))
        .await;
    let studio = Studio::open(StudioConfig {
        stuck_thinking_after: Duration::from_secs(1),
        ..env.config(KEY)
    })
    .await
    .unwrap();
    studio.resume();
    let mut events = studio.subscribe();
    let job = studio
        .chat_start(JobRequest {
            voice_id: None,
            ..request("A 3-second clip that never gets planned.", vec![])
        })
        .await
        .unwrap();
    let stuck = until("the stuck flag", || async {
        let t = studio.chat_thread(&job.id).await.ok()?;
        t.session.stuck.then_some(t)
    })
    .await;
    assert_eq!(stuck.session.status, "thinking");
    let why = stuck.session.stuck_explanation.clone().unwrap();
    assert!(why.contains("stop"), "{why}");
    until("a stuck event", || {
        let got = std::iter::from_fn(|| events.try_recv().ok())
            .any(|e| matches!(e, StudioEvent::SessionUpdated { stuck: true, .. }));
        async move { got.then_some(()) }
    })
    .await;
    studio.chat_stop(&job.id).await.unwrap();
    assert_eq!(studio.job(&job.id).unwrap().state, JobState::Stopped);
    // The server ends the session at its checkpoint; then it is neither active nor stuck.
    let ended = until("the stopped session to end", || async {
        let t = studio.chat_refresh(&job.id).await.unwrap();
        (!t.session.active).then_some(t)
    })
    .await;
    assert!(!ended.session.stuck && ended.session.stuck_explanation.is_none());
    studio.shutdown().await;
    env.agent.shutdown().await;
}
