//! The engine process of the soak: `studio_core::Studio` — the same engine `vas watch` and the
//! app run — opened on a data dir, resuming every unfinished job, submitting the planned prompts
//! that are not in its database yet, and following everything until no job is live.
//!
//! It exists (instead of `vas watch`) only because the soak compresses time: the request budget
//! and the client's retry waits must shrink with the poll cadence, and `vas` keeps the product's
//! 1 request/s budget. The key comes from `HEYGEN_API_KEY` and is never printed. With
//! `--oauth-service` it signs in with the local agent's OAuth server instead (the consent
//! approved over HTTP) and keeps the tokens in that keyring service.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use studio_core::heygen_api::RetryPolicy;
use studio_core::{JobRequest, Secret, Studio, StudioConfig};

#[derive(Debug, Parser)]
#[command(name = "qa-engine", about = "Soak engine process over studio-core")]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    library: PathBuf,
    #[arg(long)]
    base_url: String,
    /// JSON array of prompts; each is submitted once (matched by prompt text).
    #[arg(long)]
    plan: Option<PathBuf>,
    #[arg(long, default_value_t = 0.01)]
    poll_scale: f64,
    #[arg(long, default_value_t = 50.0)]
    budget_per_second: f64,
    #[arg(long, default_value_t = 20)]
    budget_burst: u32,
    /// Sign in with OAuth (tokens in this keyring service) instead of using an API key.
    #[arg(long)]
    oauth_service: Option<String>,
}

/// Signs in at the local agent as a user would, with the consent approved over HTTP.
async fn sign_in(studio: &Studio) -> studio_core::Result<()> {
    studio
        .update_settings(studio_core::Settings {
            oauth_client_id: Some("qa-engine".into()),
            ..studio.settings()
        })
        .await?;
    let pending = studio.begin_sign_in().await?;
    let url = pending.url.clone();
    let browser = tokio::spawn(async move {
        let redirect = local_agent::testing::consent(&url, true).await?;
        reqwest::get(&redirect).await.map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    });
    studio
        .finish_sign_in(
            pending,
            Duration::from_secs(30),
            tokio_util::sync::CancellationToken::new(),
        )
        .await?;
    // The simulated browser's own failure is the harness's, not the engine's.
    browser.await?.map_err(studio_core::CoreError::Internal)?;
    println!("signed in with OAuth");
    Ok(())
}

async fn run(args: Args) -> studio_core::Result<()> {
    let key = std::env::var("HEYGEN_API_KEY").unwrap_or_else(|_| "qa-soak".into());
    let oauth = args.oauth_service.clone();
    let config = StudioConfig {
        credentials: match &oauth {
            Some(service) => studio_core::Credentials::with_service(service),
            None => studio_core::Credentials::new(),
        },
        data_dir: Some(args.data_dir.clone()),
        base_url: Some(args.base_url.clone()),
        api_key: if oauth.is_some() {
            None
        } else {
            Some(Secret::new(key))
        },
        offline: Some(false),
        poll_scale: args.poll_scale,
        budget_burst: args.budget_burst,
        budget_per_second: args.budget_per_second,
        retry: Some(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
            jitter: 0.25,
            retry_after_cap: Duration::from_secs(5),
        }),
        library_dir: Some(args.library.clone()),
        ..StudioConfig::default()
    };
    let studio = Studio::open(config).await?;
    if oauth.is_some() {
        sign_in(&studio).await?;
    }
    studio.resume();
    if let Some(plan) = &args.plan {
        let raw = std::fs::read(plan).map_err(|e| studio_core::CoreError::io(plan, e))?;
        let prompts: Vec<String> = serde_json::from_slice(&raw).map_err(|e| {
            studio_core::CoreError::invalid(
                studio_core::ErrorCode::InvalidParameter,
                Some("plan"),
                format!("bad plan: {e}"),
            )
        })?;
        let known: std::collections::HashSet<String> = studio
            .jobs()?
            .into_iter()
            .map(|j| j.request.prompt)
            .collect();
        for prompt in prompts.into_iter().filter(|p| !known.contains(p)) {
            let request = JobRequest {
                prompt,
                ..JobRequest::default()
            };
            match studio.submit(request).await {
                Ok(job) => println!("submitted {} {}", job.id, job.state),
                // The job row exists before any request goes out; the tracker finishes it.
                Err(e) => eprintln!("submit: {} ({})", e, e.code()),
            }
        }
    }
    loop {
        let done = studio.wait_all().await?;
        if done.is_empty() && studio.store().live_jobs()?.is_empty() {
            break;
        }
    }
    let jobs = studio.jobs()?;
    let downloaded = jobs
        .iter()
        .filter(|j| j.state == studio_core::JobState::Downloaded)
        .count();
    println!("finished: {} jobs, {downloaded} downloaded", jobs.len());
    if oauth.is_some() {
        studio.sign_out().await?;
        println!("signed out");
    }
    studio.shutdown().await;
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VAS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(Args::parse())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e} ({})", e.code());
            ExitCode::from(1)
        }
    }
}
