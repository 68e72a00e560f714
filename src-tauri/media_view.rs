//! The players' pictures on the window. The page lays out a box for each picture and tells the
//! app where it is, which part of it is on screen and which caption to show
//! ([`PlayerPlacement`], on every change), or that nothing should show (covered by a dialog, a
//! problem shown in its place). A handler that runs after WebKit paints the web view paints
//! each placed player's newest frame there (`media_paint.rs`); a new frame redraws only its box.
//!
//! Why the window paints them and not the page: an `<img>` fed a JPEG a frame made WebKit decode
//! each into a new bitmap that its allocator kept for a while — 15 MB more at the peak while a
//! 1 GB video played and was sought (issue 15), over the 50 MB the whole app may grow by.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gtk::glib::prelude::*;
use gtk::prelude::*;
use serde::Deserialize;
use studio_core::playback::VideoFrame;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;
use webkit2gtk::WebViewExt;

use crate::media_paint::{self, Area, Picture};

/// The window whose web view shows the players.
const WINDOW: &str = "main";
/// Coordinates and sizes past this (CSS pixels) are not a layout; refused.
const MAX_COORDINATE: f64 = 100_000.0;
/// A caption longer than this is not a subtitle cue; refused.
const MAX_CAPTION_CHARS: usize = 2_000;

/// Where the page shows a player's picture.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PlayerPlacement {
    /// The box laid out for the picture (the frame is fitted inside it, black around).
    pub picture: Area,
    /// The part of the box on screen (inside every scrolling or clipping ancestor).
    pub visible: Area,
    /// The page's width: the caption's text is sized from it, as CSS `vw` would.
    pub page_width: f64,
    /// The subtitle to draw over the picture now, if any.
    pub caption: Option<String>,
}

/// A placement checked as input: what is painted.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub area: Area,
    /// Within `area`.
    pub visible: Area,
    pub page_width: f64,
    pub caption: Option<String>,
}

impl PlayerPlacement {
    /// The placement if it is one a page could lay out; None when nothing of it is visible.
    pub fn checked(self) -> Result<Option<Placed>, &'static str> {
        let area = checked(self.picture)?;
        let visible = checked(self.visible)?;
        if !(self.page_width.is_finite() && (0.0..=MAX_COORDINATE).contains(&self.page_width)) {
            return Err("the page's width is not a size");
        }
        if self
            .caption
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_CAPTION_CHARS)
        {
            return Err("the caption is too long");
        }
        Ok(area.intersect(visible).map(|visible| Placed {
            area,
            visible,
            page_width: self.page_width,
            caption: self.caption,
        }))
    }
}

/// The rectangle if a page could lay it out.
fn checked(rect: Area) -> Result<Area, &'static str> {
    let numbers = [rect.x, rect.y, rect.width, rect.height];
    if numbers
        .iter()
        .any(|n| !n.is_finite() || n.abs() > MAX_COORDINATE)
        || rect.width < 0.0
        || rect.height < 0.0
    {
        return Err("a rectangle with a coordinate or size that is not one");
    }
    Ok(rect)
}

struct Shown {
    frames: watch::Receiver<Option<VideoFrame>>,
    placed: Option<Placed>,
    /// Frames that arrived, the arrival painted last, and how many arrivals were painted.
    arrived: u64,
    painted_arrival: u64,
    painted: u64,
}

/// The open players' newest frames and where the page placed them. Shared by the IPC commands,
/// the tasks that follow each player's frames and the web view's paint handler.
#[derive(Clone, Default)]
pub struct PlayerViews {
    shown: Arc<Mutex<HashMap<String, Shown>>>,
}

impl PlayerViews {
    fn add(&self, id: &str, frames: watch::Receiver<Option<VideoFrame>>) {
        let shown = Shown {
            frames,
            placed: None,
            arrived: 0,
            painted_arrival: 0,
            painted: 0,
        };
        self.shown.lock().unwrap().insert(id.to_owned(), shown);
    }

