//! Benchmark drivers for `.ci/bench`. Each subcommand starts its own local agent process,
//! measures both sides in the same run, and prints one line per figure with its target.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use qa::agent::{Admin, AgentProcess};
use qa::{verdict, QaResult};

#[derive(Debug, Parser)]
#[command(name = "qa-bench", about = "Video Agent Studio benchmark drivers")]
struct Cli {
    /// The `local-agent` binary.
    #[arg(long, global = true, default_value = "local-agent")]
    agent_bin: PathBuf,
    /// Scratch folder (large files go here).
    #[arg(long, global = true)]
    work: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Download and direct upload vs curl.
    Transfer {
        #[arg(long, default_value_t = 2048)]
        download_mib: u64,
        /// 0 skips the upload (`.ci/bench quick`).
        #[arg(long, default_value_t = 1024)]
        upload_mib: u64,
        /// Download rounds (best of each side; the pairs' ratios are printed beside).
        #[arg(long, default_value_t = 2)]
        rounds: u32,
        /// Upload rounds: back-to-back pairs of ours and curl's, judged by the median of the
        /// pairs' ratios.
        #[arg(long, default_value_t = 5)]
        upload_pairs: u32,
        /// Also measure the upload with every core kept busy (as during a parallel build).
        #[arg(long)]
        under_load: bool,
    },
    /// Requests/s and CPU of `vas watch` following many live jobs, and how soon the newest
    /// job's completion is seen; once per count in `--jobs` (each with a fresh agent).
    Tracking {
        #[arg(long)]
        vas_bin: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "50,200,1000")]
        jobs: Vec<usize>,
        #[arg(long, default_value_t = 15)]
        warmup_secs: u64,
        #[arg(long, default_value_t = 60)]
        window_secs: u64,
    },
    /// Jobs through faults while the engine is killed and restarted.
    Soak {
        #[arg(long)]
        engine_bin: PathBuf,
        #[arg(long, default_value_t = 200)]
        jobs: usize,
        #[arg(long, default_value_t = 5)]
        kills: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 2)]
        video_seconds: u32,
        #[arg(long, default_value_t = 1500)]
        timeout_secs: u64,
    },
    /// Start-up to interactive UI and idle PSS: app vs baseline (run under Xvfb + D-Bus).
    Startup {
        #[arg(long)]
        app: PathBuf,
        #[arg(long)]
        baseline: PathBuf,
        /// Launches of each app timed for the start-up.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Of those, how many also idle and measure PSS (at most `runs`).
        #[arg(long, default_value_t = 5)]
        memory_runs: usize,
        #[arg(long, default_value_t = 5)]
        idle_secs: u64,
    },
}

async fn startup(
    app: &std::path::Path,
    baseline: &std::path::Path,
    runs: usize,
    memory_runs: usize,
    idle_secs: u64,
) -> QaResult<bool> {
    let memory_runs = memory_runs.min(runs);
    let (a, b) = qa::startup::compare(
        app,
        baseline,
        runs,
        memory_runs,
        Duration::from_secs(idle_secs),
    )
    .await?;
    let med = |v: &[qa::startup::Launch], f: fn(&qa::startup::Launch) -> f64| {
        qa::startup::median(v.iter().map(f).collect())
    };
    let (sa, sb) = (
        med(&a, |l| l.startup_seconds),
        med(&b, |l| l.startup_seconds),
    );
    let pss = |v: &[qa::startup::Launch]| {
        qa::startup::median(
            v.iter()
                .filter_map(|l| l.idle_pss_bytes.map(|b| b as f64 / MIB))
                .collect(),
        )
    };
    let (pa, pb) = (pss(&a), pss(&b));
    let all = |v: &[qa::startup::Launch]| {
        v.iter()
            .map(|l| format!("{:.3}", l.startup_seconds))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "start-up to interactive UI (median of {runs}): app {sa:.3} s [{}], hello-world {sb:.3} s [{}], ratio {:.2}x (target <= 1.2x) {}",
        all(&a), all(&b), sa / sb, verdict(sa / sb <= 1.2)
    );
    println!(
        "idle PSS after {idle_secs} s (median of {memory_runs}): app {pa:.0} MiB, hello-world {pb:.0} MiB, ratio {:.2}x (target <= 1.15x) {}",
        pa / pb, verdict(pa / pb <= 1.15)
    );
    let first_paint = |v: &[qa::startup::Launch]| {
        qa::startup::median(v.iter().filter_map(|l| l.phases.first_paint).collect())
    };
    let (fa, fb) = (first_paint(&a), first_paint(&b));
    println!(
        "  first paint of the mounted UI (median): app {fa:.3} s, hello-world {fb:.3} s, ratio {:.2}x",
        fa / fb
    );
    println!(
        "  where the time goes (medians, s after the request): app {}; hello-world {}",
        phases(&a),
        phases(&b)
    );
    let measured =
        |v: &[qa::startup::Launch]| v.iter().rfind(|l| l.idle_pss_bytes.is_some()).cloned();
    if let (Some(la), Some(lb)) = (measured(&a), measured(&b)) {
        println!("  app processes: {}", la.processes.join(" "));
        println!("  hello-world processes: {}", lb.processes.join(" "));
    }
    Ok(sa / sb <= 1.2 && pa / pb <= 1.15)
}

