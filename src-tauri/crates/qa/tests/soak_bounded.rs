//! The bounded soak CI runs (issue 7 item 2): 12 short jobs through a local agent with about
//! 20 % of requests faulted while the engine process is SIGKILLed twice at random points and
//! restarted. Same invariants as the full `.ci/bench soak` (200 jobs, 5 kills): every job
//! submitted once, one create per job on the server, every video on disk and byte-identical to
//! the server's file, none lost.

use std::time::Duration;

use qa::soak::{run_soak, SoakConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_12_jobs_2_kills() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
    cfg.time_scale = 6000.0;
    cfg.api_keys = vec!["qa-soak-key".into()];
    cfg.admin = true;
    let agent = local_agent::start(cfg).await.unwrap();
    let admin = qa::agent::Admin::new(&agent.base_url(), "qa-soak-key");
    let seed = std::env::var("QA_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let soak = SoakConfig {
        jobs: 12,
        kills: 2,
        engine_bin: env!("CARGO_BIN_EXE_qa-engine").into(),
        base_url: agent.base_url(),
        api_key: "qa-soak-key".into(),
        work: tmp.path().join("soak"),
        seed,
        video_seconds: 2,
        timeout: Duration::from_secs(300),
    };
    let report = run_soak(&admin, &soak).await.unwrap_or_else(|e| {
        let log = std::fs::read_to_string(soak.work.join("engine.log")).unwrap_or_default();
        let tail: String = log.lines().rev().take(40).collect::<Vec<_>>().join("\n");
        panic!("soak failed (seed {seed}): {e}\nlast engine log lines (newest first):\n{tail}")
    });
    eprintln!("soak (seed {seed}): {report:?}");
    assert_eq!(report.kills, 2, "both kills happened (seed {seed})");
    assert!(
        report.retried_steps + report.resumed_downloads + report.resent_creates > 0,
        "no fault reached the engine (seed {seed}): {report:?}"
    );
    if let Err(e) = report.check() {
        panic!("soak invariants (seed {seed}): {e}");
    }
    agent.shutdown().await;
}
