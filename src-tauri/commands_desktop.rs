//! Desktop integration: file and folder pickers (rfd on GTK), checking attachments, showing a
//! job's file in its folder or opening it, and opening allow-listed web pages.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{CommandError, ErrorCode};
use crate::library_scope::LibraryScope;
use crate::received::ReceivedPaths;
use crate::studio_handle::StudioHandle;
use crate::views::{FileInfo, SettingsView};

/// What `inspect_files` answers for a path Rust did not receive — the same whether the file
/// exists or not, so the answer reveals nothing about the disk.
fn not_received(path: &str) -> FileInfo {
    FileInfo {
        path: path.to_string(),
        name: Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size: 0.0,
        mime: None,
        problem: Some("Add this file with \"Add files…\" or by dropping it on the window.".into()),
    }
}

/// Reads each file's size and sniffs its type, so Create can show a chip with a problem before
/// anything is uploaded. Also lets the web view show the file (asset protocol) as a thumbnail.
/// Only paths Rust received (picker, drop, launch) are looked at or added to the asset scope.
/// A received folder stands for the files directly in it (one info per file; those files count
/// as received too).
#[tauri::command]
#[specta::specta]
pub async fn inspect_files<R: Runtime>(
    app: AppHandle<R>,
    received: State<'_, ReceivedPaths>,
    paths: Vec<String>,
) -> Result<Vec<FileInfo>, CommandError> {
    let known: Vec<bool> = paths
        .iter()
        .map(|p| received.contains(Path::new(p)))
        .collect();
    let (infos, expanded) = tauri::async_runtime::spawn_blocking(move || {
        let mut infos = Vec::new();
        let mut expanded = Vec::new();
        for (p, known) in paths.iter().zip(known) {
            if !known {
                infos.push(not_received(p));
                continue;
            }
            let path = PathBuf::from(p);
            for file in studio_core::desktop::dropped::expand_folders(std::slice::from_ref(&path)) {
                if file != path {
                    expanded.push(file.clone());
                }
                infos.push(inspect(&file));
            }
        }
        (infos, expanded)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
    received.add(expanded);
    let scope = app.asset_protocol_scope();
    for info in infos.iter().filter(|i| i.problem.is_none()) {
        let _ = scope.allow_file(&info.path);
    }
    Ok(infos)
}

fn inspect(path: &Path) -> FileInfo {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (mime, problem) = match studio_core::jobs::validate::check_file(path) {
        Ok(checked) => (Some(checked.mime_type.to_string()), None),
        Err(error) => (None, Some(error.view().message)),
    };
    FileInfo {
        path: path.display().to_string(),
        name,
        size: size as f64,
        mime,
        problem,
    }
}

/// "Add files…": a native file dialog. Returns the chosen paths (empty when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_files<R: Runtime>(app: AppHandle<R>) -> Result<Vec<String>, CommandError> {
    let picked = off_main_thread(|| {
        rfd::FileDialog::new()
            .set_title("Add files to the video")
            .add_filter(
                "Images, video, audio, PDF",
                &["png", "jpg", "jpeg", "mp4", "webm", "mp3", "wav", "pdf"],
            )
            .add_filter("All files", &["*"])
            .pick_files()
    })
    .await?;
    let picked = picked.unwrap_or_default();
    app.state::<ReceivedPaths>().add(picked.iter().cloned());
    Ok(picked.iter().map(|p| p.display().to_string()).collect())
}

/// A native folder dialog for the library folder; the chosen folder becomes the library (Rust
/// stores it: the web view never names the folder). Returns the saved settings, or None when
/// cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_folder<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
) -> Result<Option<SettingsView>, CommandError> {
    let studio = handle.studio()?;
    let start = studio.settings().effective_library_dir();
    let picked = off_main_thread(move || {
        rfd::FileDialog::new()
            .set_title("Choose the library folder")
            .set_directory(start)
            .pick_folder()
    })
    .await?;
    let Some(folder) = picked else {
        return Ok(None);
    };
    let saved = studio
        .update_settings(studio_core::Settings {
            library_dir: Some(folder),
            ..studio.settings()
        })
        .await?;
    app.state::<LibraryScope>()
        .set(&app, &saved.effective_library_dir());
    Ok(Some(SettingsView::from(&saved)))
}

