//! A downloaded job records the video's length from the API's `duration`, and that length is
//! the real file's (ffprobe) and the one the prompt asked for — not the time the job took.

mod common;

use common::*;
use studio_core::JobState;

fn ffprobe_seconds(path: &std::path::Path) -> f64 {
    local_agent::probe::probe_blocking(path).unwrap().duration
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_knows_how_long_each_video_is() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let job = studio
        .submit(request("A 3-second video introducing our bakery.", vec![]))
        .await
        .expect("submit");
    let done = wait_done(&studio, &job).await;
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    let recorded = done
        .outputs
        .video_duration_ms
        .expect("the video's length is recorded") as f64
        / 1000.0;
    let file = ffprobe_seconds(done.outputs.video.as_ref().expect("video"));
    assert!(
        (recorded - file).abs() < 0.02,
        "recorded {recorded} s, the file is {file} s"
    );
    assert!(
        (recorded - 3.0).abs() < 0.1,
        "asked for 3 s, got {recorded}"
    );

    // It survives a reload from the database.
    let again = studio.job(&done.id).expect("job readable");
    assert_eq!(
        again.outputs.video_duration_ms,
        done.outputs.video_duration_ms
    );
}

/// The lead's chat journey: the first video and its revision each record their own length
/// (before, the Library's only figure was the time each job took: 10 s and 3 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_video_of_a_chat_session_records_its_own_length() {
    use std::time::Duration;
    use studio_core::ChatReply;

    let env = Env::start().await;
    let studio = env.studio().await;
    let job = studio
        .chat_start(request("A 3-second video introducing our bakery.", vec![]))
        .await
        .unwrap();
    let wait_status = |want: &'static str| {
        let studio = &studio;
        let id = job.id.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(90), async {
                loop {
                    let t = studio.chat_thread(&id).await.unwrap();
                    if t.session.status == want {
                        return t;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
            .await
            .unwrap_or_else(|_| panic!("status {want}"))
        }
    };
    wait_status("waiting_for_input").await;
    studio
        .chat_reply(
            &job.id,
            ChatReply {
                message: "You choose the voice.".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    wait_status("reviewing").await;
    studio.chat_approve(&job.id).await.unwrap();
    let first = wait_done(&studio, &job).await;
    assert_eq!(first.state, JobState::Downloaded, "{first:?}");

    studio
        .chat_request_changes(&job.id, "make it shorter")
        .await
        .unwrap();
    let thread = tokio::time::timeout(Duration::from_secs(90), async {
        loop {
            let t = studio.chat_refresh(&job.id).await.unwrap();
            if t.videos.len() == 2 && t.videos[1].state == JobState::Downloaded {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the revision is downloaded");
    let second = studio.job(&thread.videos[1].job_id).unwrap();

    for (job, asked) in [(&first, 3.0), (&second, 2.0)] {
        let recorded = job.outputs.video_duration_ms.expect("length recorded") as f64 / 1000.0;
        let file = ffprobe_seconds(job.outputs.video.as_ref().expect("video"));
        assert!(
            (recorded - file).abs() < 0.02,
            "recorded {recorded} s, file {file} s"
        );
        assert!(
            (recorded - asked).abs() < 0.1,
            "asked {asked} s, got {recorded}"
        );
    }
}
