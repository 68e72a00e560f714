//! One instance: a second launch (a file manager's "Open with", a second click on the icon)
//! hands its arguments to the running app over D-Bus (tauri-plugin-single-instance) and exits;
//! the running app comes to the front and attaches the files. The first launch's own files go
//! the same way. Parsing lives in `studio_core::desktop::open_args`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use studio_core::desktop::open_args::{self, OpenedFiles};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::CommandError;

/// Files handed over and not yet taken by the UI (it takes them at start and on `FilesOpened`,
/// so files that arrive before the page listens are not lost).
#[derive(Default)]
pub struct OpenedQueue(Mutex<Vec<OpenedFiles>>);

/// Files were handed to the app; the UI takes them with `take_opened_files`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FilesOpened {
    /// How many files this launch handed over.
    pub count: u32,
}

/// What launches handed over since the UI last asked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenedFilesView {
    /// Files to attach to the draft.
    pub attach: Vec<String>,
    /// CSV files: a batch to import (the UI opens the batch import when it has one).
    pub csv: Vec<String>,
}

/// The plugin, to be registered before any other so a second instance exits before it opens
/// the studio (and with it the database and the tracker).
pub fn single_instance<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::init(|app, argv, cwd| {
        show_main_window(app);
        receive(app, open_args::parse(&argv, Path::new(&cwd)));
    })
}

/// The first launch's own arguments (the app was not running when "Open with" started it).
pub fn receive_own_arguments<R: Runtime>(app: &AppHandle<R>) {
    let args: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    receive(app, open_args::parse(&args, &cwd));
}

/// Brings the main window to the front (shown again if it was in the tray). Runs on the main
/// thread, in order, wherever it is called from (a D-Bus thread for the second launch and for
/// notification clicks): focusing a window whose showing has not happened yet does nothing.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    show_main_window_then(app, || {});
}

/// Shows the main window, then runs `then` on the main thread: what the UI is told after a
/// click (which job to show) reaches a page that is already shown, not one hidden in the tray.
pub fn show_main_window_then<R: Runtime>(app: &AppHandle<R>, then: impl FnOnce() + Send + 'static) {
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || {
        if let Some(window) = handle.get_webview_window("main") {
            let _ = window.show();
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
        then();
    });
}

fn receive<R: Runtime>(app: &AppHandle<R>, opened: OpenedFiles) {
    if opened.is_empty() {
        return;
    }
    register_received(app, opened.attach.iter().chain(&opened.csv));
    let count = (opened.attach.len() + opened.csv.len()) as u32;
    if let Some(queue) = app.try_state::<OpenedQueue>() {
        queue
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(opened);
    }
    crate::ui_events::publish(app, FilesOpened { count });
}

/// Paths Rust itself received (here: from the OS on a launch) join the shell's registry of
/// received paths, so `inspect_files` looks at them and shows their thumbnails like a drop's.
fn register_received<'a, R: Runtime>(app: &AppHandle<R>, paths: impl Iterator<Item = &'a PathBuf>) {
    if let Some(received) = app.try_state::<crate::received::ReceivedPaths>() {
        received.add(paths.cloned());
    }
}

/// Takes the files handed over since the last call.
#[tauri::command]
#[specta::specta]
pub fn take_opened_files(queue: State<'_, OpenedQueue>) -> Result<OpenedFilesView, CommandError> {
    let taken = std::mem::take(&mut *queue.0.lock().unwrap_or_else(|e| e.into_inner()));
    let text = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    Ok(taken
        .iter()
        .fold(OpenedFilesView::default(), |mut view, opened| {
            view.attach.extend(text(&opened.attach));
            view.csv.extend(text(&opened.csv));
            view
        }))
}

#[cfg(test)]
mod tests {
    /// The desktop entry the .deb and .rpm install: "Open with" offers the app for every type
    /// it can attach (and CSV batches), and passes the files (`%F`) to it.
    #[test]
    fn the_desktop_entry_takes_files_of_every_attachable_type() {
        let entry = include_str!("video-agent-studio.desktop");
        let exec = entry.lines().find(|l| l.starts_with("Exec=")).unwrap();
        assert!(exec.ends_with(" %F"), "{exec}");
        let mime = entry.lines().find(|l| l.starts_with("MimeType=")).unwrap();
        for kind in [
            "image/png",
            "image/jpeg",
            "video/mp4",
            "video/webm",
            "audio/mpeg",
            "audio/wav",
            "application/pdf",
            "text/csv",
        ] {
            assert!(
                mime.contains(&format!("{kind};")),
                "{kind} missing from {mime}"
            );
        }
    }
}
