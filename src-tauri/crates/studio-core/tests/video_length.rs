//! A downloaded job records the video's length from the API's `duration`, and that length is
//! the real file's (ffprobe) and the one the prompt asked for — not the time the job took.

mod common;

use common::*;
use studio_core::JobState;

fn ffprobe_seconds(path: &std::path::Path) -> f64 {
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("ffprobe prints a duration")
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
