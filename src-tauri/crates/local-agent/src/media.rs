//! Catalogue media generated lazily on first request and cached under `cache/`: style thumbnails
//! and preview clips, avatar look preview images, voice preview audio, presenter figures.

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use tokio::process::Command;

use crate::catalog;
use crate::cdn::FileRequest;
use crate::error::ApiError;
use crate::render::{font_opt, fonts};
use crate::state::AppState;

fn style_size(aspect: Option<&str>) -> (u32, u32) {
    match aspect {
        Some("16:9") => (480, 270),
        Some("9:16") => (270, 480),
        _ => (360, 360),
    }
}

async fn ffmpeg(args: &[String]) -> Result<(), ApiError> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .await
        .map_err(|e| ApiError::internal(format!("cannot run ffmpeg: {e}")))?;
    if !out.status.success() {
        return Err(ApiError::internal(format!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// Runs `make` to create `path` unless it exists; concurrent callers wait for one generation.
async fn cached<F, Fut>(state: &AppState, path: PathBuf, make: F) -> Result<PathBuf, ApiError>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    if path.exists() {
        return Ok(path);
    }
    let lock = state.media_lock(&path);
    let _g = lock.lock().await;
    if path.exists() {
        return Ok(path);
    }
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("bin")
        .to_string();
    let tmp = path.with_extension(format!("tmp.{ext}"));
    make(tmp.clone()).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(path)
}

fn style_graph(s: &catalog::Style, w: u32, h: u32, moving: bool) -> Result<String, ApiError> {
    let (_, bold) = fonts(match s.typeface {
        catalog::Typeface::Serif => "serif",
        catalog::Typeface::Mono => "mono",
        catalog::Typeface::Condensed => "condensed",
        catalog::Typeface::Sans => "sans",
    });
    let bar_x = if moving {
        format!("'mod(t*{},{w})'", w / 2)
    } else {
        "0".into()
    };
    let name = s.name.replace('\'', "");
    Ok(format!(
        "drawbox=x=0:y={}:w={w}:h={}:color=0x{}:t=fill,drawbox=x={bar_x}:y={}:w={}:h=8:color=0x{}:t=fill,drawtext={}text='{name}':fontcolor=0x{}:fontsize={}:x=(w-text_w)/2:y=(h-text_h)/2",
        h * 2 / 3,
        h / 3,
        s.accent,
        h / 3,
        w / 3,
        s.fg,
        font_opt(&bold),
        s.fg,
        (w.min(h) / 9).max(14),
    ))
}

pub async fn style_thumbnail(state: &AppState, id: &str) -> Result<PathBuf, ApiError> {
    let s =
        catalog::style(id).ok_or_else(|| ApiError::not_found("not_found", "style not found"))?;
    let (w, h) = style_size(s.aspect_ratio);
    let path = state.cache_dir().join("styles").join(format!("{id}.jpg"));
    cached(state, path, |tmp| async move {
        ffmpeg(&[
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            format!("color=c=0x{}:s={w}x{h}:d=1", s.bg),
            "-vf".into(),
            style_graph(s, w, h, false)?,
            "-frames:v".into(),
            "1".into(),
            "-q:v".into(),
            "3".into(),
            tmp.display().to_string(),
        ])
        .await
    })
    .await
}

/// A synthetic style's PNG thumbnail (see `synthetic_styles`), drawn once and cached.
async fn synthetic_thumbnail(
    state: &AppState,
    id: &str,
    index: usize,
) -> Result<PathBuf, ApiError> {
    let s =
        catalog::style(id).ok_or_else(|| ApiError::not_found("not_found", "style not found"))?;
    let (w, h) = style_size(s.aspect_ratio);
    let path = state.cache_dir().join("styles").join(format!("{id}.png"));
    cached(state, path, |tmp| async move {
        tokio::task::spawn_blocking(move || {
            crate::synthetic_styles::write_thumbnail(s, index, w, h, &tmp)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
        Ok(())
    })
    .await
}

pub async fn style_preview(state: &AppState, id: &str) -> Result<PathBuf, ApiError> {
    let s =
        catalog::style(id).ok_or_else(|| ApiError::not_found("not_found", "style not found"))?;
    let (w, h) = style_size(s.aspect_ratio);
    let path = state.cache_dir().join("styles").join(format!("{id}.mp4"));
    cached(state, path, |tmp| async move {
        ffmpeg(&[
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            format!("color=c=0x{}:s={w}x{h}:r=25:d=2", s.bg),
            "-vf".into(),
            format!("{},format=yuv420p", style_graph(s, w, h, true)?),
            "-c:v".into(),
            "libx264".into(),
            "-preset".into(),
            "veryfast".into(),
            "-movflags".into(),
            "+faststart".into(),
            tmp.display().to_string(),
        ])
        .await
    })
    .await
}

/// The presenter figure for a look (transparent PNG), used in rendered scenes.
pub async fn presenter(state: &AppState, look_id: &str) -> Result<PathBuf, ApiError> {
    let look = catalog::look(look_id).unwrap_or(&catalog::LOOKS[0]);
    let path = state
        .cache_dir()
        .join("presenters")
        .join(format!("{}.png", look.id));
    let (outfit, skin) = (look.outfit, look.skin);
    cached(state, path, |tmp| async move {
        tokio::task::spawn_blocking(move || {
            let px = crate::presenter::draw(200, 320, outfit, skin, None);
            crate::presenter::write_png(&tmp, 200, 320, &px)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
        Ok(())
    })
    .await
}

/// A still (PNG) from an attached video, shown in its scene.
pub async fn video_still(state: &AppState, asset_id: &str) -> Result<PathBuf, ApiError> {
    let src = crate::cdn::asset_path(state, asset_id);
    let path = state
        .cache_dir()
        .join("stills")
        .join(format!("{asset_id}.png"));
    cached(state, path, |tmp| async move {
        ffmpeg(&[
            "-i".into(),
            src.display().to_string(),
            "-frames:v".into(),
            "1".into(),
            tmp.display().to_string(),
        ])
        .await
    })
    .await
}

pub async fn look_preview(state: &AppState, id: &str) -> Result<PathBuf, ApiError> {
    // Groups preview with their first look.
    let look = catalog::look(id)
        .or_else(|| catalog::LOOKS.iter().find(|l| l.group_id == id))
        .ok_or_else(|| ApiError::not_found("avatar_not_found", "avatar not found"))?;
    let path = state.cache_dir().join("avatars").join(format!("{id}.png"));
    let (outfit, skin) = (look.outfit, look.skin);
    cached(state, path, |tmp| async move {
        tokio::task::spawn_blocking(move || {
            let px = crate::presenter::draw(400, 400, outfit, skin, Some("e2e8f0"));
            crate::presenter::write_png(&tmp, 400, 400, &px)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
        Ok(())
    })
    .await
}

pub async fn voice_preview(state: &AppState, id: &str) -> Result<PathBuf, ApiError> {
    let v = catalog::voice(id)
        .ok_or_else(|| ApiError::not_found("voice_not_found", "voice not found"))?;
    let path = state.cache_dir().join("voices").join(format!("{id}.mp3"));
    let espeak = state.espeak_available;
    cached(state, path, |tmp| async move {
        let wav = tmp.with_extension("wav");
        let ok = espeak
            && Command::new("espeak-ng")
                .args(["-v", v.espeak, "-w"])
                .arg(&wav)
                .arg(format!(
                    "Hello, I'm {}. I can narrate your next video.",
                    v.name
                ))
                .status()
                .await
                .map(|s| s.success())
                .unwrap_or(false);
        let input = if ok {
            vec!["-i".to_string(), wav.display().to_string()]
        } else {
            vec![
                "-f".into(),
                "lavfi".into(),
                "-i".into(),
                "anullsrc=r=22050:cl=mono:d=2".into(),
            ]
        };
        let mut args = input;
        args.extend([
            "-c:a".into(),
            "libmp3lame".into(),
            "-b:a".into(),
            "64k".into(),
            "-f".into(),
            "mp3".into(),
            tmp.display().to_string(),
        ]);
        let r = ffmpeg(&args).await;
        let _ = tokio::fs::remove_file(&wav).await;
        r
    })
    .await
}

/// `GET /cdn/styles/{style_id}/{file}` — `thumbnail.jpg` or `preview.mp4` (public).
pub async fn style_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    req: FileRequest,
) -> Response {
    // A synthetic style exists only while the agent lists it.
    let synthetic = crate::synthetic_styles::index(&id);
    if synthetic.is_some_and(|i| i >= state.extra_styles()) {
        return ApiError::not_found("not_found", "style not found").into_response();
    }
    let p = match (file.as_str(), synthetic) {
        ("thumbnail.png", Some(i)) => synthetic_thumbnail(&state, &id, i).await,
        ("thumbnail.jpg", _) => style_thumbnail(&state, &id).await,
        ("preview.mp4", _) => style_preview(&state, &id).await,
        _ => Err(ApiError::not_found("not_found", "no such file")),
    };
    req.serve_found(&state, p).await
}

/// `GET /cdn/avatars/{id}/preview.png` (public).
pub async fn avatar_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    req: FileRequest,
) -> Response {
    let p = match file.as_str() {
        "preview.png" => look_preview(&state, &id).await,
        _ => Err(ApiError::not_found("not_found", "no such file")),
    };
    req.serve_found(&state, p).await
}

/// `GET /cdn/voices/{id}/preview.mp3` (public).
pub async fn voice_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    req: FileRequest,
) -> Response {
    let p = match file.as_str() {
        "preview.mp3" => voice_preview(&state, &id).await,
        _ => Err(ApiError::not_found("not_found", "no such file")),
    };
    req.serve_found(&state, p).await
}