const MIB: f64 = 1024.0 * 1024.0;

/// Median phase points of some launches: process started, navigation began, DOM ready, first
/// paint, loaded.
fn phases(launches: &[qa::startup::Launch]) -> String {
    let median_of = |f: fn(&qa::startup::Phases) -> Option<f64>| {
        let v: Vec<f64> = launches.iter().filter_map(|l| f(&l.phases)).collect();
        if v.is_empty() {
            "?".to_string()
        } else {
            format!("{:.3}", qa::startup::median(v))
        }
    };
    format!(
        "process started {}, navigation {}, DOMContentLoaded {}, first paint {}, load {}",
        median_of(|p| p.exec),
        median_of(|p| p.navigation),
        median_of(|p| p.dom_ready),
        median_of(|p| p.first_paint),
        median_of(|p| p.loaded)
    )
}

/// Download vs curl, peak memory, and a resume after a reset; true when every figure is on target.
async fn bench_download(
    admin: &Admin,
    base_url: &str,
    download_mib: u64,
    rounds: u32,
    work: &std::path::Path,
) -> QaResult<bool> {
    let d = qa::transfer::download_bench(admin, base_url, download_mib << 20, rounds, work).await?;
    // Judged best-of, as since it was set: by back-to-back pairs ours is slower here by its own
    // fsync's writeback (curl leaves its file to the kernel), which the pairs' line shows.
    let ratio = d.ours.mib_per_second() / d.curl.mib_per_second();
    println!(
        "download {download_mib} MiB: ours {:.2} s ({:.0} MiB/s), curl {:.2} s ({:.0} MiB/s), throughput ratio {ratio:.2}x, best of {rounds} each (target >= 0.9x) {}",
        d.ours.seconds, d.ours.mib_per_second(), d.curl.seconds, d.curl.mib_per_second(), verdict(ratio >= 0.9)
    );
    let pairs = qa::transfer::pair_ratios(&d.runs);
    println!(
        "  (diagnosis: back-to-back pairs [{}], median {:.2}x; {})",
        ratio_list(&pairs),
        qa::startup::median(pairs.clone()),
        runs_in_order(&d.runs)
    );
    let growth = d.rss_growth as f64 / MIB;
    println!(
        "  (diagnosis: ours fsyncs the file before it is placed, curl does not; curl then an fsync of its file: {:.2} s ({:.0} MiB/s), ours {:.2}x that)",
        d.curl_then_fsync.seconds,
        d.curl_then_fsync.mib_per_second(),
        d.ours.mib_per_second() / d.curl_then_fsync.mib_per_second()
    );
    println!(
        "download peak RSS growth: {growth:.1} MiB (target <= 32 MiB) {}",
        verdict(growth <= 32.0)
    );
    println!(
        "download after a connection reset at byte {}: bytes fetched twice {} (server read {} bytes past the file size: read-ahead dropped at the cut), file intact: {} (target 0) {}",
        d.cut_at, d.refetched_client, d.refetched_server, d.file_intact, verdict(d.refetched_client == 0 && d.file_intact)
    );
    Ok(ratio >= 0.9 && growth <= 32.0 && d.refetched_client == 0 && d.file_intact)
}

