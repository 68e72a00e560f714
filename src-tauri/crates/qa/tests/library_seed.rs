//! The library seeder writes real jobs the engine reads back through its own API: varied
//! terminal states, newest first, and real thumbnail/video files inside the library folder.

use std::collections::HashSet;

use qa::library_seed::{seed_library, SeedConfig};
use studio_core::{JobState, Studio, StudioConfig};

#[tokio::test]
async fn seeded_jobs_are_read_back_by_the_engine() {
    // Not tempfile's default `.tmpXXXX`: a library inside a hidden folder is refused.
    let tmp = tempfile::Builder::new()
        .prefix("vas-seed")
        .tempdir()
        .unwrap();
    let data_dir = tmp.path().join("data");
    let cfg = SeedConfig {
        data_dir: data_dir.clone(),
        jobs: 300,
        seed: 3,
        library_dir: None,
    };
    let report = seed_library(&cfg).await.unwrap();
    assert_eq!(report.jobs, 300);
    assert_eq!(report.total_jobs_in_db, 300);
    assert!(report.by_state.len() >= 4, "{:?}", report.by_state);

    let studio = Studio::open(StudioConfig {
        data_dir: Some(data_dir.clone()),
        offline: Some(false),
        ..StudioConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(
        studio.settings().effective_library_dir(),
        report.library_dir
    );
    let (page, total) = studio.jobs_page(0, 500).unwrap();
    assert_eq!((page.len(), total), (300, 300));
    assert!(
        page.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    let titles: HashSet<_> = page.iter().filter_map(|j| j.title.clone()).collect();
    assert!(titles.len() > 250, "titles repeat: {}", titles.len());
    let mut thumbnails = HashSet::new();
    for job in &page {
        // Nothing the app would take up at start-up: a draft is sent, a live job polled.
        assert!(job.state.is_terminal(), "{} is {:?}", job.id, job.state);
        if job.state == JobState::Downloaded {
            let (thumb, video) = (
                job.outputs.thumbnail.clone().unwrap(),
                job.outputs.video.clone().unwrap(),
            );
            assert!(
                thumb.starts_with(&report.library_dir),
                "{}",
                thumb.display()
            );
            assert_eq!(&std::fs::read(&thumb).unwrap()[1..4], b"PNG");
            assert!(std::fs::metadata(&video).unwrap().len() > 1_000);
            thumbnails.insert(thumb);
        }
        if job.state == JobState::Failed {
            assert!(job.failure_code.is_some() && job.failure_message.is_some());
        }
    }
    assert_eq!(
        thumbnails.len(),
        report.by_state["downloaded"],
        "each downloaded job has its own thumbnail path"
    );
    studio.shutdown().await;
}
