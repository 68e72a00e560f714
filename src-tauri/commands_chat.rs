//! Chat session commands for the Session screen, and the event that keeps it current.

use tauri::{AppHandle, Runtime, State};

use crate::error::CommandError;
use crate::studio_handle::StudioHandle;
use crate::views::{JobInput, JobView};
use studio_core::{ChatReply, ChatSession, ChatThread, SessionList};

/// Starts an interactive session (Create with mode "chat").
#[tauri::command]
#[specta::specta]
pub async fn start_chat(
    handle: State<'_, StudioHandle>,
    received: State<'_, crate::received::ReceivedPaths>,
    input: JobInput,
) -> Result<JobView, CommandError> {
    crate::commands_jobs::only_received(&received, &input.files)?;
    let job = handle.studio()?.chat_start(input.to_request()).await?;
    Ok(JobView::from(&job))
}

/// The session as stored (thread, resources, videos); `id` is a job id or a session id.
#[tauri::command]
#[specta::specta]
pub async fn chat_thread(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<ChatThread, CommandError> {
    Ok(handle.studio()?.chat_thread(&id).await?)
}

/// Reads the session from the server now, then shows it.
#[tauri::command]
#[specta::specta]
pub async fn chat_refresh(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<ChatThread, CommandError> {
    Ok(handle.studio()?.chat_refresh(&id).await?)
}

/// Opens (and from now on follows) a session from the server's list.
#[tauri::command]
#[specta::specta]
pub async fn open_session(
    handle: State<'_, StudioHandle>,
    session_id: String,
) -> Result<ChatThread, CommandError> {
    Ok(handle.studio()?.open_session(&session_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn chat_reply(
    handle: State<'_, StudioHandle>,
    received: State<'_, crate::received::ReceivedPaths>,
    id: String,
    reply: ChatReply,
) -> Result<ChatSession, CommandError> {
    crate::commands_jobs::only_received(&received, &reply.files)?;
    Ok(handle.studio()?.chat_reply(&id, reply).await?)
}

/// "Approve and generate".
#[tauri::command]
#[specta::specta]
pub async fn chat_approve(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<ChatSession, CommandError> {
    Ok(handle.studio()?.chat_approve(&id).await?)
}

/// "Request changes…".
#[tauri::command]
#[specta::specta]
pub async fn chat_request_changes(
    handle: State<'_, StudioHandle>,
    id: String,
    changes: String,
) -> Result<ChatSession, CommandError> {
    Ok(handle.studio()?.chat_request_changes(&id, &changes).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn chat_stop(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<ChatSession, CommandError> {
    Ok(handle.studio()?.chat_stop(&id).await?)
}

/// The sessions list: the server's merged with local history; `token` (a previous list's
/// `next_token`) reads more of the server's sessions.
#[tauri::command]
#[specta::specta]
pub async fn list_sessions(
    handle: State<'_, StudioHandle>,
    token: Option<String>,
) -> Result<SessionList, CommandError> {
    Ok(handle.studio()?.chat_sessions(token).await?)
}

/// A session changed: new messages (`added` > 0), a new status, it was flagged stuck, or one of
/// its videos (a job of the session) moved on (`videos`). The Session screen re-reads
/// `chat_thread` when it shows that session; nothing polls.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionChanged {
    pub session_id: String,
    pub job_id: Option<String>,
    pub status: Option<studio_core::heygen_api::models::SessionStatus>,
    pub stuck: bool,
    pub added: u32,
    /// A video of the session changed state or progress (its job's row in the Library changed
    /// too); the session itself, and so the sessions list, did not.
    pub videos: bool,
}

/// Forward the studio's session events to the UI (runs for the app's lifetime).
pub async fn forward_session_events<R: Runtime>(
    app: AppHandle<R>,
    studio: std::sync::Arc<studio_core::Studio>,
) {
    let mut events = studio.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        };
        let session_of = |job_id: &str| studio.job(job_id).ok().and_then(|job| job.session_id);
        if let Some(changed) = session_change(event, session_of) {
            crate::ui_events::publish(&app, changed);
        }
    }
}

/// The UI's session event for a studio event, if it concerns a session. A job's state or
/// progress concerns the session it belongs to (`session_of`): the session's videos are its jobs.
fn session_change(
    event: studio_core::StudioEvent,
    session_of: impl Fn(&str) -> Option<String>,
) -> Option<SessionChanged> {
    use studio_core::StudioEvent;
    match event {
        StudioEvent::SessionUpdated {
            session_id,
            job_id,
            status,
            stuck,
        } => Some(SessionChanged {
            session_id,
            job_id,
            status: Some(studio_core::heygen_api::models::SessionStatus::from_wire(
                &status,
            )),
            stuck,
            added: 0,
            videos: false,
        }),
        StudioEvent::SessionMessages {
            session_id,
            job_id,
            added,
        } => Some(SessionChanged {
            session_id,
            job_id,
            status: None,
            stuck: false,
            added: u32::try_from(added).unwrap_or(u32::MAX),
            videos: false,
        }),
        StudioEvent::JobState { job_id, .. } | StudioEvent::JobUpdated { job_id, .. } => {
            session_of(&job_id).map(|session_id| SessionChanged {
                session_id,
                job_id: Some(job_id),
                status: None,
                stuck: false,
                added: 0,
                videos: true,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use studio_core::{JobState, StudioEvent};

    fn session_of(job_id: &str) -> Option<String> {
        (job_id == "job_chat").then(|| "sess_1".to_string())
    }

    /// A session's video finishing (its job downloaded) reaches the Session screen as a push:
    /// before, only a re-read every 4 s noticed it.
    #[test]
    fn a_job_of_a_session_changes_its_session() {
        let state = StudioEvent::JobState {
            job_id: "job_chat".into(),
            from: Some(JobState::Downloading),
            to: JobState::Downloaded,
            detail: None,
        };
        let changed = session_change(state, session_of).expect("a session event");
        assert_eq!(changed.session_id, "sess_1");
        assert_eq!(changed.job_id.as_deref(), Some("job_chat"));
        assert!(changed.videos);
        assert_eq!((changed.status, changed.added), (None, 0));

        let progress = StudioEvent::JobUpdated {
            job_id: "job_chat".into(),
            progress: Some(40),
            title: None,
        };
        assert!(session_change(progress, session_of).is_some_and(|c| c.videos));
    }

    #[test]
    fn jobs_without_a_session_and_other_events_say_nothing() {
        let state = StudioEvent::JobUpdated {
            job_id: "job_plain".into(),
            progress: Some(10),
            title: None,
        };
        assert_eq!(session_change(state, session_of), None);
        let limited = StudioEvent::RateLimited {
            retry_after_secs: 3,
        };
        assert_eq!(session_change(limited, session_of), None);
    }

    #[test]
    fn session_events_keep_their_fields() {
        let messages = StudioEvent::SessionMessages {
            session_id: "sess_1".into(),
            job_id: None,
            added: 2,
        };
        let changed = session_change(messages, |_| None).unwrap();
        assert_eq!((changed.added, changed.videos), (2, false));
        let updated = StudioEvent::SessionUpdated {
            session_id: "sess_1".into(),
            job_id: Some("job_chat".into()),
            status: "reviewing".into(),
            stuck: true,
        };
        let changed = session_change(updated, |_| None).unwrap();
        assert_eq!(
            changed.status.as_ref().map(|s| s.as_str()),
            Some("reviewing")
        );
        assert!(changed.stuck && !changed.videos);
    }
}
