//! Work in the background: the tray icon (how many videos are in progress and how far, open
//! the window, quit) and what closing the window does while videos are being made — asked once,
//! then remembered (`studio_core::desktop::prefs`).

use serde::{Deserialize, Serialize};
use studio_core::desktop::background::{self, Running};
use studio_core::desktop::prefs::{DesktopPrefs, PrefsStore};
use studio_core::Studio;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime, State, Window};

use crate::error::{CommandError, ErrorCode};
use crate::studio_handle::StudioHandle;

/// The tray icon and its status line, kept to update them.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
}

/// The window was closed while videos are being made and the user has not said yet whether
/// to keep working in the tray: the UI asks, then calls `resolve_close`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CloseAsked {
    pub running: u32,
    /// What quitting means for them ("…resume the next time you open…").
    pub quit_message: String,
}

/// How long after the page has loaded the tray icon is made. Making it (loading the indicator
/// libraries, building the menu, registering with the desktop over D-Bus) takes the main thread,
/// which also serves the page and carries WebKit's messages, while the web process lays out the
/// first screen; nothing needs the icon in the first second.
const TRAY_AFTER_PAGE_LOAD: std::time::Duration = std::time::Duration::from_secs(1);

/// Makes the tray icon a moment after the main page has loaded (once; later loads change nothing).
pub fn create_after_page_load<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(TRAY_AFTER_PAGE_LOAD).await;
        let main_thread_app = app.clone();
        let _ = app.run_on_main_thread(move || ensure(&main_thread_app));
    });
}

/// The tray icon exists (made now if it was not yet). Main thread only. No tray host (a bare X
/// session) is not a reason to fail: the window still works.
pub fn ensure<R: Runtime>(app: &AppHandle<R>) {
    if app.try_state::<Tray<R>>().is_some() {
        return;
    }
    if let Err(error) = create(app) {
        eprintln!("tray icon not shown: {error}");
    }
}

/// Creates the tray icon with its menu.
fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "No videos in progress", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Video Agent Studio", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&status, &separator, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Video Agent Studio")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => crate::desktop_launch::show_main_window(app),
            "quit" => quit_app(app),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray { icon, status });
    refresh(app);
    Ok(())
}

fn running<R: Runtime>(app: &AppHandle<R>) -> Running {
    app.try_state::<StudioHandle>()
        .and_then(|handle| handle.studio().ok().and_then(|s| s.jobs().ok()))
        .map(|jobs| background::running(&jobs))
        .unwrap_or_default()
}

/// Updates the tray's status line and label from the jobs (called on every job change).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let Some(tray) = app.try_state::<Tray<R>>() else {
        return;
    };
    let now = running(app);
    let _ = tray.status.set_text(now.status_line());
    let _ = tray
        .icon
        .set_tooltip(Some(format!("Video Agent Studio — {}", now.status_line())));
    // The label next to the icon (where the desktop shows one): "2 · 40%".
    let label = match (now.count, now.progress) {
        (0, _) => None,
        (n, Some(p)) => Some(format!("{n} · {p}%")),
        (n, None) => Some(n.to_string()),
    };
    let _ = tray.icon.set_title(label);
}

/// Quits; when videos are still being made, says they resume next time.
pub fn quit_app<R: Runtime>(app: &AppHandle<R>) {
    if let Some(message) = running(app).quit_message() {
        crate::desktop_notify::notify_plain(app, "Video Agent Studio quit", &message);
    }
    app.exit(0);
}

fn prefs(studio: &Studio) -> PrefsStore {
    PrefsStore::new(studio.data_dir())
}

/// The main window's close button. Nothing running: the app closes. Videos in progress: hide
/// to the tray or quit as the user chose before, or ask (the UI shows the question).
pub fn on_close_requested<R: Runtime>(window: &Window<R>, api: &tauri::CloseRequestApi) {
    let app = window.app_handle();
    let now = running(app);
    let Some(quit_message) = now.quit_message() else {
        return;
    };
    let choice = app
        .try_state::<StudioHandle>()
        .and_then(|handle| handle.studio().ok().map(|s| prefs(s).load()))
        .unwrap_or_default()
        .keep_running_in_tray;
    match choice {
        Some(true) => {
            api.prevent_close();
            // Closed within the first second: the icon that brings the window back exists.
            ensure(app);
            let _ = window.hide();
        }
        Some(false) => {
            crate::desktop_notify::notify_plain(app, "Video Agent Studio quit", &quit_message);
        }
        None => {
            api.prevent_close();
            crate::ui_events::publish(
                app,
                CloseAsked {
                    running: now.count as u32,
                    quit_message,
                },
            );
        }
    }
}

/// The answer to `CloseAsked`: remembered, then applied (hide to the tray, or quit).
#[tauri::command]
#[specta::specta]
pub fn resolve_close<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    keep_in_tray: bool,
) -> Result<(), CommandError> {
    prefs(handle.studio()?)
        .save(&DesktopPrefs {
            keep_running_in_tray: Some(keep_in_tray),
        })
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!("The choice was not saved: {e}"),
            )
        })?;
    if keep_in_tray {
        ensure(&app);
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.hide();
        }
    } else {
        quit_app(&app);
    }
    Ok(())
}