    /// Forgets a player; the part of the window its picture covered, to repaint.
    fn remove(&self, id: &str) -> Option<Area> {
        let shown = self.shown.lock().unwrap().remove(id)?;
        if trace() {
            eprintln!(
                "playback: frames of player {id} ended after {} frames painted",
                shown.painted
            );
        }
        shown.placed.map(|p| p.visible)
    }

    /// Places (or hides, None) a player's picture; the parts of the window to repaint. Err when
    /// there is no such player.
    pub fn place(&self, id: &str, placed: Option<Placed>) -> Result<Vec<Area>, ()> {
        let mut shown = self.shown.lock().unwrap();
        let entry = shown.get_mut(id).ok_or(())?;
        if entry.placed == placed {
            return Ok(Vec::new());
        }
        let old = std::mem::replace(&mut entry.placed, placed);
        let new = entry.placed.as_ref();
        Ok(old
            .map(|p| p.visible)
            .into_iter()
            .chain(new.map(|p| p.visible))
            .collect())
    }

    /// A new frame of a player arrived; where it shows, to repaint.
    fn arrived(&self, id: &str) -> Option<Area> {
        let mut shown = self.shown.lock().unwrap();
        let view = shown.get_mut(id)?;
        view.arrived += 1;
        view.placed.as_ref().map(|p| p.visible)
    }

    /// Paints every placed player that has a frame (in CSS pixels scaled by `zoom`).
    fn paint(&self, cr: &gtk::cairo::Context, zoom: f64) {
        let mut shown = self.shown.lock().unwrap();
        for view in shown.values_mut() {
            let Some(placed) = &view.placed else { continue };
            let frame = view.frames.borrow().clone();
            let Some(frame) = frame else { continue };
            let picture = Picture {
                frame: &frame,
                area: placed.area.scaled(zoom),
                visible: placed.visible.scaled(zoom),
                page_width: placed.page_width,
                zoom,
                caption: placed.caption.as_deref(),
            };
            if let Err(error) = media_paint::paint(cr, &picture) {
                eprintln!("Video Agent Studio: a player's frame could not be painted: {error}");
            }
            if view.arrived != view.painted_arrival {
                view.painted_arrival = view.arrived;
                view.painted += 1;
            }
        }
    }
}

/// Paints the players over the main window's web view, after WebKit paints it. Once, at start.
pub fn attach<R: Runtime>(app: &AppHandle<R>, views: PlayerViews) {
    let Some(window) = app.get_webview_window(WINDOW) else {
        return;
    };
    let attached = window.with_webview(move |platform| {
        let webview = platform.inner();
        // After WebKit's own handler: the picture goes over the page's box for it.
        webview.connect_local("draw", true, move |args| {
            let webview = args[0].get::<webkit2gtk::WebView>().ok()?;
            let cr = args[1].get::<gtk::cairo::Context>().ok()?;
            views.paint(&cr, webview.zoom_level());
            Some(false.to_value())
        });
    });
    if let Err(error) = attached {
        eprintln!("Video Agent Studio: the player cannot paint on the window: {error}");
    }
}

/// Follows a player's frames from its opening until it closes: each new frame repaints its box
/// (at most one repaint waiting at a time: a window that falls behind paints the newest frame
/// once). Closed, its picture is taken off the window.
pub fn follow<R: Runtime>(
    app: AppHandle<R>,
    views: PlayerViews,
    id: String,
    mut frames: watch::Receiver<Option<VideoFrame>>,
) {
    views.add(&id, frames.clone());
    let waiting = Arc::new(AtomicBool::new(false));
    tauri::async_runtime::spawn(async move {
        while frames.changed().await.is_ok() {
            frames.borrow_and_update();
            let shows_at = views.arrived(&id);
            if waiting.swap(true, Ordering::AcqRel) {
                continue;
            }
            match shows_at {
                Some(area) => repaint(&app, vec![area], Some(waiting.clone())),
                None => waiting.store(false, Ordering::Release),
            }
        }
        if let Some(area) = views.remove(&id) {
            repaint(&app, vec![area], None);
        }
    });
}