/// Direct upload vs curl (and again with every core busy); true when every figure is on target.
async fn bench_upload(
    base_url: &str,
    upload_mib: u64,
    pairs: u32,
    under_load: bool,
    work: &std::path::Path,
    agent_assets: &std::path::Path,
) -> QaResult<bool> {
    let u =
        qa::transfer::upload_bench(base_url, upload_mib << 20, pairs, work, agent_assets).await?;
    let uratio = print_paired(
        &format!("direct upload {upload_mib} MiB (PUT)"),
        &u.ours,
        &u.curl,
        &u.runs,
    );
    println!(
        "  (diagnosis: CPU of the fastest run, ours {:.2} s, curl {:.2} s)",
        u.ours_cpu, u.curl_cpu
    );
    let ugrowth = u.rss_growth as f64 / MIB;
    println!(
        "upload peak RSS growth: {ugrowth:.1} MiB (target <= 32 MiB) {}",
        verdict(ugrowth <= 32.0)
    );
    let mut loaded_ok = true;
    if under_load {
        let load = qa::load::CpuLoad::per_core();
        let l = qa::transfer::upload_bench(base_url, upload_mib << 20, pairs, work, agent_assets)
            .await?;
        let threads = load.threads();
        drop(load);
        let what = format!(
            "direct upload {upload_mib} MiB (PUT) under load ({threads} busy threads, one per core)"
        );
        loaded_ok = print_paired(&what, &l.ours, &l.curl, &l.runs) >= 0.9;
    }
    Ok(uratio >= 0.9 && ugrowth <= 32.0 && loaded_ok)
}

/// The upload's line: judged by the median of the back-to-back pairs' throughput ratios (this
/// VM's loopback PUT can move by 2x within a minute for both sides alike, and a ratio of two
/// best-ofs then went to whichever side caught the fast minute); best times beside it.
fn print_paired(
    what: &str,
    ours: &qa::transfer::Timing,
    curl: &qa::transfer::Timing,
    runs: &[qa::transfer::TimedRun],
) -> f64 {
    let ratios = qa::transfer::pair_ratios(runs);
    let ratio = qa::startup::median(ratios.clone());
    println!(
        "{what}: throughput ratio {ratio:.2}x, median of {} back-to-back pairs [{}] (target >= 0.9x) {}; best ours {:.2} s ({:.0} MiB/s), best curl {:.2} s ({:.0} MiB/s)",
        ratios.len(),
        ratio_list(&ratios),
        verdict(ratio >= 0.9),
        ours.seconds, ours.mib_per_second(), curl.seconds, curl.mib_per_second(),
    );
    println!("  ({})", runs_in_order(runs));
    ratio
}

