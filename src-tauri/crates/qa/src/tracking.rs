//! Live jobs being tracked by the real engine process (`vas watch`, product settings: HeyGen's
//! poll cadence and the 1 request/s budget): requests per second seen by the server and CPU used
//! by the engine over a steady-state window, then how long the newest job's completion takes to
//! reach the engine's store while all the others stay live.

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
    /// Seconds from the server finishing the newest job's video to the engine's store saying
    /// so (`None`: not seen within [`NEWEST_TIMEOUT`]).
    pub newest_seen_after: Option<f64>,
}

/// The newest job's cadence at its age (HeyGen's first 2 minutes): its completion should be
/// seen within this.
pub const NEWEST_TARGET: Duration = Duration::from_secs(10);
const NEWEST_TIMEOUT: Duration = Duration::from_secs(180);

/// `BENCH_TRACK_LOG=<file>`: `vas watch`'s debug log (each request, each list page) goes there,
/// and the newest job's steps are printed with wall-clock times to match it against.
fn trace_log() -> Option<std::path::PathBuf> {
    std::env::var_os("BENCH_TRACK_LOG").map(Into::into)
}

fn trace_step(what: &str) {
    if trace_log().is_some() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        eprintln!("tracking trace {:.3} {what}", now.as_secs_f64());
    }
}

fn vas(vas_bin: &Path, base_url: &str, data_dir: &Path) -> Command {
    let mut c = Command::new(vas_bin);
    c.env("HEYGEN_BASE_URL", base_url)
        .env("HEYGEN_API_KEY", "qa-tracking")
        .env("VAS_DATA_DIR", data_dir)
        .env(
            "VAS_LOG",
            if trace_log().is_some() {
                "warn,studio_core=debug,heygen_api=debug"
            } else {
                "warn"
            },
        )
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
        vas_generate(vas_bin, base_url, &data_dir, &prompt).await?;
    }
    let mut watch = vas(vas_bin, base_url, &data_dir)
        .arg("watch")
        .stdout(Stdio::null())
        .stderr(match trace_log() {
            Some(path) => std::fs::File::create(&path)
                .map_err(|e| QaError::io("BENCH_TRACK_LOG", e))?
                .into(),
            None => Stdio::null(),
        })
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
    let newest_seen_after = newest_completion(admin, base_url, vas_bin, &data_dir).await?;
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
        newest_seen_after,
    })
}

/// One `vas generate` of `prompt` (it returns once the job is submitted).
async fn vas_generate(
    vas_bin: &Path,
    base_url: &str,
    data_dir: &Path,
    prompt: &str,
) -> QaResult<()> {
    let out = vas(vas_bin, base_url, data_dir)
        .args(["generate", prompt])
        .output()
        .await
        .map_err(|e| QaError::io("vas generate", e))?;
    if out.status.success() {
        return Ok(());
    }
    Err(QaError::Protocol(format!(
        "vas generate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    )))
}

/// Submits one more job while `vas watch` follows the held ones, lets the agent finish only
/// that one, and times the gap between the server's completion and the engine's store.
async fn newest_completion(
    admin: &Admin,
    base_url: &str,
    vas_bin: &Path,
    data_dir: &Path,
) -> QaResult<Option<f64>> {
    let prompt = "A 10-second video about the newest tracked job";
    trace_step("newest job: vas generate");
    vas_generate(vas_bin, base_url, data_dir, prompt).await?;
    trace_step("newest job: submitted");
    let session_of = |sessions: &[serde_json::Value]| {
        sessions
            .iter()
            .rev()
            .find(|s| s["prompt"] == prompt)
            .cloned()
    };
    let session = session_of(&admin.sessions().await?)
        .ok_or_else(|| QaError::Protocol("the newest job's session is not on the server".into()))?;
    let session_id = session["session_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    admin
        .set_faults(json!({"stuck_thinking": true, "stuck_thinking_except": [session_id]}))
        .await?;
    trace_step(&format!("newest job: session {session_id} let go"));
    let store = studio_core::store::Store::open(&data_dir.join("studio.db"))?;
    let job_id = store
        .live_jobs()?
        .into_iter()
        .find(|j| j.request.prompt == prompt)
        .map(|j| j.id)
        .ok_or_else(|| QaError::Protocol("the newest job is not in the engine's store".into()))?;
    let started = Instant::now();
    let mut server_done = None;
    while started.elapsed() < NEWEST_TIMEOUT {
        if server_done.is_none() {
            let s = session_of(&admin.sessions().await?);
            if s.is_some_and(|s| s["status"] == "completed") {
                server_done = Some(Instant::now());
                trace_step("newest job: the server says completed");
            }
        }
        use studio_core::JobState as S;
        match store.job(&job_id)?.state {
            // Seen no later than the server said so (the poll above may lag: then 0).
            S::Completed | S::Downloading | S::Downloaded => {
                trace_step("newest job: the store says completed");
                return Ok(Some(server_done.map_or(0.0, |t| t.elapsed().as_secs_f64())));
            }
            S::Failed | S::Stopped | S::Cancelled => {
                return Err(QaError::Protocol("the newest job did not complete".into()))
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(None)
}
