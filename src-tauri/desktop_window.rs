//! Puts the main window back where it was on these displays, and remembers where it goes.
//! The decisions (per display configuration, clamped on-screen) are in
//! `studio_core::desktop::window_state`; this only reads and applies the OS's geometry.

use studio_core::desktop::window_state::{Monitor, WindowGeometry, WindowStateStore};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, Window};

/// The managed store (absent when the studio has no data folder).
pub struct WindowState(pub WindowStateStore);

fn monitors<R: Runtime>(window: &Window<R>) -> Vec<Monitor> {
    window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, m)| Monitor {
            // Unnamed monitors (some X servers) still need a stable name per position.
            name: m
                .name()
                .cloned()
                .unwrap_or_else(|| format!("monitor-{index}")),
            x: m.position().x,
            y: m.position().y,
            width: m.size().width,
            height: m.size().height,
        })
        .collect()
}

/// Applies the remembered geometry for the current displays, if any.
pub fn restore<R: Runtime>(window: &Window<R>, store: &WindowStateStore) {
    let Some(geometry) = store.restore(&monitors(window)) else {
        return;
    };
    let _ = window.set_size(PhysicalSize::new(geometry.width, geometry.height));
    let _ = window.set_position(PhysicalPosition::new(geometry.x, geometry.y));
    if geometry.maximized {
        let _ = window.maximize();
    }
}

/// Saves the window's current geometry (called when it moves, resizes or closes). A minimised
/// or hidden window keeps what was saved before.
pub fn save<R: Runtime>(window: &Window<R>, store: &WindowStateStore) {
    if window.is_minimized().unwrap_or(false) || !window.is_visible().unwrap_or(true) {
        return;
    }
    let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else {
        return;
    };
    let geometry = WindowGeometry {
        x: position.x,
        y: position.y,
        width: size.width,
        height: size.height,
        maximized: window.is_maximized().unwrap_or(false),
        monitor: window
            .current_monitor()
            .ok()
            .flatten()
            .and_then(|m| m.name().cloned()),
    };
    if let Err(error) = store.save(&monitors(window), &geometry) {
        eprintln!("window state not saved: {error}");
    }
}