/// rfd's blocking GTK dialogs hand the dialog to GTK's main loop (an idle callback on the main
/// context) and wait for the answer. Called on the main thread they wait for themselves: the
/// callback never runs and the whole app freezes (found by the e2e driving the real dialogs).
/// So the command waits on a worker thread while the main loop shows the dialog, as Tauri's own
/// dialog plugin does.
pub(crate) async fn off_main_thread<T: Send + 'static>(
    dialog: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(dialog)
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::DialogFailed,
                format!("The dialog could not open: {e}"),
            )
        })
}

/// Which of a job's files to open or reveal.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum JobFile {
    Video,
    Thumbnail,
    Subtitles,
    CaptionedVideo,
}

/// The file the studio wrote for `job_id`, looked up in the store (one job), canonicalised.
/// Refused when the job has no such file or when the stored path is (or passes through) a
/// symlink that leads elsewhere. The web view never names the path.
pub(crate) async fn job_file(
    handle: &StudioHandle,
    job_id: &str,
    which: JobFile,
) -> Result<PathBuf, CommandError> {
    let studio = handle.studio()?.clone();
    let job_id = job_id.to_string();
    tauri::async_runtime::spawn_blocking(move || {
        let missing = || {
            CommandError::new(
                ErrorCode::NotInLibrary,
                "That file is not in your library (it may have been moved or deleted).",
            )
        };
        let found = studio.library_file(&job_id, |o| {
            match which {
                JobFile::Video => &o.video,
                JobFile::Thumbnail => &o.thumbnail,
                JobFile::Subtitles => &o.subtitles,
                JobFile::CaptionedVideo => &o.captioned_video,
            }
            .as_deref()
        })?;
        found.ok_or_else(missing)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
}

/// Shows a job's file in the system file manager.
#[tauri::command]
#[specta::specta]
pub async fn reveal_in_folder<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    job_id: String,
    file: JobFile,
) -> Result<(), CommandError> {
    let path = job_file(&handle, &job_id, file).await?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        CommandError::new(
            ErrorCode::OpenFailed,
            format!("The file manager could not be opened: {e}"),
        )
    })
}

/// Opens a job's file with the system's default app.
#[tauri::command]
#[specta::specta]
pub async fn open_file<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    job_id: String,
    file: JobFile,
) -> Result<(), CommandError> {
    let path = job_file(&handle, &job_id, file).await?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new(ErrorCode::OpenFailed, format!("No app could open it: {e}")))
}

/// Web pages the app may open in the user's browser: HeyGen's own sites, over https.
const EXTERNAL_HOSTS: &[&str] = &[
    "heygen.com",
    "www.heygen.com",
    "app.heygen.com",
    "docs.heygen.com",
    "help.heygen.com",
];

/// Whether `url` may be opened by [`open_external`].
pub fn external_url_allowed(url: &str) -> bool {
    tauri::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "https"
            && u.username().is_empty()
            && u.password().is_none()
            && u.port().is_none()
            && u.host_str().is_some_and(|h| EXTERNAL_HOSTS.contains(&h))
    })
}

/// Opens an allow-listed web page (HeyGen's sites) in the default browser. The web view itself
/// never navigates away from the app, and the opener's link-click script is off.
#[tauri::command]
#[specta::specta]
pub async fn open_external<R: Runtime>(app: AppHandle<R>, url: String) -> Result<(), CommandError> {
    if !external_url_allowed(&url) {
        return Err(CommandError::new(
            ErrorCode::LinkRefused,
            "Only HeyGen's own web pages can be opened from the app.",
        ));
    }
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        CommandError::new(
            ErrorCode::OpenFailed,
            format!("No browser could open it: {e}"),
        )
    })
}
