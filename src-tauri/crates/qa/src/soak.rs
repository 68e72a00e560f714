//! The fault soak: N jobs through the local agent with about 20 % of requests faulted (429
//! storms, 5xx, resets mid-body, truncated JSON, creates processed and then answered by a
//! dropped connection, expiring URLs) while the engine process is SIGKILLed and restarted at
//! random points. The agent does not honour `Idempotency-Key` on creates (as HeyGen documents
//! it), so one session per job holds only if the engine reconciles lost creates instead of
//! re-sending them. The verdict compares the engine's database and library folder with the
//! server's own records, sessions included.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::process::{Child, Command};

use crate::agent::Admin;
use crate::error::{QaError, QaResult};

#[derive(Debug, Clone)]
pub struct SoakConfig {
    pub jobs: usize,
    pub kills: usize,
    /// The `qa-engine` binary.
    pub engine_bin: PathBuf,
    pub base_url: String,
    pub api_key: String,
    /// Holds the engine's data dir, library, plan and logs.
    pub work: PathBuf,
    pub seed: u64,
    /// Length asked for in each prompt (the agent's minimum is 2 s).
    pub video_seconds: u32,
    /// Give up after this long.
    pub timeout: Duration,
}

#[derive(Debug, Default)]
pub struct SoakReport {
    pub jobs_planned: usize,
    pub jobs_submitted: usize,
    pub creates_seen: u64,
    pub videos_on_disk: usize,
    pub sha256_matches: usize,
    pub jobs_lost: usize,
    pub duplicate_jobs: usize,
    /// Sessions on the server beyond one per planned prompt (each a second billed video).
    pub duplicate_sessions: usize,
    pub kills: usize,
    pub engine_runs: usize,
    pub total_requests: u64,
    /// Evidence from the engine's log that the faults bit: steps that failed and were retried,
    /// downloads resumed after a cut, expired links refreshed, creates re-sent with their key.
    pub retried_steps: usize,
    pub resumed_downloads: usize,
    pub refreshed_links: usize,
    pub resent_creates: usize,
    /// Creates whose answer was lost but whose session the engine found and adopted.
    pub adopted_creates: usize,
    pub seconds: f64,
    /// Jobs that did not end downloaded and matching: `id state code message`.
    pub problems: Vec<String>,
}

impl SoakReport {
    /// The soak's invariants; `Err` lists every one that does not hold.
    pub fn check(&self) -> Result<(), String> {
        let mut bad = Vec::new();
        let n = self.jobs_planned;
        if self.jobs_submitted != n {
            bad.push(format!(
                "jobs in the engine's database {} ≠ {n}",
                self.jobs_submitted
            ));
        }
        if self.creates_seen != n as u64 {
            bad.push(format!(
                "creates seen by the server {} ≠ {n}",
                self.creates_seen
            ));
        }
        if self.videos_on_disk != n {
            bad.push(format!("videos on disk {} ≠ {n}", self.videos_on_disk));
        }
        if self.sha256_matches != n {
            bad.push(format!("sha256 matches {} ≠ {n}", self.sha256_matches));
        }
        if self.jobs_lost != 0 || self.duplicate_jobs != 0 {
            bad.push(format!(
                "lost {} / duplicated {}",
                self.jobs_lost, self.duplicate_jobs
            ));
        }
        if self.duplicate_sessions != 0 {
            bad.push(format!(
                "{} duplicate sessions on the server",
                self.duplicate_sessions
            ));
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(format!("{}; problems: {:?}", bad.join("; "), self.problems))
        }
    }
}

/// The fault mix: the first matching rule that fires applies, so the rates add up per route to
/// roughly 20 % of API requests and of CDN downloads (creates: about a quarter, a third of them
/// processed before the connection drops). Expired links come two ways: a 403 from
/// the CDN (what an expired presigned URL answers) and signed URLs that really expire after 4 s.
pub fn fault_mix(seed: u64) -> Value {
    json!({
        "seed": seed,
        "url_ttl_seconds": 4,
        "rules": [
            {"route": "POST /v3/video-agents", "kind": "process_then_drop", "rate": 0.08},
            {"route": "POST /v3/video-agents", "kind": "status", "status": 503, "rate": 0.08},
            {"route": "POST /v3/video-agents", "kind": "truncated_json", "rate": 0.06},
            {"route": "POST /v3/video-agents", "kind": "reset", "rate": 0.06},
            {"route": "GET /v3/video-agents/*", "kind": "status", "status": 429, "retry_after_seconds": 1, "rate": 0.08},
            {"route": "GET /v3/video-agents/*", "kind": "status", "status": 500, "envelope": false, "rate": 0.05},
            {"route": "GET /v3/video-agents/*", "kind": "truncated_json", "rate": 0.04},
            {"route": "GET /v3/video-agents/*", "kind": "html_gateway", "rate": 0.03},
            {"route": "GET /v3/videos/*", "kind": "status", "status": 429, "retry_after_seconds": 1, "retry_after_format": "http_date", "rate": 0.08},
            {"route": "GET /v3/videos/*", "kind": "status", "status": 502, "rate": 0.05},
            {"route": "GET /v3/videos/*", "kind": "truncated_json", "rate": 0.04},
            {"route": "GET /v3/videos/*", "kind": "reset", "rate": 0.03},
            {"route": "GET /cdn/v/*", "kind": "reset", "rate": 0.12},
            {"route": "GET /cdn/v/*", "kind": "status", "status": 403, "rate": 0.06},
            {"route": "GET /cdn/v/*", "kind": "status", "status": 503, "rate": 0.04}
        ]
    })
}

