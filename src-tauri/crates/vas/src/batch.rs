//! `vas batch`: many videos from one CSV — run (or check with `--dry-run`), status, pause,
//! resume, cancel, retry the failed rows, export the results.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use studio_core::batch::{BatchOptions, BatchState, BatchStatus, CostGuard, DEFAULT_CONCURRENCY};
use studio_core::{CoreError, Result, Studio};

use crate::cli::Cli;
use crate::json::{self, BatchReport};
use crate::run::{open, EXIT_JOB_FAILED, EXIT_OK};

/// Exit code of a batch the cost guard (or a want of credit) paused.
pub const EXIT_BATCH_PAUSED: u8 = 7;
/// Exit code of `--dry-run` (and `run`) when a row has a problem.
pub const EXIT_INVALID: u8 = 6;

#[derive(Debug, Subcommand)]
pub enum BatchAction {
    /// Make one video per row of a CSV and wait until the batch is done. Columns: prompt
    /// (required unless --template), title, style, avatar, voice, brand_kit, orientation, mode,
    /// files (`;`-separated, relative to the CSV's folder), output_name.
    Run {
        file: PathBuf,
        /// Rows in the making at once (HeyGen's pay-as-you-go limit is 10).
        #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
        concurrency: u32,
        /// Cost guard: pause after this many videos were sent.
        #[arg(long, value_name = "N")]
        max_videos: Option<u32>,
        /// Cost guard: pause when the account's balance falls below this.
        #[arg(long, value_name = "X")]
        min_balance: Option<f64>,
        /// Check every row and print each problem as `row N, column C: …`; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Folder for the batch's videos (default: the library folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// One prompt for every row, with `{column}` placeholders filled from the row.
        #[arg(long, value_name = "TEXT")]
        template: Option<String>,
        /// Print the final `BatchStatus` as JSON; with --dry-run (or when a row has a
        /// problem), the `BatchPreview` instead: every row and its problems.
        #[arg(long)]
        json: bool,
    },
    /// List batches, newest first.
    List {
        /// Print the batches (an array of `BatchStatus`) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Counts per state, time so far and left, and every row.
    Status {
        /// Batch id or prefix (default: the latest batch).
        batch: Option<String>,
        /// Print `{"status": BatchStatus, "rows": [BatchRowView]}` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop sending new rows (videos in the making go on).
    Pause { batch: Option<String> },
    /// Go on with a paused (or interrupted) batch and wait until it is done.
    Resume {
        batch: Option<String>,
        /// Raise the cost guard's video ceiling first.
        #[arg(long, value_name = "N")]
        max_videos: Option<u32>,
        #[arg(long)]
        concurrency: Option<u32>,
        /// Print the final `BatchStatus` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Cancel the batch: send nothing more and stop the videos in the making.
    Cancel { batch: Option<String> },
    /// Send the failed rows again and wait until the batch is done.
    Retry {
        batch: Option<String>,
        /// Print the final `BatchStatus` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The results CSV: input columns plus job id, session id, video id, state, failure code
    /// and message, share link and file path (stdout without --out).
    Export {
        batch: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn summary(s: &BatchStatus) -> String {
    let c = &s.counts;
    let mut line = format!(
        "batch {} {}: {} downloaded, {} running, {} pending, {} failed, {} cancelled, {} skipped of {}; {} s",
        &s.batch.id[..8.min(s.batch.id.len())],
        s.batch.state,
        c.downloaded,
        c.running,
        c.pending,
        c.failed,
        c.cancelled,
        c.skipped,
        c.total,
        s.elapsed_secs
    );
    if let Some(eta) = s.eta_secs {
        line.push_str(&format!(", about {eta} s left"));
    }
    if let Some(r) = &s.batch.pause_reason {
        if s.batch.state == BatchState::Paused {
            line.push_str(&format!(" (paused: {r})"));
        }
    }
    line
}

fn exit_for(s: &BatchStatus) -> u8 {
    match s.batch.state {
        BatchState::Paused => EXIT_BATCH_PAUSED,
        BatchState::Completed if s.counts.failed + s.counts.cancelled == 0 => EXIT_OK,
        _ => EXIT_JOB_FAILED,
    }
}

/// Follow the batch until it is no longer running, printing a status line now and then.
async fn follow(studio: &Studio, id: &str, json: bool) -> Result<u8> {
    studio.resume();
    let mut last = String::new();
    let mut status = loop {
        let waited = tokio::time::timeout(Duration::from_secs(5), studio.wait_batch(id)).await;
        match waited {
            Ok(done) => break done?,
            Err(_) => {
                let line = summary(&studio.batch_status(id)?);
                if line != last {
                    eprintln!("{line}");
                    last = line;
                }
            }
        }
    };
    // Paused (by the user, the ceiling, a want of credit): nothing new is sent, but the videos
    // already in the making are followed to their files before this process ends.
    if status.batch.state == BatchState::Paused {
        eprintln!(
            "{}; finishing the videos already in the making",
            summary(&status)
        );
        for row in studio.batch_rows(id)? {
            if let Some(job) = row.job.filter(|j| !j.state.is_terminal()) {
                studio.wait_for(&job.id).await?;
            }
        }
        status = studio.batch_status(id)?;
    }
    if json {
        json::print(&status);
    } else {
        eprintln!("{}", summary(&status));
    }
    Ok(exit_for(&status))
}

pub async fn batch(cli: &Cli, action: &BatchAction) -> Result<u8> {
    let studio = open(cli, None).await?;
    let code = run_action(&studio, action).await;
    studio.shutdown().await;
    code
}

async fn run_action(studio: &Studio, action: &BatchAction) -> Result<u8> {
    match action {
        BatchAction::Run {
            file,
            concurrency,
            max_videos,
            min_balance,
            dry_run,
            out,
            template,
            json,
        } => {
            let preview = studio.import_batch(file, template.clone()).await?;
            let problems = preview.problems();
            if *json && (*dry_run || !problems.is_empty()) {
                json::print(&preview);
            } else {
                for p in &problems {
                    println!("{p}");
                }
            }
            if !problems.is_empty() {
                eprintln!(
                    "{} problem(s) in {} row(s); nothing was sent",
                    problems.len(),
                    preview.with_problems
                );
                return Ok(EXIT_INVALID);
            }
            if *dry_run {
                eprintln!(
                    "{} row(s) ready; nothing was sent (--dry-run)",
                    preview.ready
                );
                return Ok(EXIT_OK);
            }
            let output_dir = match out {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
                    Some(std::fs::canonicalize(dir).map_err(|e| CoreError::io(dir, e))?)
                }
                None => None,
            };
            let batch = studio
                .start_batch(
                    &preview.draft_id,
                    BatchOptions {
                        concurrency: *concurrency,
                        guard: CostGuard {
                            max_videos: *max_videos,
                            min_balance: *min_balance,
                        },
                        output_dir,
                    },
                )
                .await?;
            eprintln!(
                "batch {} started: {} row(s), at most {} at once",
                batch.id, preview.ready, batch.concurrency
            );
            follow(studio, &batch.id, *json).await
        }
        BatchAction::List { json } => {
            let all = studio.batches()?;
            if *json {
                json::print(&all);
            } else {
                for s in &all {
                    println!("{}\t{}\t{}", s.batch.id, s.batch.name, summary(s));
                }
            }
            Ok(EXIT_OK)
        }
        BatchAction::Status { batch, json } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            let status = studio.batch_status(&id)?;
            if *json {
                json::print(&BatchReport {
                    status: &status,
                    rows: &studio.batch_rows(&id)?,
                });
            } else {
                println!("{}", summary(&status));
                for r in studio.batch_rows(&id)? {
                    let file = r
                        .job
                        .as_ref()
                        .and_then(|j| j.outputs.video.as_ref())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    println!("row {}\t{}\t{}", r.row.row, r.state, file);
                }
            }
            Ok(EXIT_OK)
        }
        BatchAction::Pause { batch } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            let b = studio.pause_batch(&id)?;
            eprintln!("batch {} {}", b.id, b.state);
            Ok(EXIT_OK)
        }
        BatchAction::Resume {
            batch,
            max_videos,
            concurrency,
            json,
        } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            if let Some(n) = concurrency {
                studio.set_batch_concurrency(&id, *n)?;
            }
            if let Some(max) = max_videos {
                let mut guard = studio.batch_status(&id)?.batch.guard;
                guard.max_videos = Some(*max);
                studio.set_batch_guard(&id, &guard)?;
            }
            studio.resume_batch(&id)?;
            follow(studio, &id, *json).await
        }
        BatchAction::Cancel { batch } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            let b = studio.cancel_batch(&id).await?;
            eprintln!("batch {} {}", b.id, b.state);
            Ok(EXIT_OK)
        }
        BatchAction::Retry { batch, json } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            let n = studio.retry_failed_batch_rows(&id)?;
            eprintln!("{n} failed row(s) sent again");
            follow(studio, &id, *json).await
        }
        BatchAction::Export { batch, out } => {
            let id = studio.resolve_batch_id(batch.as_deref())?;
            let csv = studio.export_batch_results(&id)?;
            match out {
                Some(path) => {
                    std::fs::write(path, csv).map_err(|e| CoreError::io(path, e))?;
                    eprintln!("results written to {}", path.display());
                }
                None => print!("{csv}"),
            }
            Ok(EXIT_OK)
        }
    }
}
