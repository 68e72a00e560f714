//! Events for the page, and how they reach it: the shell publishes each one into a bounded,
//! numbered queue, and the page collects them with one waiting command (`next_events`, a long
//! poll over the same IPC as every other command).
//!
//! Why not Tauri's events: each `listen`, `unlisten` and `emit` runs a script in the web view,
//! and WebKit hands every script's result back to the app's process as a JavaScriptCore value,
//! which starts a JavaScript engine there (3.5 MiB resident, measured at start-up, where the
//! page's nine subscriptions did it). A command's answer travels over the IPC protocol and needs
//! none. It also takes the event permissions away from the page: it can neither listen to
//! Tauri's own events nor emit any.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::{Manager, Runtime, State};

use crate::error::{CommandError, ErrorCode};
use crate::events::FileDrop;

/// Events kept for a page that is behind; an older one is dropped and the page told so.
/// (Events a page has collected are dropped when it asks for the next ones, so the queue is
/// normally empty or nearly so.)
pub const CAPACITY: usize = 1024;

/// How long `next_events` waits for something to happen before it answers with nothing.
pub const LONGEST_WAIT: Duration = Duration::from_secs(25);

/// Declares `UiEvent` and, for each payload type, `From` into it (one list, so the two cannot
/// drift).
macro_rules! ui_events {
    ($($variant:ident($payload:ty)),* $(,)?) => {
        /// Everything the shell tells the page, in the order it happened.
        // Short-lived: a few events wait in the queue at a time, so boxing the job's view buys
        // nothing.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, Serialize, specta::Type)]
        #[serde(tag = "kind", content = "payload", rename_all = "camelCase")]
        pub enum UiEvent {
            $($variant($payload),)*
        }

        $(impl From<$payload> for UiEvent {
            fn from(payload: $payload) -> Self {
                UiEvent::$variant(payload)
            }
        })*
    };
}

ui_events!(
    SystemThemeChanged(crate::events::SystemThemeChanged),
    ConnectionChanged(crate::events::ConnectionChanged),
    JobChanged(crate::events::JobChanged),
    TransferProgress(crate::events::TransferProgress),
    RateLimited(crate::events::RateLimited),
    JobWarning(crate::events::JobWarning),
    SessionChanged(crate::commands_chat::SessionChanged),
    FilesOpened(crate::desktop_launch::FilesOpened),
    OpenJob(crate::desktop_notify::OpenJob),
    CloseAsked(crate::desktop_tray::CloseAsked),
    FileDrop(crate::events::FileDrop),
    PlayerState(crate::media::PlayerUpdate),
);

/// What `next_events` answers.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EventBatch {
    /// The events after the position asked for, oldest first (none when the wait ran out).
    pub events: Vec<UiEvent>,
    /// The position to ask from next time (a JavaScript number: exact up to 2^53).
    #[specta(type = u32)]
    pub next: u64,
    /// Events were lost in between (the page fell more than `CAPACITY` behind, or asked from
    /// a position that does not exist): what the page shows must be read again.
    pub missed: bool,
}

/// The queue (managed state). Positions count every event ever published.
#[derive(Default)]
pub struct EventQueue {
    queue: Mutex<Queue>,
    arrived: tokio::sync::Notify,
}

#[derive(Default)]
struct Queue {
    /// The position of `events[0]`.
    first: u64,
    events: VecDeque<UiEvent>,
}

impl Queue {
    fn end(&self) -> u64 {
        self.first + self.events.len() as u64
    }

    /// Drops what a page at `after` has collected (one page reads the queue; a second one, a
    /// reloaded page say, starts from the end or is told it missed some).
    fn collected(&mut self, after: u64) {
        while self.first < after.min(self.end()) {
            self.events.pop_front();
            self.first += 1;
        }
    }

    /// The batch for a page at `after`, or `None` when there is nothing new yet.
    fn batch_after(&self, after: Option<u64>) -> Option<EventBatch> {
        let end = self.end();
        let batch = |events: Vec<UiEvent>, missed| EventBatch {
            events,
            next: end,
            missed,
        };
        match after {
            // A page starting to listen: from now on.
            None => Some(batch(Vec::new(), false)),
            Some(after) if after > end => Some(batch(Vec::new(), true)),
            Some(after) if after == end => None,
            Some(after) if after < self.first => {
                Some(batch(self.events.iter().cloned().collect(), true))
            }
            Some(after) => {
                let skip = (after - self.first) as usize;
                Some(batch(
                    self.events.iter().skip(skip).cloned().collect(),
                    false,
                ))
            }
        }
    }
}

impl EventQueue {
    pub fn publish(&self, event: UiEvent) {
        {
            let mut queue = self.lock();
            queue.events.push_back(event);
            if queue.events.len() > CAPACITY {
                queue.events.pop_front();
                queue.first += 1;
            }
        }
        self.arrived.notify_waiters();
    }

