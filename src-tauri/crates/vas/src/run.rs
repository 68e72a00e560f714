//! What each command does, on top of `studio_core::Studio`.

use std::io::BufRead;
use std::path::PathBuf;

use studio_core::{
    CataloguePage, CoreError, Job, JobRequest, JobState, Mode, Result, Secret, Studio, StudioConfig,
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
use crate::{json, progress};
use studio_core::ErrorCode;

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
    // Tests isolate their keyring entries under another service name (which, like any isolated
    // profile, also ignores HEYGEN_API_KEY).
    let credentials = match std::env::var("VAS_KEYRING_SERVICE") {
        Ok(service) if !service.is_empty() => studio_core::Credentials::with_service(service),
        _ => studio_core::Credentials::new(),
    };
    let config = StudioConfig {
        credentials,
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
        Command::Styles { tag, all, json } => {
            let studio = open(&cli, None).await?;
            // The pages fetched (one, or every one with --all) as one page: the last page's
            // token, `from_cache` when any came from the cache.
            let mut whole = CataloguePage {
                items: Vec::new(),
                next_token: None,
                from_cache: false,
            };
            loop {
                let page = studio.styles(tag.clone(), whole.next_token.take()).await?;
                if !*json {
                    for s in &page.items {
                        outln!(
                            "{}\t{}\t{}\t{}",
                            s.style_id,
                            s.name,
                            s.aspect_ratio.as_ref().map(|a| a.as_str()).unwrap_or("-"),
                            s.tags.join(",")
                        );
                    }
                }
                whole.items.extend(page.items);
                whole.next_token = page.next_token;
                whole.from_cache |= page.from_cache;
                if whole.next_token.is_none() || !*all {
                    break;
                }
            }
            if *json {
                json::print(&whole);
            } else {
                if whole.from_cache {
                    eprintln!("(offline: showing cached styles)");
                }
                if whole.next_token.is_some() {
                    eprintln!("(more styles: use --all)");
                }
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Avatars { json } => {
            let studio = open(&cli, None).await?;
            let page = studio.avatar_looks(None, None).await?;
            if *json {
                json::print(&page);
            } else {
                for l in &page.items {
                    outln!(
                        "{}\t{}\t{}",
                        l.id,
                        l.name,
                        l.avatar_type.as_ref().map_or("-", |t| t.as_str())
                    );
                }
            }
            studio.shutdown().await;
            Ok(EXIT_OK)
        }
        Command::Voices { json } => {
            let studio = open(&cli, None).await?;
            let page = studio.voices(None).await?;
            if *json {
                json::print(&page);
            } else {
                for v in &page.items {
                    outln!(
                        "{}\t{}\t{}\t{}",
                        v.voice_id,
                        v.name,
                        v.language.as_deref().unwrap_or("-"),
                        v.gender.as_deref().unwrap_or("-")
                    );
                }
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
        Command::Jobs { json } => {
            let studio = open(&cli, None).await?;
            if *json {
                json::print(&studio.jobs()?);
                studio.shutdown().await;
                return Ok(EXIT_OK);
            }
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
        Command::Batch { action } => crate::batch::batch(&cli, action).await,
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
        AuthAction::Test { json } => {
            let account = studio.test_key(None).await?;
            if *json {
                json::print(&account);
                studio.shutdown().await;
                return Ok(EXIT_OK);
            }
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
        AuthAction::Login {
            no_browser,
            client_id,
        } => login(&studio, *no_browser, client_id.as_deref()).await?,
        AuthAction::Status { json } => {
            let status = studio.auth_status().await?;
            if *json {
                json::print(&status);
                studio.shutdown().await;
                return Ok(EXIT_OK);
            }
            let key = status
                .api_key_last4
                .as_deref()
                .map(|l| format!("API key …{l}"));
            let oauth = status.oauth_signed_in.then(|| {
                format!(
                    "signed in via OAuth as {}",
                    status
                        .oauth_account
                        .as_deref()
                        .unwrap_or("(unknown account)")
                )
            });
            let (active, other) = match status.active {
                Some(studio_core::CredentialKind::OAuth) => (oauth, key),
                Some(studio_core::CredentialKind::ApiKey) => (key, oauth),
                None => (None, None),
            };
            match active {
                Some(line) => outln!("{line}"),
                None if status.offline => outln!("offline mode (local agent)"),
                None => outln!("not signed in"),
            }
            if let Some(other) = other {
                outln!("also stored (not in use): {other}");
            }
            if status.offline {
                outln!("(local agent)");
            }
            EXIT_OK
        }
        AuthAction::Logout => {
            if !studio.auth_status().await?.oauth_signed_in {
                eprintln!("Not signed in with HeyGen.");
            } else if studio.sign_out().await? {
                eprintln!("Signed out: the sign-in was revoked and removed from the keyring.");
            } else {
                eprintln!("Signed out: removed from the keyring (HeyGen could not be reached to revoke it).");
            }
            EXIT_OK
        }
    };
    studio.shutdown().await;
    Ok(code)
}

/// `vas auth login`: the authorize URL in the browser (or printed), then the loopback wait.
async fn login(studio: &Studio, no_browser: bool, client_id: Option<&str>) -> Result<u8> {
    if let Some(id) = client_id.map(str::trim).filter(|id| !id.is_empty()) {
        let mut settings = studio.settings();
        if settings.oauth_client_id.as_deref() != Some(id) {
            settings.oauth_client_id = Some(id.to_string());
            studio.update_settings(settings).await?;
        }
    }
    let pending = studio.begin_sign_in().await?;
    let opened = !no_browser && open::that_detached(&pending.url).is_ok();
    if opened {
        eprintln!("Opened your browser to sign in with HeyGen. If it did not open, visit:");
    } else {
        eprintln!("Open this URL in a browser to sign in with HeyGen:");
    }
    outln!("{}", pending.url);
    eprintln!("Waiting for the browser (5 minutes; Ctrl-C to cancel)…");
    let cancel = tokio_util::sync::CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let account = studio
        .finish_sign_in(pending, studio_core::loopback::SIGN_IN_TIMEOUT, cancel)
        .await?;
    let who = studio
        .auth_status()
        .await?
        .oauth_account
        .unwrap_or(account.name);
    outln!("signed in via OAuth as {who}");
    Ok(EXIT_OK)
}

/// Run a local agent in the foreground until Ctrl-C.
async fn local(cli: &Cli, addr: &str) -> Result<u8> {
    let data = studio_core::paths::DataDir::resolve(cli.data_dir.clone())?;
    let addr = addr.parse().map_err(|_| {
        CoreError::invalid(
            ErrorCode::InvalidAddress,
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
