//! `qa-seed-library`: writes N jobs (varied states, titles, ages; real thumbnail and video files
//! for the downloaded ones) into the app's data folder through studio-core's store, for the UI
//! benchmark's 10,000-job library (`ui/e2e/bench/ui-bench.mjs`). Prints one JSON line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use qa::library_seed::{seed_library, SeedConfig};

#[derive(Debug, Parser)]
#[command(
    name = "qa-seed-library",
    about = "Seed the app's library with many jobs"
)]
struct Cli {
    /// The app's data folder (what the app gets as VAS_DATA_DIR).
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 10_000)]
    jobs: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Library folder setting (default: <data-dir>/library).
    #[arg(long)]
    library_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let cfg = SeedConfig {
        data_dir: cli.data_dir,
        jobs: cli.jobs,
        seed: cli.seed,
        library_dir: cli.library_dir,
    };
    match runtime.block_on(seed_library(&cfg)) {
        Ok(r) => {
            println!(
                "{}",
                serde_json::json!({
                    "jobs": r.jobs,
                    "total_jobs_in_db": r.total_jobs_in_db,
                    "by_state": r.by_state,
                    "library_dir": r.library_dir,
                    "db_path": r.db_path,
                    "seconds": r.seconds,
                })
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qa-seed-library: {e}");
            ExitCode::from(1)
        }
    }
}
