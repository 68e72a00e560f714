//! Playback of library videos in the app (issue 15): the player (`studio_core::playback`) runs
//! in our process and the page shows its frames from the loopback frame server, which is bound
//! before the window exists so its exact origin can be added to the CSP's `img-src`. The page
//! opens a player by (job id, which file) — never by path — and steers it by the player's id.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use studio_core::playback::{
    FrameBox, MediaKind, PlaybackServer, PlaybackUrls, PlayerControl, PlayerState, Players,
};
use tauri::utils::config::{Csp, CspDirectiveSources};
use tauri::{AppHandle, Runtime, State};

use crate::commands_desktop::{job_file, JobFile};
use crate::error::{CommandError, ErrorCode};
use crate::studio_handle::StudioHandle;

/// Captions larger than this are not a subtitle file we wrote; refuse instead of shipping them.
const MAX_CAPTIONS_BYTES: u64 = 4 * 1024 * 1024;

/// Which playable file of a job the UI asks for: the video as made, or with captions burnt in.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PlayableFile {
    Video,
    Captioned,
}

impl From<PlayableFile> for MediaKind {
    fn from(file: PlayableFile) -> Self {
        match file {
            PlayableFile::Video => MediaKind::Video,
            PlayableFile::Captioned => MediaKind::Captioned,
        }
    }
}

/// Managed state: the open players, and how to make their frame URLs (None when no port could
/// be bound).
pub struct Playback {
    urls: Option<PlaybackUrls>,
    players: Arc<Players>,
}

/// A player the page opened: its id (for control and close) and where its frames are.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenedPlayer {
    pub id: String,
    pub frames_url: String,
}

/// Binds the playback server. A failure leaves the app usable without in-app playback.
pub fn bind() -> (Option<PlaybackServer>, Playback) {
    match PlaybackServer::bind() {
        Ok(server) => {
            let urls = Some(server.urls());
            let players = Arc::new(Players::new());
            (Some(server), Playback { urls, players })
        }
        Err(error) => {
            eprintln!("Video Agent Studio: in-app playback is off (no loopback port: {error})");
            let players = Arc::new(Players::new());
            (
                None,
                Playback {
                    urls: None,
                    players,
                },
            )
        }
    }
}

/// Adds exactly the server's origin to `img-src` (the frames are an `<img>`), leaving every
/// other directive as it is. (No CSP at all stays none: there is nothing to widen.)
pub fn allow_in_csp(csp: &mut Option<Csp>, origin: &str) {
    let Some(current) = csp.take() else {
        return;
    };
    let mut directives: HashMap<String, CspDirectiveSources> = current.into();
    directives
        .entry("img-src".into())
        .or_insert_with(|| CspDirectiveSources::List(vec!["'self'".into()]))
        .push(origin);
    *csp = Some(Csp::DirectiveMap(directives));
}

/// Starts serving frames of the players the page opens.
pub fn serve(server: PlaybackServer, playback: &Playback) {
    let players = playback.players.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = server.serve(players).await {
            eprintln!("Video Agent Studio: the playback server stopped: {error}");
        }
    });
}

/// Opens a player on a job's video (or captioned video), sized for the box the page shows it in
/// (device pixels). Its state reaches the page as `playerState` events on every change until it
/// is closed; the page shows its frames from `framesUrl`.
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn player_open<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    playback: State<'_, Playback>,
    job_id: String,
    file: PlayableFile,
    width: u32,
    height: u32,
    autoplay: bool,
) -> Result<OpenedPlayer, CommandError> {
    let urls = playback.urls.as_ref().ok_or_else(unavailable)?;
    let which = match file {
        PlayableFile::Video => JobFile::Video,
        PlayableFile::Captioned => JobFile::CaptionedVideo,
    };
    let path = job_file(&handle, &job_id, which).await?;
    let players = playback.players.clone();
    let frame = FrameBox { width, height };
    let (id, state) =
        tauri::async_runtime::spawn_blocking(move || players.open(&path, frame, autoplay))
            .await
            .map_err(|e| CommandError::new(ErrorCode::PlaybackUnavailable, e.to_string()))?
            .map_err(|e| {
                CommandError::new(
            ErrorCode::PlaybackUnavailable,
            format!("The video cannot play in the app: {e}. Use “Open” to play it in another app."),
        )
            })?;
    forward_state(app, id.clone(), state);
    Ok(OpenedPlayer {
        frames_url: urls.frames(&id),
        id,
    })
}

/// Publishes each change of a player's state to the page, until the player is closed.
fn forward_state<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    mut state: tokio::sync::watch::Receiver<PlayerState>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let now = state.borrow_and_update().clone();
            let update = PlayerUpdate {
                id: id.clone(),
                state: now,
            };
            crate::ui_events::publish(&app, update);
            if state.changed().await.is_err() {
                return;
            }
        }
    });
}

/// A player's state changed (every field, not a difference).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PlayerUpdate {
    pub id: String,
    pub state: PlayerState,
}

/// Play, pause, seek, volume or mute, or the page's word that it keeps up with the frames.
#[tauri::command]
#[specta::specta]
pub fn player_control(
    playback: State<'_, Playback>,
    id: String,
    control: PlayerControl,
) -> Result<(), CommandError> {
    if playback.players.control(&id, control) {
        Ok(())
    } else {
        Err(CommandError::new(
            ErrorCode::PlaybackUnavailable,
            "This player was closed; open the video again.",
        ))
    }
}

/// Stops a player and frees it (the page closes the video, or shows another).
#[tauri::command]
#[specta::specta]
pub async fn player_close(playback: State<'_, Playback>, id: String) -> Result<(), CommandError> {
    let players = playback.players.clone();
    // Stopping a pipeline waits for its threads: not on the IPC thread.
    let _ = tauri::async_runtime::spawn_blocking(move || players.close(&id)).await;
    Ok(())
}

fn unavailable() -> CommandError {
    CommandError::new(
        ErrorCode::PlaybackUnavailable,
        "In-app playback is off on this system. Use “Open” to play it in another app.",
    )
}

/// The text of a job's downloaded subtitles (SRT); the player turns it into a captions track.
#[tauri::command]
#[specta::specta]
pub async fn job_captions(
    handle: State<'_, StudioHandle>,
    job_id: String,
) -> Result<String, CommandError> {
    let none = || CommandError::new(ErrorCode::NoCaptions, "This video has no captions file.");
    let path = job_file(&handle, &job_id, JobFile::Subtitles)
        .await
        .map_err(|_| none())?;
    let size = tokio::fs::metadata(&path).await.map_err(|_| none())?.len();
    if size > MAX_CAPTIONS_BYTES {
        return Err(CommandError::new(
            ErrorCode::CaptionsTooLarge,
            "The captions file is too large to show in the player.",
        ));
    }
    let bytes = tokio::fs::read(&path).await.map_err(|_| none())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_gains_only_the_server_origin_in_img_src() {
        let mut csp = Some(Csp::Policy(
            "default-src 'self'; media-src 'self' blob:; img-src 'self' data:".into(),
        ));
        allow_in_csp(&mut csp, "http://127.0.0.1:4321");
        let text = csp.unwrap().to_string();
        assert!(
            text.contains("img-src 'self' data: http://127.0.0.1:4321"),
            "{text}"
        );
        assert!(
            text.contains("media-src 'self' blob:")
                && !text.contains("media-src 'self' blob: http")
        );
        assert!(text.contains("default-src 'self'") && !text.contains("default-src 'self' http"));
    }
}
