//! Desktop integration: file and folder pickers (rfd on GTK), checking attachments, showing a
//! file in its folder or opening it, and (for end-to-end tests only) a simulated file drop.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::{AppHandle, Emitter, EventTarget, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::engine::Engine;
use crate::error::CommandError;
use crate::views::FileInfo;

/// Environment variable that enables `e2e_drop_files` (set only by the end-to-end runner).
pub const E2E_ENV: &str = "VAS_E2E";

/// Reads each file's size and sniffs its type, so Create can show a chip with a problem before
/// anything is uploaded. Also lets the web view show the file (asset protocol) as a thumbnail.
#[tauri::command]
#[specta::specta]
pub async fn inspect_files<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
) -> Result<Vec<FileInfo>, CommandError> {
    let infos = tauri::async_runtime::spawn_blocking(move || {
        paths
            .iter()
            .map(|p| inspect(Path::new(p)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| CommandError::new("internal", e.to_string()))?;
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
    let picked = on_main_thread(&app, || {
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
    Ok(picked
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect())
}

/// A native folder dialog for the library folder. Returns None when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_folder<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
) -> Result<Option<String>, CommandError> {
    let start = engine.studio()?.settings().effective_library_dir();
    let picked = on_main_thread(&app, move || {
        rfd::FileDialog::new()
            .set_title("Choose the library folder")
            .set_directory(start)
            .pick_folder()
    })
    .await?;
    Ok(picked.map(|p| p.display().to_string()))
}

/// rfd's GTK dialogs must run on the GTK main thread; the command waits for the answer there.
async fn on_main_thread<R: Runtime, T: Send + 'static>(
    app: &AppHandle<R>,
    dialog: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = tx.send(dialog());
    })
    .map_err(|e| CommandError::new("dialog_failed", format!("The dialog could not open: {e}")))?;
    rx.await
        .map_err(|_| CommandError::new("dialog_failed", "The dialog closed unexpectedly."))
}

/// Only files the engine wrote (a job's outputs) or the library folder may be revealed/opened.
fn job_file(engine: &Engine, path: &str) -> Result<PathBuf, CommandError> {
    let studio = engine.studio()?;
    let path = PathBuf::from(path);
    let library = studio.settings().effective_library_dir();
    let known = path.starts_with(&library)
        || studio.jobs()?.iter().any(|job| {
            let o = &job.outputs;
            [&o.video, &o.thumbnail, &o.subtitles, &o.captioned_video]
                .into_iter()
                .flatten()
                .any(|p| p == &path)
        });
    if !known {
        return Err(CommandError::new(
            "not_in_library",
            "Only files in the library folder can be opened from here.",
        ));
    }
    Ok(path)
}

/// Shows a job's file (or the library folder) in the system file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_in_folder<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    path: String,
) -> Result<(), CommandError> {
    let path = job_file(&engine, &path)?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        CommandError::new(
            "open_failed",
            format!("The file manager could not be opened: {e}"),
        )
    })
}

/// Opens a job's file with the system's default app.
#[tauri::command]
#[specta::specta]
pub fn open_file<R: Runtime>(
    app: AppHandle<R>,
    engine: State<'_, Engine>,
    path: String,
) -> Result<(), CommandError> {
    let path = job_file(&engine, &path)?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new("open_failed", format!("No app could open it: {e}")))
}

/// Same shape as Tauri's own drag-drop payload (`tauri://drag-drop`).
#[derive(Clone, Serialize)]
struct DropPayload<'a> {
    paths: &'a [PathBuf],
    position: Position,
}

#[derive(Clone, Serialize)]
struct Position {
    x: f64,
    y: f64,
}

/// End-to-end tests only (refused unless the app was started with `VAS_E2E=1`): emits the very
/// events the webview's drag-drop handler receives for a real drop, so the UI code path is the
/// same. A real OS drag cannot be synthesised: WebDriver has no native drag-and-drop across
/// windows, and under Xvfb there is no second X client holding XDND data to drag from.
#[tauri::command]
#[specta::specta]
pub fn e2e_drop_files<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
) -> Result<(), CommandError> {
    if std::env::var_os(E2E_ENV).is_none() {
        return Err(CommandError::new(
            "not_available",
            "Simulated drops are only for end-to-end tests.",
        ));
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let scope = app.asset_protocol_scope();
    for path in &paths {
        let _ = scope.allow_file(path);
    }
    let target = EventTarget::webview("main");
    let position = Position { x: 400.0, y: 300.0 };
    let emit = |event: &str, payload: DropPayload<'_>| {
        app.emit_to(target.clone(), event, payload)
            .map_err(|e| CommandError::new("internal", e.to_string()))
    };
    emit(
        "tauri://drag-enter",
        DropPayload {
            paths: &paths,
            position: position.clone(),
        },
    )?;
    // No paths: the drag hovers (the overlay shows) and nothing is dropped yet.
    if paths.is_empty() {
        return Ok(());
    }
    emit(
        "tauri://drag-drop",
        DropPayload {
            paths: &paths,
            position,
        },
    )
}