fn prompts(n: usize, seconds: u32) -> Vec<String> {
    const TOPICS: [&str; 8] = [
        "honey bees",
        "tide pools",
        "paper airplanes",
        "sourdough",
        "night trains",
        "glaciers",
        "chess openings",
        "city gardens",
    ];
    (0..n)
        .map(|i| {
            format!(
                "A {seconds}-second video about {} (soak job {i}).",
                TOPICS[i % TOPICS.len()]
            )
        })
        .collect()
}

struct Layout {
    data: PathBuf,
    library: PathBuf,
    plan: PathBuf,
    log: PathBuf,
}

impl Layout {
    fn new(work: &Path) -> Self {
        Self {
            data: work.join("engine-data"),
            library: work.join("library"),
            plan: work.join("plan.json"),
            log: work.join("engine.log"),
        }
    }
}

fn spawn_engine(cfg: &SoakConfig, l: &Layout) -> QaResult<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&l.log)
        .map_err(|e| QaError::io("opening the engine log", e))?;
    let log2 = log.try_clone().map_err(|e| QaError::io("engine log", e))?;
    Command::new(&cfg.engine_bin)
        .arg("--data-dir")
        .arg(&l.data)
        .arg("--library")
        .arg(&l.library)
        .arg("--plan")
        .arg(&l.plan)
        .args(["--base-url", &cfg.base_url])
        .env("HEYGEN_API_KEY", &cfg.api_key)
        .env("VAS_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| QaError::io(format!("starting {}", cfg.engine_bin.display()), e))
}

/// Finished videos in the library (final names only; `.part` files do not count).
fn videos_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.ends_with(".mp4") && !name.ends_with("-captioned.mp4")
                })
                .count()
        })
        .unwrap_or(0)
}

fn sha256_of(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(hex::encode(h.finalize()))
}

/// When to kill: the first during submission (after a random share of the creates), the others
/// after random shares of the videos have landed; each with a random extra delay so kills fall
/// at arbitrary points of polling, rendering waits and downloads.
fn kill_points(cfg: &SoakConfig, rng: &mut rand::rngs::StdRng) -> Vec<(bool, usize, Duration)> {
    let n = cfg.jobs.max(1);
    let mut points = Vec::new();
    if cfg.kills > 0 {
        let at = rng.gen_range((n / 10).max(1)..=(n * 6 / 10).max(1));
        points.push((true, at, Duration::from_millis(rng.gen_range(0..300))));
    }
    let mut later: Vec<usize> = (1..cfg.kills)
        .map(|_| rng.gen_range((n / 20).max(1)..=(n * 9 / 10).max(1)))
        .collect();
    later.sort_unstable();
    points.extend(
        later
            .into_iter()
            .map(|v| (false, v, Duration::from_millis(rng.gen_range(0..800)))),
    );
    points
}

