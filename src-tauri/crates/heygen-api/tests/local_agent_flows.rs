//! End-to-end flows against a real local agent: uploads (simple and direct), one-shot and chat
//! sessions, downloads with Range resume, resets and expired links, pagination, legacy routes.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{sha256_hex, wait_for, write_wav, Harness};
use futures::{StreamExt, TryStreamExt};
use heygen_api::models::*;
use heygen_api::{ApiError, Client, ProgressFn, UploadMethod, UploadOptions};
use serde_json::json;

const FLOW_LIMIT: Duration = Duration::from_secs(120);

/// Reads a whole download into memory (test videos are small).
async fn fetch(
    client: &Client,
    url: &str,
    from: u64,
) -> Result<(heygen_api::DownloadStream, Vec<u8>), ApiError> {
    let mut download = client.download(url, from).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = download.next_chunk().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok((download, bytes))
}

async fn wait_for_video(client: &Client, session_id: &str) -> Video {
    let video_id = wait_for("the session's video id", FLOW_LIMIT, || async {
        let session = client
            .get_video_agent_session(session_id)
            .await
            .expect("poll session");
        assert_ne!(
            session.status,
            SessionStatus::Failed,
            "session failed: {:?}",
            session.latest_error()
        );
        session.video_id
    })
    .await;
    wait_for("the video to complete", FLOW_LIMIT, || async {
        let video = client.get_video(&video_id).await.expect("poll video");
        assert_ne!(
            video.status,
            VideoStatus::Failed,
            "video failed: {:?}",
            video.failure_message
        );
        (video.status == VideoStatus::Completed).then_some(video)
    })
    .await
}

async fn wait_until_ready(client: &Client, ids: &[String]) {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let s = client.asset_statuses(ids).await.expect("asset statuses");
            if ids
                .iter()
                .all(|id| s.status_of(id).is_some_and(AssetReadiness::is_ready))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("assets ready in time");
}