    /// The events after `after`, waiting up to `wait` for the first one.
    pub async fn next(&self, after: Option<u64>, wait: Duration) -> EventBatch {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before the queue is read, so an event published in between wakes it.
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            {
                let mut queue = self.lock();
                // A page starting to listen wants nothing from before.
                queue.collected(after.unwrap_or(u64::MAX));
                if let Some(batch) = queue.batch_after(after) {
                    return batch;
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let next = after.unwrap_or_else(|| self.lock().end());
                return EventBatch {
                    events: Vec::new(),
                    next,
                    missed: false,
                };
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Publishes `event` to the page (dropped when the queue is not managed yet, as before a page
/// could listen).
pub fn publish<R: Runtime>(app: &impl Manager<R>, event: impl Into<UiEvent>) {
    if let Some(queue) = app.try_state::<EventQueue>() {
        queue.publish(event.into());
    }
}

/// Whether files are being dragged over the window (so only the first `Over` says so).
#[derive(Default)]
pub struct DragState(std::sync::atomic::AtomicBool);

/// The window's drag and drop, for the page's overlay and attachments. A drop's paths come
/// from the user through the OS, not from the page: they are recorded as received first.
pub fn on_drag_drop<R: Runtime>(window: &tauri::Window<R>, drag: &tauri::DragDropEvent) {
    use std::sync::atomic::Ordering;
    let inside = &window.state::<DragState>().0;
    let event = match drag {
        tauri::DragDropEvent::Enter { .. } | tauri::DragDropEvent::Over { .. } => {
            if inside.swap(true, Ordering::Relaxed) {
                return;
            }
            FileDrop::Enter
        }
        tauri::DragDropEvent::Leave => {
            inside.store(false, Ordering::Relaxed);
            FileDrop::Leave
        }
        tauri::DragDropEvent::Drop { paths, .. } => {
            inside.store(false, Ordering::Relaxed);
            window
                .state::<crate::received::ReceivedPaths>()
                .add(paths.iter().cloned());
            let paths = paths.iter().filter_map(|p| p.to_str()).map(String::from);
            FileDrop::Drop {
                paths: paths.collect(),
            }
        }
        _ => return,
    };
    publish(window, event);
}

/// The events after position `after` (none: from now on), waiting up to 25 s for the first.
/// The page calls it again with `next` as soon as it has an answer.
#[tauri::command]
#[specta::specta]
pub async fn next_events(
    queue: State<'_, EventQueue>,
    after: Option<f64>,
) -> Result<EventBatch, CommandError> {
    let after = after.map(position).transpose()?;
    Ok(queue.next(after, LONGEST_WAIT).await)
}

/// A position the page sent: a whole number a JavaScript number holds exactly.
fn position(value: f64) -> Result<u64, CommandError> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE {
        Ok(value as u64)
    } else {
        Err(CommandError::new(
            ErrorCode::InvalidParameter,
            "The event position must be a whole number from 0.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::RateLimited;

    fn rate(secs: u32) -> UiEvent {
        RateLimited {
            retry_after_secs: secs,
        }
        .into()
    }

    fn secs(batch: &EventBatch) -> Vec<u32> {
        batch
            .events
            .iter()
            .map(|event| match event {
                UiEvent::RateLimited(r) => r.retry_after_secs,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_new_page_starts_at_the_end_and_then_gets_each_event_once_in_order() {
        let queue = EventQueue::default();
        queue.publish(rate(1));
        let start = queue.next(None, Duration::ZERO).await;
        assert_eq!(
            (start.events.len(), start.next, start.missed),
            (0, 1, false)
        );
        queue.publish(rate(2));
        queue.publish(rate(3));
        let batch = queue.next(Some(start.next), Duration::ZERO).await;
        assert_eq!(
            (secs(&batch), batch.next, batch.missed),
            (vec![2, 3], 3, false)
        );
        let empty = queue
            .next(Some(batch.next), Duration::from_millis(10))
            .await;
        assert_eq!(
            (empty.events.len(), empty.next, empty.missed),
            (0, 3, false)
        );
        // What the page collected is not kept.
        assert_eq!(queue.lock().events.len(), 0);
        let again = queue.next(Some(1), Duration::ZERO).await;
        assert_eq!((again.events.len(), again.next, again.missed), (0, 3, true));
    }

    #[tokio::test]
    async fn a_waiting_page_wakes_when_an_event_is_published() {
        let queue = std::sync::Arc::new(EventQueue::default());
        let waiting = tokio::spawn({
            let queue = queue.clone();
            async move { queue.next(Some(0), Duration::from_secs(30)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        queue.publish(rate(7));
        let batch = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken")
            .unwrap();
        assert_eq!((secs(&batch), batch.next), (vec![7], 1));
    }

    #[tokio::test]
    async fn a_page_too_far_behind_gets_what_is_left_and_is_told_it_missed_some() {
        let queue = EventQueue::default();
        for n in 0..CAPACITY as u32 + 5 {
            queue.publish(rate(n));
        }
        let batch = queue.next(Some(2), Duration::ZERO).await;
        assert!(batch.missed);
        assert_eq!(batch.events.len(), CAPACITY);
        assert_eq!(secs(&batch)[0], 5);
        assert_eq!(batch.next, CAPACITY as u64 + 5);
    }

    #[tokio::test]
    async fn a_position_beyond_the_end_is_a_miss_not_a_wait() {
        let queue = EventQueue::default();
        queue.publish(rate(1));
        let batch = queue.next(Some(99), Duration::from_secs(30)).await;
        assert_eq!((batch.events.len(), batch.next, batch.missed), (0, 1, true));
    }

    #[test]
    fn positions_from_the_page_are_checked() {
        assert_eq!(position(3.0).unwrap(), 3);
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(position(bad).unwrap_err().code, "invalid_parameter");
        }
    }

    #[test]
    fn events_are_tagged_with_their_kind() {
        let json = serde_json::to_value(rate(4)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "rateLimited", "payload": {"retryAfterSecs": 4}})
        );
    }
}