pub async fn run_soak(admin: &Admin, cfg: &SoakConfig) -> QaResult<SoakReport> {
    let started = Instant::now();
    let l = Layout::new(&cfg.work);
    std::fs::create_dir_all(&l.library).map_err(|e| QaError::io("library", e))?;
    let plan = prompts(cfg.jobs, cfg.video_seconds);
    std::fs::write(
        &l.plan,
        serde_json::to_vec(&plan).expect("prompts serialize"),
    )
    .map_err(|e| QaError::io("writing the plan", e))?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
    let creates_before = admin.stats().await?["creates"].as_u64().unwrap_or(0);
    let requests_before = admin.total_requests().await?;
    admin.set_max_active_jobs(cfg.jobs.max(10) as u32).await?;
    // HeyGen mode: a repeated create with the same key makes a second session.
    admin
        .set_behaviour(json!({"honour_create_idempotency": false}))
        .await?;
    admin.set_faults(fault_mix(cfg.seed)).await?;

    let mut report = SoakReport {
        jobs_planned: cfg.jobs,
        ..Default::default()
    };
    let mut engine = spawn_engine(cfg, &l)?;
    report.engine_runs = 1;
    let mut pending_kills = kill_points(cfg, &mut rng).into_iter();
    let mut next_kill = pending_kills.next();
    let deadline = started + cfg.timeout;
    loop {
        if Instant::now() > deadline {
            let _ = engine.kill().await;
            return Err(QaError::Protocol(format!(
                "soak timed out after {:?} with {} of {} videos",
                cfg.timeout,
                videos_in(&l.library),
                cfg.jobs
            )));
        }
        if let Some(status) = engine.try_wait().map_err(|e| QaError::io("engine", e))? {
            if status.success() {
                break;
            }
            // An engine that dies on its own is restarted too (and shows up in the log).
            tracing::warn!(?status, "engine exited abnormally; restarting");
            engine = spawn_engine(cfg, &l)?;
            report.engine_runs += 1;
            continue;
        }
        if let Some((during_submit, at, delay)) = next_kill {
            let reached = if during_submit {
                admin.stats().await?["creates"].as_u64().unwrap_or(0) - creates_before >= at as u64
            } else {
                videos_in(&l.library) >= at
            };
            if reached {
                tokio::time::sleep(delay).await;
                if engine
                    .try_wait()
                    .map_err(|e| QaError::io("engine", e))?
                    .is_none()
                {
                    engine.start_kill().map_err(|e| QaError::io("SIGKILL", e))?;
                    let _ = engine.wait().await;
                    report.kills += 1;
                    engine = spawn_engine(cfg, &l)?;
                    report.engine_runs += 1;
                }
                next_kill = pending_kills.next();
                continue;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    admin.clear_faults().await?;
    report.seconds = started.elapsed().as_secs_f64();
    let stats = admin.stats().await?;
    report.creates_seen = stats["creates"].as_u64().unwrap_or(0) - creates_before;
    report.total_requests = admin.total_requests().await? - requests_before;
    verify(admin, &l, &plan, &mut report).await?;
    let log = std::fs::read_to_string(&l.log).unwrap_or_default();
    let count = |needle: &str| log.lines().filter(|line| line.contains(needle)).count();
    report.retried_steps = count("will retry");
    report.resumed_downloads = count("download interrupted");
    report.refreshed_links = count("download link expired");
    report.resent_creates = count("create not confirmed");
    report.adopted_creates = count("create adopted");
    Ok(report)
}

/// Compares the engine's database and files with the plan and the server's records.
async fn verify(
    admin: &Admin,
    l: &Layout,
    plan: &[String],
    report: &mut SoakReport,
) -> QaResult<()> {
    let store = studio_core::store::Store::open(&l.data.join("studio.db"))?;
    let jobs = store.list_jobs()?;
    report.jobs_submitted = jobs.len();
    let mut per_prompt: HashMap<&str, usize> = HashMap::new();
    for j in &jobs {
        *per_prompt.entry(j.request.prompt.as_str()).or_default() += 1;
    }
    report.duplicate_jobs = per_prompt.values().map(|c| c.saturating_sub(1)).sum();
    let planned: HashSet<&str> = plan.iter().map(String::as_str).collect();
    let missing = planned
        .iter()
        .filter(|p| !per_prompt.contains_key(*p))
        .count();
    let mut good = 0usize;
    for j in &jobs {
        let on_disk = j.outputs.video.as_ref().filter(|p| p.is_file());
        if on_disk.is_some() {
            report.videos_on_disk += 1;
        }
        let server_sha = match &j.video_id {
            Some(v) => admin
                .video_files(v)
                .await
                .ok()
                .and_then(|f| f["files"]["video"]["sha256"].as_str().map(str::to_string)),
            None => None,
        };
        let local_sha = on_disk.and_then(|p| sha256_of(p));
        if local_sha.is_some() && local_sha == server_sha {
            report.sha256_matches += 1;
            if j.state == studio_core::JobState::Downloaded {
                good += 1;
                continue;
            }
        }
        report.problems.push(format!(
            "{} {} {} {}",
            j.id,
            j.state,
            j.failure_code.as_deref().unwrap_or("-"),
            j.failure_message.as_deref().unwrap_or("-")
        ));
    }
    report.jobs_lost = missing + (plan.len().saturating_sub(missing)).saturating_sub(good);
    let mut sessions_per_prompt: HashMap<String, usize> = HashMap::new();
    for s in admin.sessions().await? {
        if let Some(prompt) = s["prompt"].as_str() {
            if planned.contains(prompt) {
                *sessions_per_prompt.entry(prompt.to_string()).or_default() += 1;
            }
        }
    }
    report.duplicate_sessions = sessions_per_prompt
        .values()
        .map(|c| c.saturating_sub(1))
        .sum();
    Ok(())
}
