//! What each command does, on top of `studio_core::Studio`.

use std::io::BufRead;
use std::path::PathBuf;

use studio_core::{
    CoreError, Job, JobRequest, JobState, Mode, Result, Secret, Studio, StudioConfig,
};

use crate::cli::{AuthAction, Cli, Command};

/// Print a line on stdout; a closed pipe (`vas styles | head`) ends the program quietly instead
/// of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}
use crate::progress;

pub const EXIT_OK: u8 = 0;
pub const EXIT_JOB_FAILED: u8 = 4;

/// Map an error to the documented exit codes (see `vas --help`).
pub fn exit_code_for(e: &CoreError) -> u8 {
    match e {
        CoreError::NoApiKey
        | CoreError::KeyringUnavailable { .. }
        | CoreError::KeyringLocked { .. }
        | CoreError::Keyring { .. } => 3,
        CoreError::Invalid { .. } | CoreError::NotFound { .. } => 6,
        CoreError::Api(api) => match api.http_status() {
            Some(401) | Some(403) => 3,
            Some(400) | Some(404) | Some(413) => 6,
            _ => 5,
        },
        CoreError::Download(_) => 5,
        _ => 1,
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

pub(crate) async fn open(cli: &Cli, library_dir: Option<PathBuf>) -> Result<Studio> {
    let config = StudioConfig {
        data_dir: cli.data_dir.clone(),
        base_url: cli.base_url.clone(),
        offline: if cli.offline { Some(true) } else { None },
        poll_scale: cli.poll_scale.unwrap_or(1.0),
        local_agent_time_scale: cli.agent_time_scale,
        library_dir,
        ..StudioConfig::default()
    };
    Studio::open(config).await
}

/// The absolute path of a job's video, if it has one.
fn video_path(job: &Job) -> Option<PathBuf> {
    job.outputs
        .video
        .as_ref()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
}

/// Print a finished job's result; the exit code says whether it produced a video.
fn report_finished(job: &Job) -> u8 {
    match (job.state, video_path(job)) {
        (JobState::Downloaded, Some(path)) => {
            outln!("{}", path.display());
            EXIT_OK
        }
        _ => {
            let why = job
                .failure_message
                .clone()
                .unwrap_or_else(|| job.state.to_string());
            let code = job
                .failure_code
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            eprintln!("job {} ended {}: {why}{code}", short(&job.id), job.state);
            EXIT_JOB_FAILED
        }
    }
}

/// Shut the engine down and let the progress printer drain the last events (the final state
/// line) before the process exits.
async fn finish(studio: Studio, bars: tokio::task::JoinHandle<()>) {
    studio.shutdown().await;
    drop(studio);
    let abort = bars.abort_handle();
    if tokio::time::timeout(std::time::Duration::from_millis(500), bars)
        .await
        .is_err()
    {
        abort.abort();
    }
}

pub async fn run(cli: Cli) -> Result<u8> {
    match &cli.command {
        Command::Auth { action } => auth(&cli, action).await,
        Command::Styles { tag, all } => {
            let studio = open(&cli, None).await?;
            let mut token = None;
            loop {
                let page = studio.styles(tag.clone(), token.clone()).await?;
                for s in &page.items {
                    outln!(
                        "{}\t{}\t{}\t{}",
                        s.style_id,
                        s.name,
                        s.aspect_ratio.as_ref().map(|a| a.as_str()).unwrap_or("-"),
                        s.tags.join(",")
                    );
                }
                if page.from_cache {
                    eprintln!("(offline: showing cached styles)");
                }
                match page.next_token {
                    Some(t) if *all => token = Some(t),
                    Some(_) => {
                        eprintln!("(more styles: use --all)");
                        break;
                    }
                    None => break,
                }
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Avatars => {
            let studio = open(&cli, None).await?;
            let page = studio.avatar_looks(None, None).await?;
            for l in &page.items {
                outln!(
                    "{}\t{}\t{}",
                    l.id,
                    l.name,
                    l.avatar_type.as_ref().map_or("-", |t| t.as_str())
                );
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Voices => {
            let studio = open(&cli, None).await?;
            let page = studio.voices(None).await?;
            for v in &page.items {
                outln!(
                    "{}\t{}\t{}\t{}",
                    v.voice_id,
                    v.name,
                    v.language.as_deref().unwrap_or("-"),
                    v.gender.as_deref().unwrap_or("-")
                );
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Generate {
            prompt,
            options,
            incognito,
            wait,
            out,
        } => {
            let out = match out {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
                    Some(std::fs::canonicalize(dir).map_err(|e| CoreError::io(dir, e))?)
                }
                None => None,
            };
            let studio = open(&cli, None).await?;
            let bars = progress::spawn(studio.subscribe());
            let request = JobRequest {
                mode: Mode::Generate,
                output_dir: out,
                incognito: *incognito,
                ..options.request(prompt)
            };
            let job = studio.submit(request).await?;
            eprintln!("job {} submitted ({})", job.id, job.state);
            if !*wait {
                outln!("{}", job.id);
                finish(studio, bars).await;
                return Ok(EXIT_OK);
            }
            studio.resume();
            let done = studio.wait_for(&job.id).await?;
            finish(studio, bars).await;
            Ok(report_finished(&done))
        }
        Command::Jobs => {
            let studio = open(&cli, None).await?;
            for j in studio.jobs()? {
                let what = j.title.clone().unwrap_or_else(|| {
                    let p: String = j.request.prompt.chars().take(50).collect();
                    format!("\"{p}\"")
                });
                let progress = j.progress.map(|p| format!("{p}%")).unwrap_or_default();
                let file = j
                    .outputs
                    .video
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    short(&j.id),
                    j.state,
                    progress,
                    what,
                    file
                );
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Watch => {
            let studio = open(&cli, None).await?;
            let bars = progress::spawn(studio.subscribe());
            // The sweep first: it turns drafts a killed run left behind into live jobs.
            studio.resume();
            let live = studio.store().live_jobs()?.len();
            eprintln!("following {live} unfinished job(s)");
            let done = studio.wait_all().await?;
            finish(studio, bars).await;
            let mut code = EXIT_OK;
            for job in &done {
                code = code.max(report_finished(job));
            }
            Ok(code)
        }
        Command::Download { id } => {
            let studio = open(&cli, None).await?;
            let bars = progress::spawn(studio.subscribe());
            studio.download(id).await?;
            let done = studio.wait_for(id).await?;
            finish(studio, bars).await;
            Ok(report_finished(&done))
        }
        Command::Stop { id } => {
            let studio = open(&cli, None).await?;
            let job = studio.stop(id).await?;
            eprintln!("job {} {}", short(&job.id), job.state);
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Local { addr } => local(&cli, addr).await,
        Command::Chat { action } => crate::chat::chat(&cli, action).await,
    }
}

async fn auth(cli: &Cli, action: &AuthAction) -> Result<u8> {
    let studio = open(cli, None).await?;
    let code = match action {
        AuthAction::Set => {
            eprintln!("Paste your HeyGen API key (HeyGen → Settings → API) and press Enter:");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| CoreError::io(std::path::Path::new("<stdin>"), e))?;
            let key = Secret::new(line);
            studio.set_api_key(key).await?;
            eprintln!("Key stored in the system keyring.");
            EXIT_OK
        }
        AuthAction::Test => {
            let account = studio.test_key(None).await?;
            let balance = account
                .balance
                .map(|b| format!("{} {:?}", b.amount, b.unit).to_lowercase())
                .unwrap_or_else(|| "unknown".into());
            outln!("account: {}", account.name);
            outln!("credits: {balance}");
            if account.offline {
                outln!("(local agent)");
            }
            EXIT_OK
        }
        AuthAction::Remove => {
            if studio.remove_api_key().await? {
                eprintln!("Key removed from the system keyring.");
            } else {
                eprintln!("No key was stored.");
            }
            EXIT_OK
        }
    };
    studio.shutdown().await;
    Ok(code)
}

/// Run a local agent in the foreground until Ctrl-C.
async fn local(cli: &Cli, addr: &str) -> Result<u8> {
    let data = studio_core::paths::DataDir::resolve(cli.data_dir.clone())?;
    let addr = addr.parse().map_err(|_| {
        CoreError::invalid(
            "invalid_address",
            Some("addr"),
            format!("{addr} is not HOST:PORT"),
        )
    })?;
    let agent = studio_core::offline::EmbeddedAgent::start_at(
        addr,
        &data.local_agent_dir(),
        cli.agent_time_scale,
    )
    .await?;
    outln!("listening on {}", agent.base_url());
    outln!("export HEYGEN_BASE_URL={}", agent.base_url());
    outln!("export HEYGEN_API_KEY={}", agent.key().expose());
    eprintln!("local Video Agent running; Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    agent.shutdown().await;
    Ok(EXIT_OK)
}
