//! Chat session commands for the Session screen, and the event that keeps it current.

use tauri::{AppHandle, Runtime, State};
use tauri_specta::Event as _;

use crate::engine::Engine;
use crate::error::CommandError;
use crate::views::{JobInput, JobView};
use crate::views_chat::{ReplyInput, SessionListView, SessionView, ThreadView};

/// Starts an interactive session (Create with mode "chat").
#[tauri::command]
#[specta::specta]
pub async fn start_chat(
    engine: State<'_, Engine>,
    input: JobInput,
) -> Result<JobView, CommandError> {
    let job = engine.studio()?.chat_start(input.to_request()).await?;
    Ok(JobView::from(&job))
}

/// The session as stored (thread, resources, videos); `id` is a job id or a session id.
#[tauri::command]
#[specta::specta]
pub async fn chat_thread(
    engine: State<'_, Engine>,
    id: String,
) -> Result<ThreadView, CommandError> {
    Ok(ThreadView::from(&engine.studio()?.chat_thread(&id).await?))
}

/// Reads the session from the server now, then shows it.
#[tauri::command]
#[specta::specta]
pub async fn chat_refresh(
    engine: State<'_, Engine>,
    id: String,
) -> Result<ThreadView, CommandError> {
    Ok(ThreadView::from(&engine.studio()?.chat_refresh(&id).await?))
}

/// Opens (and from now on follows) a session from the server's list.
#[tauri::command]
#[specta::specta]
pub async fn open_session(
    engine: State<'_, Engine>,
    session_id: String,
) -> Result<ThreadView, CommandError> {
    Ok(ThreadView::from(
        &engine.studio()?.open_session(&session_id).await?,
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn chat_reply(
    engine: State<'_, Engine>,
    id: String,
    reply: ReplyInput,
) -> Result<SessionView, CommandError> {
    Ok(SessionView::from(
        &engine.studio()?.chat_reply(&id, reply.to_reply()).await?,
    ))
}

/// "Approve and generate".
#[tauri::command]
#[specta::specta]
pub async fn chat_approve(
    engine: State<'_, Engine>,
    id: String,
) -> Result<SessionView, CommandError> {
    Ok(SessionView::from(
        &engine.studio()?.chat_approve(&id).await?,
    ))
}

/// "Request changes…".
#[tauri::command]
#[specta::specta]
pub async fn chat_request_changes(
    engine: State<'_, Engine>,
    id: String,
    changes: String,
) -> Result<SessionView, CommandError> {
    Ok(SessionView::from(
        &engine.studio()?.chat_request_changes(&id, &changes).await?,
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn chat_stop(engine: State<'_, Engine>, id: String) -> Result<SessionView, CommandError> {
    Ok(SessionView::from(&engine.studio()?.chat_stop(&id).await?))
}

/// The sessions list: the server's merged with local history; `token` (a previous list's
/// `next_token`) reads more of the server's sessions.
#[tauri::command]
#[specta::specta]
pub async fn list_sessions(
    engine: State<'_, Engine>,
    token: Option<String>,
) -> Result<SessionListView, CommandError> {
    let studio = engine.studio()?;
    let list = studio.chat_sessions(token).await?;
    Ok(SessionListView::new(&list, |s| first_prompt(studio, s)))
}

/// What the user first asked: the prompt of the job that started the session here, else the
/// first user message of the stored thread (a local read; none for a session never opened).
fn first_prompt(
    studio: &studio_core::Studio,
    s: &studio_core::chat::ChatSession,
) -> Option<String> {
    if let Some(job) = s.job_id.as_deref().and_then(|id| studio.job(id).ok()) {
        return Some(job.request.prompt);
    }
    let messages = studio.store().chat_messages(&s.session_id).ok()?;
    messages
        .into_iter()
        .find(|m| m.role == "user" && !m.content.trim().is_empty())
        .map(|m| m.content)
}

/// A session changed: new messages (`added` > 0), a new status, or it was flagged stuck. The
/// Session screen re-reads `chat_thread`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct SessionChanged {
    pub session_id: String,
    pub job_id: Option<String>,
    pub status: Option<String>,
    pub stuck: bool,
    pub added: u32,
}

/// Forward the engine's session events to the UI (runs for the app's lifetime).
pub async fn forward_session_events<R: Runtime>(
    app: AppHandle<R>,
    studio: std::sync::Arc<studio_core::Studio>,
) {
    use studio_core::StudioEvent;
    let mut events = studio.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        };
        let changed = match event {
            StudioEvent::SessionUpdated {
                session_id,
                job_id,
                status,
                stuck,
            } => SessionChanged {
                session_id,
                job_id,
                status: Some(status),
                stuck,
                added: 0,
            },
            StudioEvent::SessionMessages {
                session_id,
                job_id,
                added,
            } => SessionChanged {
                session_id,
                job_id,
                status: None,
                stuck: false,
                added: u32::try_from(added).unwrap_or(u32::MAX),
            },
            _ => continue,
        };
        let _ = changed.emit(&app);
    }
}
