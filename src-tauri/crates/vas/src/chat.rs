//! `vas chat …`: interactive Video Agent sessions — start, answer, approve, request changes,
//! stop, show the thread, list sessions. Same engine and database as the desktop app.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use studio_core::chat::{ChatThread, ResourceView};
use studio_core::{ChatReply, ChatSession, JobState, Result, Studio};

use crate::cli::{Cli, JobOptions};
use crate::run::open;

/// Print a line on stdout; a closed pipe ends the program quietly.
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

#[derive(Debug, Subcommand)]
pub enum ChatAction {
    /// Start an interactive session, then follow it until the agent asks something or is done.
    Start {
        prompt: String,
        #[command(flatten)]
        options: JobOptions,
        /// Print the ids and return at once instead of following the session.
        #[arg(long)]
        no_wait: bool,
    },
    /// Send a message (an answer, or any request) and follow until the agent's turn ends.
    Send {
        /// Job id (a unique prefix is enough) or session id.
        id: String,
        message: String,
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<PathBuf>,
        #[arg(long)]
        avatar: Option<String>,
        #[arg(long)]
        voice: Option<String>,
        #[arg(long)]
        brand_kit: Option<String>,
        #[arg(long)]
        no_wait: bool,
    },
    /// Approve the storyboard: "Looks good — generate it.", then follow to the video.
    Approve {
        id: String,
        #[arg(long)]
        no_wait: bool,
    },
    /// Ask for changes to the storyboard or the finished video (a new video in the session).
    Changes {
        id: String,
        what: String,
        #[arg(long)]
        no_wait: bool,
    },
    /// Stop the session at the agent's next checkpoint.
    Stop { id: String },
    /// Show a session: status, the thread oldest first, storyboards and other resources, videos.
    Show {
        /// Job id (prefix) or session id; a session started elsewhere is opened and followed.
        id: String,
        /// Print the `ChatThread` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sessions: the server's list merged with local history, newest first.
    List {
        /// Print the `SessionList` as JSON (`remote_error` says when only local history is in).
        #[arg(long)]
        json: bool,
    },
}

pub async fn chat(cli: &Cli, action: &ChatAction) -> Result<u8> {
    let studio = open(cli, None).await?;
    let code = match action {
        ChatAction::Start {
            prompt,
            options,
            no_wait,
        } => {
            studio.resume();
            let job = studio.chat_start(options.request(prompt)).await?;
            outln!(
                "job {} · session {}",
                job.id,
                job.session_id.as_deref().unwrap_or("(not created yet)")
            );
            if *no_wait {
                0
            } else {
                follow(&studio, &job.id).await?
            }
        }
        ChatAction::Send {
            id,
            message,
            files,
            avatar,
            voice,
            brand_kit,
            no_wait,
        } => {
            studio.resume();
            let reply = ChatReply {
                message: message.clone(),
                files: files.clone(),
                avatar_id: avatar.clone(),
                voice_id: voice.clone(),
                brand_kit_id: brand_kit.clone(),
            };
            let session = studio.chat_reply(id, reply).await?;
            after_reply(&studio, &session, *no_wait).await?
        }
        ChatAction::Approve { id, no_wait } => {
            studio.resume();
            let session = studio.chat_approve(id).await?;
            after_reply(&studio, &session, *no_wait).await?
        }
        ChatAction::Changes { id, what, no_wait } => {
            studio.resume();
            let session = studio.chat_request_changes(id, what).await?;
            after_reply(&studio, &session, *no_wait).await?
        }
        ChatAction::Stop { id } => {
            let s = studio.chat_stop(id).await?;
            outln!("session {}: stop requested ({})", s.session_id, s.status);
            0
        }
        ChatAction::Show { id, json } => {
            let thread = match studio.chat_refresh(id).await {
                Ok(t) => t,
                // Not known here yet: a session id from elsewhere, opened and followed.
                Err(e) if e.code() == "not_found" => studio.open_session(id).await?,
                Err(e) => {
                    tracing::warn!(error = %e, "showing the stored thread; the server could not be read");
                    studio.chat_thread(id).await?
                }
            };
            if *json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&thread).expect("thread serializes")
                );
            } else {
                print_thread(&thread);
            }
            0
        }
        ChatAction::List { json: true } => {
            crate::json::print(&studio.chat_sessions(None).await?);
            0
        }
        ChatAction::List { json: false } => {
            let list = studio.chat_sessions(None).await?;
            if let Some(e) = &list.remote_error {
                eprintln!(
                    "(server list unavailable: {}; showing local history)",
                    e.message
                );
            }
            for s in &list.sessions {
                outln!(
                    "{}\t{}\t{}\t{} video(s)\t{}",
                    s.session_id,
                    s.job_id.as_deref().map_or("-", short),
                    status_word(s),
                    s.video_count,
                    s.title.as_deref().unwrap_or("(untitled)")
                );
            }
            0
        }
    };
    studio.shutdown().await;
    Ok(code)
}

async fn after_reply(studio: &Studio, session: &ChatSession, no_wait: bool) -> Result<u8> {
    outln!(
        "sent · session {} is {}",
        session.session_id,
        session.status
    );
    if no_wait {
        return Ok(0);
    }
    follow(studio, &session.session_id).await
}