#[tokio::test]
async fn one_shot_flow_with_uploads_and_resumable_download() {
    // Files above 64 kB take the direct-upload path.
    let h = Harness::start_with(|c| c.simple_upload_max_bytes = 64 * 1024).await;
    let progress_log: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let sink = progress_log.clone();
    let progress: ProgressFn =
        Arc::new(move |sent, total| sink.lock().unwrap().push((sent, total)));

    let image = h
        .client
        .upload_file(
            &common::fixture("logo.png"),
            &UploadOptions {
                progress: Some(progress.clone()),
                ..Default::default()
            },
        )
        .await
        .expect("simple upload");
    assert_eq!(image.method, UploadMethod::Simple);
    assert_eq!(image.asset.mime_type.as_deref(), Some("image/png"));
    assert_eq!(image.asset.size_bytes, Some(image.size_bytes));
    assert_eq!(
        progress_log.lock().unwrap().last(),
        Some(&(image.size_bytes, image.size_bytes))
    );

    let wav = h.work.join("voiceover.wav");
    write_wav(&wav, 6); // 96 kB
    progress_log.lock().unwrap().clear();
    let audio = h
        .client
        .upload_file(
            &wav,
            &UploadOptions {
                progress: Some(progress),
                idempotency_key: Some("upload-wav-1".into()),
                ..Default::default()
            },
        )
        .await
        .expect("direct upload");
    assert_eq!(audio.method, UploadMethod::Direct);
    assert_eq!(audio.size_bytes, std::fs::metadata(&wav).unwrap().len());
    assert_eq!(audio.sha256, sha256_hex(&std::fs::read(&wav).unwrap()));
    assert_eq!(
        progress_log.lock().unwrap().last(),
        Some(&(audio.size_bytes, audio.size_bytes))
    );
    assert!(audio.asset.status.is_some(), "complete returns a status");
    // A caller that already hashed the file passes the digest; the server checks it.
    let known = h
        .client
        .upload_file_with_sha256(&wav, Some(&audio.sha256), &UploadOptions::default())
        .await
        .expect("direct upload with a known digest");
    assert_eq!(known.sha256, audio.sha256);
    let wrong = "0".repeat(64);
    let err = h
        .client
        .upload_file_with_sha256(&wav, Some(&wrong), &UploadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.param()),
        ("invalid_parameter", Some("checksum_sha256")),
        "{err:?}"
    );

    let mut request = CreateVideoAgentRequest::new(
        "A 5-second welcome clip for new gym members. Show the attached logo; the attached audio is background music.",
    );
    request.orientation = Some(Orientation::Landscape);
    request.files = vec![
        AssetInput::asset_id(&image.asset.asset_id),
        AssetInput::asset_id(&audio.asset.asset_id),
    ];
    // A completed direct upload may still be processing (spec §3.3): wait until it is ready.
    wait_until_ready(&h.client, std::slice::from_ref(&audio.asset.asset_id)).await;
    let created = h
        .client
        .create_video_agent(&request, Some("flow-one-shot-1"))
        .await
        .expect("create");
    let video = wait_for_video(&h.client, &created.session_id).await;
    let url = video.video_url.clone().expect("completed video has a URL");

    let server = h.admin_get(&format!("/__admin/videos/{}", video.id)).await;
    let expected_sha = server["files"]["video"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected_size = server["files"]["video"]["size_bytes"].as_u64().unwrap();

    // Whole file.
    let (full, bytes) = fetch(&h.client, &url, 0).await.expect("download");
    assert_eq!((full.status, full.partial(), full.start), (200, false, 0));
    assert_eq!(full.total_size, Some(expected_size));
    assert_eq!(sha256_hex(&bytes), expected_sha);

    // Resume from the middle: 206 with the Content-Range total.
    let half = expected_size / 2;
    let (rest, tail) = fetch(&h.client, &url, half).await.expect("range download");
    assert!(rest.partial(), "expected 206, got {}", rest.status);
    assert_eq!(
        (rest.start, rest.total_size, rest.content_length),
        (half, Some(expected_size), Some(expected_size - half))
    );
    let mut joined = bytes[..half as usize].to_vec();
    joined.extend_from_slice(&tail);
    assert_eq!(sha256_hex(&joined), expected_sha);

    // An expired link is a distinct error; re-reading the video gives a working one.
    h.faults(json!({"expire_urls": true})).await;
    let err = h.client.download(&url, 0).await.unwrap_err();
    assert!(
        matches!(err, ApiError::LinkExpired { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "link_expired");
    h.clear_faults().await;
    let fresh = h
        .client
        .get_video(&video.id)
        .await
        .unwrap()
        .video_url
        .unwrap();
    let (_, again) = fetch(&h.client, &fresh, 0).await.expect("fresh link works");
    assert_eq!(sha256_hex(&again), expected_sha);

    // Thumbnail and subtitles are downloadable too.
    for extra in [video.thumbnail_url.clone(), video.subtitle_url.clone()]
        .into_iter()
        .flatten()
    {
        let (_, bytes) = fetch(&h.client, &extra, 0).await.expect("extra file");
        assert!(!bytes.is_empty());
    }
    // The session lists its video; the server saw exactly one create.
    let listed = h
        .client
        .list_videos(&VideoQuery::default(), &PageRequest::first())
        .await
        .unwrap();
    assert!(listed.data.iter().any(|v| v.id == video.id));
    let videos = h
        .client
        .list_session_videos(&created.session_id, &PageRequest::first())
        .await
        .unwrap();
    assert!(videos.data.iter().any(|v| v.id == video.id));
    assert_eq!(h.stats().await["creates"], 1);
    let deleted = h.client.delete_video(&video.id).await.expect("delete");
    assert_eq!(
        (deleted.id.as_str(), deleted.deleted),
        (video.id.as_str(), true)
    );
    assert!(h
        .client
        .get_video(&video.id)
        .await
        .unwrap_err()
        .is_not_found());
    h.shutdown().await;
}

#[tokio::test]
async fn download_resumes_after_reset_mid_body() {
    let h = Harness::start().await;
    let size: u64 = 3_000_000;
    let blob = h
        .admin_post("/__admin/blobs", json!({"size_bytes": size}))
        .await;
    let url = blob["url"].as_str().expect("blob url").to_owned();
    let expected: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();

    // Several 256 KiB chunks go out before the cut, so the break is seen mid-body (an earlier
    // break, before the headers, would simply be retried by the client).
    let cut_at = 1_200_000u64;
    h.faults(json!({"rules": [{"route": "GET /cdn/*", "kind": "reset", "after_bytes": cut_at, "count": 1}]})).await;
    let mut download = h.client.download(&url, 0).await.expect("open");
    assert_eq!((download.status, download.total_size), (200, Some(size)));
    let mut received = Vec::new();
    let mut broke = None;
    while let Some(chunk) = download.next_chunk().await {
        match chunk {
            Ok(chunk) => received.extend_from_slice(&chunk),
            Err(err) => {
                broke = Some(err);
                break;
            }
        }
    }
    let broke = broke.unwrap_or_else(|| panic!("no break: got {} of {size} bytes", received.len()));
    assert_eq!(broke.code(), "network_error", "{broke:?}");
    assert!(broke.is_retryable());
    assert!(
        !broke.to_string().contains("signature="),
        "no signed URL in errors: {broke}"
    );
    assert!(
        received.len() as u64 <= cut_at && !received.is_empty(),
        "{} bytes",
        received.len()
    );

    let from = received.len() as u64;
    let (rest, tail) = fetch(&h.client, &url, from).await.expect("resume");
    assert!(rest.partial());
    assert_eq!((rest.start, rest.total_size), (from, Some(size)));
    received.extend_from_slice(&tail);
    assert!(
        received == expected,
        "resumed download differs from the original"
    );

    // Asking past the end is the server's 416, not a silent empty file.
    let err = h.client.download(&url, size).await.unwrap_err();
    assert_eq!(
        (err.http_status(), err.code()),
        (Some(416), "range_not_satisfiable")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn chat_session_pauses_takes_answers_and_renders() {
    let h = Harness::start().await;
    let mut request =
        CreateVideoAgentRequest::new("A 5-second teaser for a bakery's new sourdough.");
    request.mode = Some(VideoAgentMode::Chat);
    let created = h
        .client
        .create_video_agent(&request, None)
        .await
        .expect("create chat");
    let answered = std::cell::Cell::new(0u32);
    let saw_draft = std::cell::Cell::new(false);
    let video_id = wait_for("the chat session to start rendering", FLOW_LIMIT, || {
        let client = &h.client;
        let session_id = created.session_id.clone();
        let (answered, saw_draft) = (&answered, &saw_draft);
        async move {
            let session = client
                .get_video_agent_session(&session_id)
                .await
                .expect("poll");
            assert_ne!(session.status, SessionStatus::Failed);
            if let Some(video_id) = session.video_id.clone() {
                return Some(video_id);
            }
            if !session.status.needs_input() || session.messages.is_empty() {
                return None;
            }
            // Resolve every resource the newest message points at.
            for rid in &session.messages[0].resource_ids {
                let resource = client
                    .get_session_resource(&session_id, rid)
                    .await
                    .expect("resource");
                saw_draft.set(saw_draft.get() || resource.is_draft());
            }
            let reply = if session.status == SessionStatus::Reviewing {
                "Looks good — generate it"
            } else {
                "You choose."
            };
            let sent = client
                .send_video_agent_message(&session_id, &SendMessageRequest::new(reply))
                .await
                .expect("reply");
            assert_eq!(sent.session_id, session_id);
            answered.set(answered.get() + 1);
            // Wait until the server has moved on from this pause.
            None
        }
    })
    .await;
    assert!(
        answered.get() >= 1,
        "a chat session pauses for input at least once"
    );
    assert!(
        saw_draft.get(),
        "the storyboard draft resource was resolved"
    );
    let video = wait_for("the chat video", FLOW_LIMIT, || async {
        let video = h.client.get_video(&video_id).await.unwrap();
        (video.status == VideoStatus::Completed).then_some(video)
    })
    .await;
    assert!(video.video_url.is_some());

    let chrono = h
        .client
        .get_video_agent_session(&created.session_id)
        .await
        .unwrap();
    let ordered = chrono.messages_chronological();
    assert!(
        ordered.iter().any(|m| m.role == MessageRole::User),
        "our replies are in the thread"
    );
    assert!(ordered
        .windows(2)
        .all(|w| w[0].created_at <= w[1].created_at));
    h.shutdown().await;
}

#[tokio::test]
async fn stop_list_and_paginate() {
    let h = Harness::start().await;
    h.faults(json!({"stuck_thinking": true})).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let created = h
            .client
            .create_video_agent(
                &CreateVideoAgentRequest::new(format!("A 5-second clip number {i}.")),
                None,
            )
            .await
            .unwrap();
        ids.push(created.session_id);
    }
    let stopped = h
        .client
        .stop_video_agent_session(&ids[0])
        .await
        .expect("stop");
    assert_eq!(stopped.session_id, ids[0]);

    // Sessions, newest first, one per page: the stream follows the cursor through all of them.
    let listed: Vec<SessionListItem> = h
        .client
        .stream_video_agent_sessions(Some(1))
        .try_collect()
        .await
        .unwrap();
    let listed_ids: Vec<&str> = listed.iter().map(|s| s.session_id.as_str()).collect();
    let expected: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed_ids, expected);

    // Styles: small pages streamed == one big page.
    let all: Vec<Style> = h
        .client
        .stream_styles(StyleQuery::default(), Some(2))
        .try_collect()
        .await
        .unwrap();
    let big = h
        .client
        .list_styles(&StyleQuery::default(), &PageRequest::with_limit(100))
        .await
        .unwrap();
    assert!(all.len() > 2, "the catalogue spans several pages of 2");
    assert_eq!(all, big.data);
    let tag = all
        .iter()
        .flat_map(|s| s.tags.first())
        .next()
        .cloned()
        .expect("some style has a tag");
    let tagged: Vec<Style> = h
        .client
        .stream_styles(
            StyleQuery {
                tag: Some(tag.clone()),
            },
            None,
        )
        .try_collect()
        .await
        .unwrap();
    assert!(!tagged.is_empty() && tagged.iter().all(|s| s.tags.contains(&tag)));

    // Other catalogues decode and page.
    let looks: Vec<AvatarLook> = h
        .client
        .stream_avatar_looks(LookQuery::default(), Some(50))
        .try_collect()
        .await
        .unwrap();
    assert!(!looks.is_empty());
    let voices: Vec<Voice> = h
        .client
        .stream_voices(VoiceQuery::default(), Some(3))
        .take(5)
        .try_collect()
        .await
        .unwrap();
    assert!(!voices.is_empty());
    let groups = h
        .client
        .list_avatars(&AvatarQuery::default(), &PageRequest::with_limit(5))
        .await
        .unwrap();
    assert!(!groups.data.is_empty());
    let kits = h
        .client
        .list_brand_kits(&PageRequest::first())
        .await
        .unwrap();
    let _ = kits; // may be empty on a fresh server; decoding is what matters
    let user = h.client.get_current_user().await.unwrap();
    assert!(
        user.balance().is_some(),
        "the local account reports a balance: {user:?}"
    );
    let videos = h
        .client
        .list_videos(&VideoQuery::default(), &PageRequest::first())
        .await
        .unwrap();
    // Nothing rendered, but as in HeyGen's example a create may already carry a video id:
    // at most one (pending or stopped) video per session.
    assert!(videos.data.len() <= ids.len(), "{videos:?}");
    assert!(videos
        .data
        .iter()
        .all(|v| v.status != VideoStatus::Completed));

    // A bad page size is the server's validation error.
    let err = h
        .client
        .list_avatar_looks(&LookQuery::default(), &PageRequest::with_limit(51))
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(400));
    h.shutdown().await;
}

#[tokio::test]
async fn legacy_session_routes() {
    let h = Harness::start().await;
    let legacy = h.client.legacy_sessions();
    let created = legacy
        .create(
            &legacy::LegacyCreateSessionRequest {
                prompt: "A 5-second clip about tea.".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("legacy create");
    let paused = wait_for("the legacy session to pause", FLOW_LIMIT, || async {
        let session = legacy.get(&created.session_id).await.unwrap();
        assert_ne!(session.status, legacy::LegacySessionStatus::Failed);
        // Old-form sessions show a question as `processing` with the agent's message newest.
        let agent_spoke = session
            .messages
            .first()
            .is_some_and(|m| m.role == MessageRole::Model);
        (session.status == legacy::LegacySessionStatus::Reviewing || agent_spoke).then_some(session)
    })
    .await;
    assert!(!paused.messages.is_empty());
    let ack = legacy
        .send_message(
            &created.session_id,
            &legacy::LegacyMessageRequest {
                message: "You choose, then go ahead.".into(),
                auto_proceed: Some(true),
            },
        )
        .await
        .expect("legacy message");
    assert_eq!(ack.session_id, created.session_id);
    let _resources = legacy
        .resources(&created.session_id, &PageRequest::first())
        .await
        .expect("legacy resources");
    let stopped = legacy.stop(&created.session_id).await.expect("legacy stop");
    assert_eq!(stopped.session_id, created.session_id);
    h.shutdown().await;
}
