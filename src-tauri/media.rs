//! Streaming playback of library videos (issue 15): the loopback playback server
//! (`studio_core::playback`) is bound before the window exists so its exact origin can be added
//! to the CSP's `media-src`, serves a job's files looked up by job id once the studio is open,
//! and the UI asks for a file's URL by (job id, which file) — never by path.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use studio_core::playback::{MediaKind, PlaybackServer, PlaybackUrls, Resolver};
use tauri::utils::config::{Csp, CspDirectiveSources};
use tauri::{AppHandle, Manager, Runtime, State};

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

/// Managed state: how to make playback URLs (None when no port could be bound).
pub struct Playback {
    urls: Option<PlaybackUrls>,
}

/// Binds the playback server. A failure leaves the app usable without in-app playback.
pub fn bind() -> (Option<PlaybackServer>, Playback) {
    match PlaybackServer::bind() {
        Ok(server) => {
            let urls = Some(server.urls());
            (Some(server), Playback { urls })
        }
        Err(error) => {
            eprintln!("Video Agent Studio: in-app playback is off (no loopback port: {error})");
            (None, Playback { urls: None })
        }
    }
}

/// Adds exactly the server's origin to `media-src`, leaving every other directive as it is.
/// (No CSP at all stays none: there is nothing to widen.)
pub fn allow_in_csp(csp: &mut Option<Csp>, origin: &str) {
    let Some(current) = csp.take() else {
        return;
    };
    let mut directives: HashMap<String, CspDirectiveSources> = current.into();
    directives
        .entry("media-src".into())
        .or_insert_with(|| CspDirectiveSources::List(vec!["'self'".into()]))
        .push(origin);
    *csp = Some(Csp::DirectiveMap(directives));
}

/// Starts serving; the resolver reads the job from the store on every request, through the same
/// checked lookup as open and reveal (`studio_core::playback::job_file`).
pub fn serve<R: Runtime>(app: &AppHandle<R>, server: PlaybackServer) {
    let app = app.clone();
    let resolver: Resolver = Arc::new(move |job_id: &str, kind: MediaKind| {
        let handle = app.try_state::<StudioHandle>()?;
        let studio = handle.studio().ok()?;
        studio
            .library_file(job_id, |outputs| kind.path_in(outputs))
            .ok()
            .flatten()
    });
    tauri::async_runtime::spawn(async move {
        if let Err(error) = server.serve(resolver).await {
            eprintln!("Video Agent Studio: the playback server stopped: {error}");
        }
    });
}

/// The URL the player streams a job's video (or captioned video) from.
#[tauri::command]
#[specta::specta]
pub async fn media_url(
    handle: State<'_, StudioHandle>,
    playback: State<'_, Playback>,
    job_id: String,
    file: PlayableFile,
) -> Result<String, CommandError> {
    let urls = playback.urls.as_ref().ok_or_else(|| {
        CommandError::new(
            ErrorCode::PlaybackUnavailable,
            "In-app playback is off on this system. Use “Open” to play it in another app.",
        )
    })?;
    let which = match file {
        PlayableFile::Video => JobFile::Video,
        PlayableFile::Captioned => JobFile::CaptionedVideo,
    };
    job_file(&handle, &job_id, which).await?;
    Ok(urls.url(&job_id, file.into()))
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
    fn csp_gains_only_the_server_origin_in_media_src() {
        let mut csp = Some(Csp::Policy(
            "default-src 'self'; media-src 'self' blob:; img-src 'self'".into(),
        ));
        allow_in_csp(&mut csp, "http://127.0.0.1:4321");
        let text = csp.unwrap().to_string();
        assert!(
            text.contains("media-src 'self' blob: http://127.0.0.1:4321"),
            "{text}"
        );
        assert!(text.contains("img-src 'self'") && !text.contains("img-src 'self' http"));
        assert!(text.contains("default-src 'self'") && !text.contains("default-src 'self' http"));
    }
}