/// Pairs' ratios as "0.99 0.95 …".
fn ratio_list(ratios: &[f64]) -> String {
    ratios
        .iter()
        .map(|r| format!("{r:.2}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every timed transfer in order, with the pages the kernel reclaimed during each.
fn runs_in_order(runs: &[qa::transfer::TimedRun]) -> String {
    let runs = runs
        .iter()
        .map(|(side, t, pages)| format!("{side} {t:.2} s/{pages}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("every run in order: {runs}; pages the kernel reclaimed during each")
}

async fn run(cli: Cli) -> QaResult<bool> {
    if let Cmd::Startup {
        app,
        baseline,
        runs,
        memory_runs,
        idle_secs,
    } = &cli.command
    {
        return startup(app, baseline, *runs, *memory_runs, *idle_secs).await;
    }
    let scratch = match &cli.work {
        Some(w) => {
            std::fs::create_dir_all(w).map_err(|e| qa::QaError::io("work dir", e))?;
            tempfile::tempdir_in(w)
        }
        None => tempfile::tempdir(),
    }
    .map_err(|e| qa::QaError::io("scratch dir", e))?;
    let work = scratch.path();
    let data = work.join("agent");
    let mut agent_args: Vec<&str> = match cli.command {
        Cmd::Soak { .. } => vec!["--time-scale", "6000"],
        _ => vec![],
    };
    let bench_args = qa::agent::bench_agent_args();
    agent_args.extend(bench_args.iter().copied());
    let agent = AgentProcess::spawn(&cli.agent_bin, &data, &agent_args).await?;
    let admin = Admin::new(&agent.base_url, qa::agent::BENCH_KEYS[0]);
    let ok = match cli.command {
        Cmd::Transfer {
            download_mib,
            upload_mib,
            rounds,
            upload_pairs,
            under_load,
        } => {
            let downloaded =
                bench_download(&admin, &agent.base_url, download_mib, rounds, work).await?;
            // `.ci/bench quick` measures the download only (the upload needs a 1 GiB file).
            let uploaded = if upload_mib == 0 {
                println!("direct upload: not measured in this run (--upload-mib 0)");
                true
            } else {
                bench_upload(
                    &agent.base_url,
                    upload_mib,
                    upload_pairs,
                    under_load,
                    work,
                    &data.join("assets"),
                )
                .await?
            };
            downloaded && uploaded
        }
        Cmd::Tracking {
            vas_bin,
            jobs,
            warmup_secs,
            window_secs,
        } => {
            let mut ok = true;
            for n in jobs {
                // A fresh agent per count: sessions held by the previous count would keep it
                // busy and lengthen its video list.
                let data = work.join(format!("agent-{n}"));
                let agent = AgentProcess::spawn(&cli.agent_bin, &data, &bench_args).await?;
                let admin = Admin::new(&agent.base_url, qa::agent::BENCH_KEYS[0]);
                let run_dir = work.join(format!("tracking-{n}"));
                let r = qa::tracking::tracking_bench(
                    &admin,
                    &agent.base_url,
                    &vas_bin,
                    &run_dir,
                    n,
                    Duration::from_secs(warmup_secs),
                    Duration::from_secs(window_secs),
                )
                .await?;
                agent.stop().await;
                ok &= print_tracking(&r);
            }
            ok
        }
        Cmd::Soak {
            engine_bin,
            jobs,
            kills,
            seed,
            video_seconds,
            timeout_secs,
        } => {
            let cfg = qa::soak::SoakConfig {
                jobs,
                kills,
                engine_bin,
                base_url: agent.base_url.clone(),
                api_key: "qa-soak-key".into(),
                work: work.join("soak"),
                seed,
                video_seconds,
                timeout: Duration::from_secs(timeout_secs),
            };
            let r = qa::soak::run_soak(&admin, &cfg).await?;
            println!(
                "soak: {} jobs planned, {} submitted, {} creates seen by the server, {} videos on disk, sha256 matches {}/{}, jobs lost {}, duplicates {}, duplicate sessions {}; engine SIGKILLed {} times ({} runs); {} API/CDN requests; {:.0} s",
                r.jobs_planned, r.jobs_submitted, r.creates_seen, r.videos_on_disk, r.sha256_matches, r.jobs_planned, r.jobs_lost, r.duplicate_jobs, r.duplicate_sessions, r.kills, r.engine_runs, r.total_requests, r.seconds
            );
            println!(
                "soak fault evidence (engine log): {} steps retried, {} downloads resumed after a cut, {} expired links refreshed, {} creates not confirmed (reconciled before any re-send), {} lost creates adopted",
                r.retried_steps, r.resumed_downloads, r.refreshed_links, r.resent_creates, r.adopted_creates
            );
            match r.check() {
                Ok(()) => {
                    println!("soak invariants: ok");
                    true
                }
                Err(e) => {
                    println!("soak invariants: MISS: {e}");
                    false
                }
            }
        }
        Cmd::Startup { .. } => unreachable!("handled above"),
    };
    agent.stop().await;
    Ok(ok)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(Cli::parse())) {
        // A missed target is reported in the output, not as a failure of the driver.
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Prints one tracking run's figures with their targets; whether all were met.
fn print_tracking(r: &qa::tracking::TrackingReport) -> bool {
    // Requests 1 s apart put 60 or 61 in a 60 s window, as one falls on each edge or not: the
    // window's count says more than 1 request/s only above that.
    let allowed = r.window_seconds.floor() as u64 + 1;
    let rate_ok = r.requests <= allowed;
    println!(
        "tracking {} live jobs ({} still live at the end): startup sweep {} requests in the first {:.0} s; then {} requests in {:.1} s = {:.2} req/s (target <= 1: at most {allowed} in the window, one on each edge) {}",
        r.jobs, r.live_at_end, r.warmup_requests, r.warmup_seconds, r.requests, r.window_seconds, r.requests_per_second, verdict(rate_ok)
    );
    let cpu_ok = r.cpu_share <= 0.02;
    println!(
        "tracking {} live jobs: CPU of vas watch {:.2}% of a core (target <= 2%) {}",
        r.jobs,
        r.cpu_share * 100.0,
        verdict(cpu_ok)
    );
    let target = qa::tracking::NEWEST_TARGET.as_secs_f64();
    let newest_ok = r.newest_seen_after.is_some_and(|s| s <= target);
    match r.newest_seen_after {
        Some(s) => println!(
            "tracking {} live jobs: the newest job's completion seen {s:.1} s after the server's (target <= {target:.0} s, its cadence) {}",
            r.jobs,
            verdict(newest_ok)
        ),
        None => println!(
            "tracking {} live jobs: the newest job's completion not seen at all (target <= {target:.0} s) MISS",
            r.jobs
        ),
    }
    rate_ok && cpu_ok && newest_ok
}