/// Asks GTK to repaint these parts of the web view (CSS pixels); `waiting` is cleared once
/// asked, so the next frame may ask again.
pub fn repaint<R: Runtime>(app: &AppHandle<R>, areas: Vec<Area>, waiting: Option<Arc<AtomicBool>>) {
    let Some(window) = app.get_webview_window(WINDOW) else {
        return;
    };
    let clear = waiting.clone();
    let asked = window.with_webview(move |platform| {
        if let Some(waiting) = &waiting {
            waiting.store(false, Ordering::Release);
        }
        let webview = platform.inner();
        let zoom = webview.zoom_level();
        for area in areas {
            let (x, y, w, h) = area.scaled(zoom).covering_pixels();
            webview.queue_draw_area(x, y, w, h);
        }
    });
    if asked.is_err() {
        if let Some(waiting) = clear {
            waiting.store(false, Ordering::Release);
        }
    }
}

/// `VAS_PLAYBACK_TRACE=1` prints to stderr, when a player closes, how many of its frames were
/// painted (`.ci/bench playback` checks that the video was really shown).
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("VAS_PLAYBACK_TRACE").is_some_and(|v| v == "1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(picture: Area, visible: Area) -> PlayerPlacement {
        PlayerPlacement {
            picture,
            visible,
            page_width: 1000.0,
            caption: Some("Hello".into()),
        }
    }

    #[test]
    fn a_placement_is_checked_as_input() {
        let good = placement(
            Area::new(10.0, 20.0, 640.0, 360.0),
            Area::new(0.0, 0.0, 1000.0, 300.0),
        );
        let placed = good.checked().unwrap().unwrap();
        assert_eq!(
            placed.visible.height, 280.0,
            "the visible part is within the picture"
        );
        for bad in [
            placement(
                Area::new(f64::NAN, 0.0, 10.0, 10.0),
                Area::new(0.0, 0.0, 10.0, 10.0),
            ),
            placement(
                Area::new(0.0, 0.0, f64::INFINITY, 10.0),
                Area::new(0.0, 0.0, 10.0, 10.0),
            ),
            placement(
                Area::new(0.0, 0.0, -5.0, 10.0),
                Area::new(0.0, 0.0, 10.0, 10.0),
            ),
            placement(
                Area::new(0.0, 0.0, 10.0, 10.0),
                Area::new(0.0, 1e9, 10.0, 10.0),
            ),
        ] {
            assert!(bad.checked().is_err());
        }
        let mut long = placement(
            Area::new(0.0, 0.0, 10.0, 10.0),
            Area::new(0.0, 0.0, 10.0, 10.0),
        );
        long.caption = Some("x".repeat(MAX_CAPTION_CHARS + 1));
        assert!(long.checked().is_err());
        let mut wide = placement(
            Area::new(0.0, 0.0, 10.0, 10.0),
            Area::new(0.0, 0.0, 10.0, 10.0),
        );
        wide.page_width = f64::NAN;
        assert!(wide.checked().is_err());
        // Scrolled right out of view: nothing to paint.
        let away = placement(
            Area::new(0.0, -500.0, 100.0, 100.0),
            Area::new(0.0, 0.0, 1000.0, 800.0),
        );
        assert_eq!(away.checked().unwrap(), None);
    }

    #[test]
    fn placing_repaints_where_the_picture_was_and_where_it_goes() {
        let views = PlayerViews::default();
        let (_sender, frames) = watch::channel(None);
        views.add("p1", frames);
        let at = |y| {
            placement(
                Area::new(0.0, y, 100.0, 50.0),
                Area::new(0.0, 0.0, 800.0, 600.0),
            )
            .checked()
            .unwrap()
        };
        assert_eq!(views.place("p1", at(0.0)).unwrap().len(), 1);
        assert_eq!(
            views.place("p1", at(0.0)).unwrap().len(),
            0,
            "unchanged: no repaint"
        );
        let moved = views.place("p1", at(10.0)).unwrap();
        assert_eq!((moved[0].y, moved[1].y), (0.0, 10.0));
        assert_eq!(views.place("p1", None).unwrap().len(), 1);
        assert!(views.place("nobody", None).is_err());
        assert_eq!(views.remove("p1"), None, "hidden: nothing left to repaint");
    }
}
