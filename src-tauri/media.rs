//! Playback of library videos in the app (issue 15): the player (`studio_core::playback`) runs
//! in our process and the window paints its frames where the page places the picture
//! (`media_view.rs`). The page opens a player by (job id, which file) — never by path — and
//! steers it by the player's id.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use studio_core::playback::{FrameBox, MediaKind, PlayerControl, PlayerState, Players};
use tauri::{AppHandle, Runtime, State};

use crate::commands_desktop::{job_file, JobFile};
use crate::error::{CommandError, ErrorCode};
use crate::media_view::{self, PlayerPlacement, PlayerViews};
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

/// Managed state: the open players and their pictures on the window.
#[derive(Default)]
pub struct Playback {
    players: Arc<Players>,
    views: PlayerViews,
}

impl Playback {
    /// Paints the players' pictures on the main window from now on.
    pub fn attach<R: Runtime>(&self, app: &AppHandle<R>) {
        media_view::attach(app, self.views.clone());
    }

    /// Closes every player (their pictures leave the window as their frames end).
    pub fn close_all(&self) {
        let players = self.players.clone();
        // Stopping a pipeline waits for its threads: not on the main thread.
        tauri::async_runtime::spawn_blocking(move || players.close_all());
    }
}

/// A player the page opened: its id (for control, placement and close).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenedPlayer {
    pub id: String,
}

/// Opens a player on a job's video (or captioned video), sized for the box the page shows it in
/// (device pixels). Its state reaches the page as `playerState` events on every change until it
/// is closed; its frames show where the page places them (`player_view`).
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
    if let Some(frames) = playback.players.frames(&id) {
        media_view::follow(app.clone(), playback.views.clone(), id.clone(), frames);
    }
    forward_state(app, id.clone(), state);
    Ok(OpenedPlayer { id })
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

/// Play, pause, seek, volume or mute.
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
        Err(closed())
    }
}

fn closed() -> CommandError {
    CommandError::new(
        ErrorCode::PlaybackUnavailable,
        "This player was closed; open the video again.",
    )
}

/// Shows a player's picture where the page laid out its box, with the caption to draw over
/// it, or hides it (`None`: covered, or a problem shown in its place). Sent on every change.
#[tauri::command]
#[specta::specta]
pub fn player_view<R: Runtime>(
    app: AppHandle<R>,
    playback: State<'_, Playback>,
    id: String,
    placement: Option<PlayerPlacement>,
) -> Result<(), CommandError> {
    let placed = match placement.map(PlayerPlacement::checked).transpose() {
        Ok(placed) => placed.flatten(),
        Err(why) => return Err(CommandError::new(ErrorCode::InvalidParameter, why)),
    };
    let repaint = playback.views.place(&id, placed).map_err(|()| closed())?;
    if !repaint.is_empty() {
        media_view::repaint(&app, repaint, None);
    }
    Ok(())
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
