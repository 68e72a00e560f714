//! Desktop notifications that open the right place when clicked: the job in the Library when a
//! video is ready or failed, the session when the agent needs an answer.
//!
//! Straight to the notification server over D-Bus (Tauri's notification plugin cannot report
//! clicks on Linux), on one session-bus connection for the app's life: a single listener thread
//! receives every `ActionInvoked` / `NotificationClosed` signal and looks the notification's id
//! up in the ones shown. (A thread and a connection per notification, waiting for its click,
//! never heard the click inside the app, and leaked both while a notification stayed up.)

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use studio_core::{Job, JobState};
use tauri::{AppHandle, Manager, Runtime};
use zbus::blocking::{Connection, MessageIterator};
use zbus::zvariant::Value;

const SERVER: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
const APP_NAME: &str = "Video Agent Studio";

/// A notification was clicked: the UI shows this job (its session when `session` is true).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenJob {
    pub job_id: String,
    pub session: bool,
}

/// The app's notification bus connection (made on first use) and what each shown notification
/// opens when clicked, by the id the server gave it.
#[derive(Default)]
pub struct Notifications {
    bus: Mutex<Option<Connection>>,
    shown: Mutex<HashMap<u32, OpenJob>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Which notification a job state change earns, if any.
fn message(job: &Job) -> Option<(&'static str, String, bool)> {
    let title = job.title.clone().unwrap_or_else(|| "Your video".into());
    match job.state {
        JobState::Downloaded => {
            Some(("Video ready", format!("{title} is in your library."), false))
        }
        JobState::Failed => Some((
            "Video failed",
            format!(
                "{title}: {}",
                job.failure_message
                    .as_deref()
                    .unwrap_or("the agent could not make it")
            ),
            false,
        )),
        JobState::WaitingForInput => Some((
            "The agent needs your answer",
            format!("{title}: open the session to reply."),
            true,
        )),
        _ => None,
    }
}

/// Shows the notification `job`'s state earns (ready, failed, needs an answer), if any. The
/// D-Bus calls block, so they run on a thread of their own.
pub fn notify_job<R: Runtime>(app: &AppHandle<R>, job: &Job) {
    let Some((heading, body, session)) = message(job) else {
        return;
    };
    let app = app.clone();
    let open = OpenJob {
        job_id: job.id.clone(),
        session,
    };
    std::thread::spawn(move || {
        let Some(notifications) = app.try_state::<Notifications>() else {
            return;
        };
        // Held across the call, so the listener cannot see the click before the id is known.
        let mut shown = lock(&notifications.shown);
        match show(&app, &notifications, heading, &body, true) {
            Ok(id) => {
                shown.insert(id, open);
            }
            // No notification server (a bare X session) is not an error worth showing.
            Err(error) => eprintln!("notification not shown: {error}"),
        }
    });
}

/// A notification without an action (e.g. what quitting means for running jobs). Returns once
/// the server has it, so it is not lost when the app exits right after.
pub fn notify_plain<R: Runtime>(app: &AppHandle<R>, heading: &str, body: &str) {
    let Some(notifications) = app.try_state::<Notifications>() else {
        return;
    };
    if let Err(error) = show(app, &notifications, heading, body, false) {
        eprintln!("notification not shown: {error}");
    }
}

/// Sends one notification (`Notify`); returns its id.
fn show<R: Runtime>(
    app: &AppHandle<R>,
    notifications: &Notifications,
    heading: &str,
    body: &str,
    clickable: bool,
) -> zbus::Result<u32> {
    let bus = {
        let mut bus = lock(&notifications.bus);
        match &*bus {
            Some(connection) => connection.clone(),
            None => bus.insert(connect(app)?).clone(),
        }
    };
    let actions: &[&str] = if clickable { &["default", "Open"] } else { &[] };
    let hints: HashMap<&str, Value> = HashMap::new();
    let reply = bus.call_method(
        Some(SERVER),
        PATH,
        Some(SERVER),
        "Notify",
        &(APP_NAME, 0u32, "", heading, body, actions, hints, -1i32),
    )?;
    reply.body().deserialize::<u32>()
}

/// Opens the session-bus connection and starts listening for clicks (subscribed before the
/// first notification is sent, so no click can come too early).
fn connect<R: Runtime>(app: &AppHandle<R>) -> zbus::Result<Connection> {
    let bus = Connection::session()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(SERVER)?
        .path(PATH)?
        .build();
    let signals = MessageIterator::for_match_rule(rule, &bus, Some(64))?;
    let app = app.clone();
    std::thread::Builder::new()
        .name("notification-clicks".into())
        .spawn(move || listen(app, signals))
        .map_err(|e| zbus::Error::Failure(e.to_string()))?;
    Ok(bus)
}

/// Runs for the app's life: a click on one of our notifications shows its job or session.
fn listen<R: Runtime>(app: AppHandle<R>, signals: MessageIterator) {
    for signal in signals.flatten() {
        let header = signal.header();
        let clicked = match header.member().map(|m| m.as_str()) {
            Some("ActionInvoked") => match signal.body().deserialize::<(u32, String)>() {
                Ok((id, action)) => Some((id, action == "default")),
                Err(_) => None,
            },
            Some("NotificationClosed") => match signal.body().deserialize::<(u32, u32)>() {
                Ok((id, _reason)) => Some((id, false)),
                Err(_) => None,
            },
            _ => None,
        };
        let Some((id, open)) = clicked else { continue };
        let Some(notifications) = app.try_state::<Notifications>() else {
            continue;
        };
        // Another app's notification (same server, same signals) is not in the map.
        let Some(job) = lock(&notifications.shown).remove(&id) else {
            continue;
        };
        if open {
            let publisher = app.clone();
            crate::desktop_launch::show_main_window_then(&app, move || {
                crate::ui_events::publish(&publisher, job);
            });
        }
    }
}
