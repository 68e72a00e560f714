//! 200 live jobs being tracked by the real engine process (`vas watch`, product settings: HeyGen's
//! poll cadence and the 1 request/s budget): requests per second seen by the server and CPU used
//! by the engine, over a steady-state window.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::process::Command;

use crate::agent::Admin;
use crate::error::{QaError, QaResult};
use crate::procfs;

#[derive(Debug)]
pub struct TrackingReport {
    pub jobs: usize,
    pub live_at_end: usize,
    pub window_seconds: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    /// Share of one core used by the engine process over the window (0.02 = 2 %).
    pub cpu_share: f64,
    /// The first seconds after start (the startup sweep) for context.
    pub warmup_requests: u64,
    pub warmup_seconds: f64,
}

fn vas(vas_bin: &Path, base_url: &str, data_dir: &Path) -> Command {
    let mut c = Command::new(vas_bin);
    c.env("HEYGEN_BASE_URL", base_url)
        .env("HEYGEN_API_KEY", "qa-tracking")
        .env("VAS_DATA_DIR", data_dir)
        .env("VAS_LOG", "warn")
        .stdin(Stdio::null());
    c
}

/// Submits `jobs` jobs (sessions held in `thinking` by the agent), then runs `vas watch` and
/// measures over `window` after `warmup`.
pub async fn tracking_bench(
    admin: &Admin,
    base_url: &str,
    vas_bin: &Path,
    work: &Path,
    jobs: usize,
    warmup: Duration,
    window: Duration,
) -> QaResult<TrackingReport> {
    let data_dir = work.join("tracking-data");
    std::fs::create_dir_all(&data_dir).map_err(|e| QaError::io("data dir", e))?;
    admin.set_max_active_jobs(jobs as u32 + 10).await?;
    admin.set_faults(json!({"stuck_thinking": true})).await?;
    // One `vas generate` at a time, as a user would; the submission phase is not what is measured.
    for i in 0..jobs {
        let prompt = format!("A 10-second video about tracked job {i}");
        let out = vas(vas_bin, base_url, &data_dir)
            .args(["generate", &prompt])
            .output()
            .await
            .map_err(|e| QaError::io("vas generate", e))?;
        if !out.status.success() {
            return Err(QaError::Protocol(format!(
                "vas generate failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
    }
    let mut watch = vas(vas_bin, base_url, &data_dir)
        .arg("watch")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| QaError::io("vas watch", e))?;
    let pid = watch
        .id()
        .ok_or_else(|| QaError::Protocol("vas watch exited".into()))?;
    let r0 = admin.total_requests().await?;
    tokio::time::sleep(warmup).await;
    let r1 = admin.total_requests().await?;
    let cpu1 = procfs::cpu_time(pid).unwrap_or_default();
    let t1 = Instant::now();
    tokio::time::sleep(window).await;
    let r2 = admin.total_requests().await?;
    let cpu2 = procfs::cpu_time(pid).unwrap_or_default();
    let elapsed = t1.elapsed().as_secs_f64();
    let _ = watch.kill().await;
    admin.clear_faults().await?;
    let store = studio_core::store::Store::open(&data_dir.join("studio.db"))?;
    let live_at_end = store.live_jobs()?.len();
    // `total_requests` itself is not an API request (admin routes are not counted), so the
    // deltas are the engine's requests alone.
    Ok(TrackingReport {
        jobs,
        live_at_end,
        window_seconds: elapsed,
        requests: r2 - r1,
        requests_per_second: (r2 - r1) as f64 / elapsed,
        cpu_share: (cpu2.saturating_sub(cpu1)).as_secs_f64() / elapsed,
        warmup_requests: r1 - r0,
        warmup_seconds: warmup.as_secs_f64(),
    })
}
