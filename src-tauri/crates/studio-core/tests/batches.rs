//! Batches in the engine against a real local agent: the cost guard pauses a batch (never
//! fails it) at its video ceiling and when the account has no credit (402), a resume goes on
//! from there, and every row ends with exactly one session at the agent.

mod common;

use std::time::Duration;

use common::Env;
use serde_json::json;
use studio_core::batch::{pause_reason, BatchOptions, BatchState, CostGuard};

fn prompt(i: usize) -> String {
    format!("A 2-second video about guarded row {i}.")
}

async fn wait(studio: &studio_core::Studio, id: &str) -> studio_core::batch::BatchStatus {
    tokio::time::timeout(Duration::from_secs(180), studio.wait_batch(id))
        .await
        .expect("the batch stops running within 3 minutes")
        .expect("status readable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ceiling_and_insufficient_credit_pause_and_resume_finishes_once_per_row() {
    let env = Env::start().await;
    let csv = env.dir.path().join("guarded.csv");
    let mut text = String::from("prompt,output_name\n");
    for i in 0..4 {
        text.push_str(&format!("\"{}\",guarded-{i}\n", prompt(i)));
    }
    std::fs::write(&csv, text).unwrap();
    let studio = env.studio().await;

    let preview = studio.import_batch(&csv, None).await.unwrap();
    assert!(preview.problems().is_empty(), "{:?}", preview.problems());
    assert_eq!(preview.ready, 4);
    let batch = studio
        .start_batch(
            &preview.draft_id,
            BatchOptions {
                concurrency: 2,
                guard: CostGuard {
                    max_videos: Some(2),
                    min_balance: None,
                },
                output_dir: None,
            },
        )
        .await
        .unwrap();

    // The ceiling: two videos sent, then the batch pauses.
    let status = wait(&studio, &batch.id).await;
    assert_eq!(status.batch.state, BatchState::Paused);
    assert_eq!(
        status.batch.pause_reason.as_deref(),
        Some(pause_reason::CEILING)
    );
    assert_eq!(status.counts.creates_sent, 2);
    assert_eq!(status.counts.pending, 2);

    // No credit left: the next create answers 402 and the batch pauses again, the row intact.
    for row in studio.batch_rows(&batch.id).unwrap() {
        if let Some(job) = row.job {
            studio.wait_for(&job.id).await.unwrap();
        }
    }
    env.admin_post("/__admin/account", json!({"remaining_balance": 0.0}))
        .await;
    studio
        .set_batch_guard(&batch.id, &CostGuard::default())
        .unwrap();
    studio.resume_batch(&batch.id).unwrap();
    let status = wait(&studio, &batch.id).await;
    assert_eq!(status.batch.state, BatchState::Paused);
    assert_eq!(
        status.batch.pause_reason.as_deref(),
        Some(pause_reason::CREDIT)
    );
    assert_eq!(status.counts.pending, 2, "the refused row is pending again");
    assert_eq!(status.counts.failed, 0, "a 402 does not fail the row");

    // Credit back: resume finishes the batch.
    env.admin_post("/__admin/account", json!({"remaining_balance": 3600.0}))
        .await;
    studio.resume_batch(&batch.id).unwrap();
    let status = wait(&studio, &batch.id).await;
    assert_eq!(status.batch.state, BatchState::Completed, "{status:?}");
    assert_eq!(status.counts.downloaded, 4, "{status:?}");
    for i in 0..4 {
        assert_eq!(env.sessions_for(&prompt(i)).await, 1, "row {i}");
    }
    let results = studio.export_batch_results(&batch.id).unwrap();
    assert_eq!(results.lines().count(), 5, "{results}");
    assert!(
        results.lines().skip(1).all(|l| l.contains(",downloaded,")),
        "{results}"
    );
    studio.shutdown().await;
    env.agent.shutdown().await;
}

/// Files are named by `output_name` (else the title), sanitised, and numbered when the name is
/// taken — by a file that was there before or by a row finishing at the same moment — so no
/// file ever overwrites another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_sharing_a_name_get_numbered_files_and_nothing_is_overwritten() {
    let env = Env::start().await;
    let out = env.dir.path().join("named");
    std::fs::create_dir_all(&out).unwrap();
    // Someone's file already has the first name.
    std::fs::write(out.join("Lesson- One.mp4"), b"not ours").unwrap();
    let csv = env.dir.path().join("named.csv");
    let mut text = String::from("prompt,title,output_name\n");
    for i in 0..3 {
        text.push_str(&format!("\"{}\",Row {i},Lesson: One\n", prompt(10 + i)));
    }
    text.push_str(&format!("\"{}\",Intro / part 1,\n", prompt(13)));
    std::fs::write(&csv, text).unwrap();
    let studio = env.studio().await;

    let preview = studio.import_batch(&csv, None).await.unwrap();
    assert!(preview.problems().is_empty(), "{:?}", preview.problems());
    let batch = studio
        .start_batch(
            &preview.draft_id,
            BatchOptions {
                concurrency: 4,
                guard: CostGuard::default(),
                output_dir: Some(out.clone()),
            },
        )
        .await
        .unwrap();
    let status = wait(&studio, &batch.id).await;
    assert_eq!(status.counts.downloaded, 4, "{status:?}");

    let dir = std::fs::canonicalize(&out).unwrap();
    let mut videos: Vec<String> = studio
        .batch_rows(&batch.id)
        .unwrap()
        .into_iter()
        .map(|r| {
            let job = r.job.expect("every row has a job");
            let video = job.outputs.video.expect("downloaded");
            assert_eq!(video.parent(), Some(dir.as_path()));
            if let Some(thumb) = &job.outputs.thumbnail {
                // The thumbnail follows the video's (possibly numbered) name.
                let stem = video.file_stem().unwrap().to_string_lossy().into_owned();
                assert_eq!(
                    thumb.file_name().unwrap().to_string_lossy(),
                    format!("{stem}-thumbnail.jpg")
                );
            }
            video.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    videos.sort();
    assert_eq!(
        videos,
        [
            "Intro - part 1.mp4",
            "Lesson- One (2).mp4",
            "Lesson- One (3).mp4",
            "Lesson- One (4).mp4"
        ]
    );
    assert_eq!(
        std::fs::read(dir.join("Lesson- One.mp4")).unwrap(),
        b"not ours",
        "the file that was there is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    studio.shutdown().await;
    env.agent.shutdown().await;
}
