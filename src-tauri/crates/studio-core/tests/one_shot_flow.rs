//! The whole one-shot flow against a real local agent: a PNG and a PDF attached, the MP4 lands in
//! the library byte-identical to the server's, one create, and unchanged files upload once.

mod common;

use common::*;
use studio_core::{JobState, StudioEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_with_png_and_pdf_lands_in_the_library() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let mut events = studio.subscribe();
    let png = env.file("logo.png", PNG);
    let pdf = env.file("brief.pdf", PDF);

    let job = studio
        .submit(request(
            "A 4-second welcome video for new gym members. Show the attached logo; the PDF has our opening hours.",
            vec![png.clone(), pdf.clone()],
        ))
        .await
        .expect("submit");
    assert!(
        job.session_id.is_some(),
        "create answered with a session id"
    );
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    assert_video_matches_server(&env, &done).await;

    // Thumbnail and subtitles came along, equal to the server's too.
    let files = env.video_files(done.video_id.as_deref().unwrap()).await;
    let thumb = done.outputs.thumbnail.as_ref().expect("thumbnail");
    assert_eq!(
        sha256_file(thumb),
        files["files"]["thumbnail"]["sha256"].as_str().unwrap()
    );
    let srt = done.outputs.subtitles.as_ref().expect("subtitles");
    assert_eq!(
        sha256_file(srt),
        files["files"]["subtitles"]["sha256"].as_str().unwrap()
    );
    // File names come from our id and the title; no partial files remain.
    let short = &done.id[..8];
    for entry in std::fs::read_dir(env.library()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.contains(short), "{name}");
        assert!(
            !name.ends_with(".part") && !name.ends_with(".json"),
            "{name}"
        );
    }

    // The history follows the state machine.
    let states: Vec<JobState> = studio
        .job_history(&done.id)
        .unwrap()
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        &states[..3],
        &[JobState::Draft, JobState::Uploading, JobState::Submitted]
    );
    assert_eq!(
        &states[states.len() - 3..],
        &[
            JobState::Completed,
            JobState::Downloading,
            JobState::Downloaded
        ]
    );

    // Events carried the state changes and download progress.
    let mut saw_download = false;
    let mut saw_done = false;
    while let Ok(e) = events.try_recv() {
        match e {
            StudioEvent::DownloadProgress { job_id, .. } if job_id == done.id => {
                saw_download = true
            }
            StudioEvent::JobState {
                to: JobState::Downloaded,
                ..
            } => saw_done = true,
            _ => {}
        }
    }
    assert!(saw_download && saw_done);
    assert_eq!(env.stats().await["creates"], 1);

    // The same files again: no second upload (content hash + size, same server).
    let uploads = env.requests("POST /v3/assets").await;
    assert_eq!(uploads, 2);
    let again = studio
        .submit(request(
            "A 3-second thank-you card. Show the attached logo.",
            vec![png, pdf],
        ))
        .await
        .expect("second submit");
    assert_eq!(
        env.requests("POST /v3/assets").await,
        uploads,
        "unchanged files are not re-uploaded"
    );
    let again = wait_done(&studio, &again).await;
    assert_eq!(again.state, JobState::Downloaded);
    assert_eq!(env.stats().await["creates"], 2);
    studio.shutdown().await;
    env.agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_refused_before_anything_is_stored_or_sent() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let html = env.file("page.pdf", b"<html><body>not a pdf</body></html>");
    let err = studio
        .submit(request("A 3-second video", vec![html]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unsupported_file_type");
    assert_eq!(err.view().param.as_deref(), Some("files"));
    let err = studio.submit(request("   ", vec![])).await.unwrap_err();
    assert_eq!(err.code(), "prompt_empty");
    assert!(studio.jobs().unwrap().is_empty());
    assert_eq!(env.stats().await["creates"], 0);
    studio.shutdown().await;
    env.agent.shutdown().await;
}