/// Follow until the agent waits for the user, or the session is over and its videos are in the
/// library; then print the thread. Exit code 4 when it ended without a video.
async fn follow(studio: &Studio, id: &str) -> Result<u8> {
    let mut shown = 0;
    let mut last_status = None;
    loop {
        let mut thread = studio.chat_thread(id).await?;
        if !thread.session.active {
            // Over: read it once more ourselves, which also claims a just-finished video (the
            // background poll records the status a moment before it lists the videos).
            if let Ok(fresh) = studio.chat_refresh(id).await {
                thread = fresh;
            }
        }
        for m in thread.messages.iter().skip(shown) {
            print_message(&thread, m);
        }
        shown = thread.messages.len();
        let s = &thread.session;
        if last_status.as_ref() != Some(&s.status) {
            eprintln!("… {}", status_word(s));
            last_status = Some(s.status.clone());
        }
        let videos_done = thread.videos.iter().all(|v| v.state.is_terminal());
        if s.needs_input {
            eprintln!("The agent is waiting: answer with `vas chat send {id} \"…\"`, or `vas chat approve {id}`.");
            return Ok(0);
        }
        if !s.active && videos_done {
            let job_ended_without_video = s.job_id.as_deref().is_some_and(|j| {
                studio
                    .job(j)
                    .is_ok_and(|j| j.state.is_terminal() && j.state != JobState::Downloaded)
            }) && thread.videos.is_empty();
            if s.stuck {
                eprintln!("{}", s.stuck_explanation.clone().unwrap_or_default());
            }
            for v in &thread.videos {
                if let Some(p) = &v.video_path {
                    outln!("{}", p.display());
                }
            }
            return Ok(if s.status == "failed" || job_ended_without_video {
                crate::run::EXIT_JOB_FAILED
            } else {
                0
            });
        }
        if let Some(why) = s.stuck_explanation.as_deref().filter(|_| s.stuck) {
            eprintln!("{why}\n(stop it with `vas chat stop {id}`)");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

fn status_word(s: &ChatSession) -> String {
    // A session known only from the server's list: say so rather than guess a status.
    if s.status == studio_core::chat::UNKNOWN_STATUS {
        return "status unknown (not read yet)".to_string();
    }
    let mut w = s.status.as_str().replace('_', " ");
    if s.status == "thinking" || s.status == "generating" {
        w.push_str(&format!(" {}% · {} s", s.progress, s.elapsed_secs));
    }
    if s.stuck {
        w.push_str(" · STUCK?");
    }
    w
}

fn print_thread(t: &ChatThread) {
    let s = &t.session;
    outln!(
        "{} — session {}{}",
        s.title.as_deref().unwrap_or("(untitled)"),
        s.session_id,
        s.job_id
            .as_deref()
            .map(|j| format!(" · job {}", short(j)))
            .unwrap_or_default()
    );
    outln!("status: {}", status_word(s));
    if let Some(why) = s.stuck_explanation.as_deref().filter(|_| s.stuck) {
        outln!("{why}");
    }
    outln!("");
    for m in &t.messages {
        print_message(t, m);
    }
    if !t.videos.is_empty() {
        outln!("");
        outln!("videos:");
        for v in &t.videos {
            outln!(
                "  #{} {} {}{}",
                v.revision,
                v.state,
                v.video_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| format!("job {}", short(&v.job_id))),
                v.failure_message
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            );
        }
    }
}

fn print_message(t: &ChatThread, m: &studio_core::chat::ChatMessage) {
    let who = if m.role == "user" { "you" } else { "agent" };
    let marker = if m.kind == "error" { " (error)" } else { "" };
    outln!("[{who}{marker}] {}", m.content);
    for rid in &m.resource_ids {
        if let Some(r) = t.resources.iter().find(|r| &r.resource_id == rid) {
            print_resource(r);
        }
    }
}

fn print_resource(r: &ResourceView) {
    let Some(res) = &r.resource else {
        let why = r
            .error
            .as_ref()
            .map_or("unavailable", |e| e.message.as_str());
        outln!("    ↳ {} ({why})", r.resource_id);
        return;
    };
    let kind = res.resource_type.as_deref().unwrap_or("resource");
    match &r.storyboard {
        Some(sb) => {
            outln!(
                "    ↳ storyboard{}{} — {} scene(s)",
                sb.title
                    .as_deref()
                    .map(|t| format!(" \"{t}\""))
                    .unwrap_or_default(),
                sb.duration_secs
                    .map(|d| format!(", {d} s"))
                    .unwrap_or_default(),
                sb.scenes.len()
            );
            for (i, sc) in sb.scenes.iter().enumerate() {
                let head = sc.heading.as_deref().unwrap_or("");
                let dur = sc
                    .duration_secs
                    .map(|d| format!(" ({d} s)"))
                    .unwrap_or_default();
                let text = sc.text.as_deref().or(sc.narration.as_deref()).unwrap_or("");
                outln!("      {}. {head}{dur} {text}", i + 1);
            }
            for (k, v) in &sb.fields {
                outln!("      {k}: {v}");
            }
        }
        None => {
            let link = res
                .url
                .as_deref()
                .or(res.preview_url.as_deref())
                .or(res.thumbnail_url.as_deref())
                .unwrap_or("");
            outln!("    ↳ {kind} {link}");
        }
    }
}
