//! Window geometry remembered per display configuration, and never restored off-screen.
//!
//! A laptop used alone and docked to two monitors are two configurations: the window should come
//! back where it was in each. The file (`window-state.json` in the data folder) maps a
//! configuration key (the sorted list of monitors with their positions and sizes) to the last
//! geometry seen with it. Restoring clamps the geometry onto a current monitor, so a monitor
//! that was unplugged, or a file edited by hand, cannot put the window where nobody sees it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name in the data folder.
pub const FILE_NAME: &str = "window-state.json";

/// The smallest size a window is restored at (smaller means a broken file).
pub const MIN_WIDTH: u32 = 640;
pub const MIN_HEIGHT: u32 = 480;

/// One monitor as the OS reports it, in physical pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    pub name: String,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Monitor {
    fn right(&self) -> i64 {
        i64::from(self.x) + i64::from(self.width)
    }
    fn bottom(&self) -> i64 {
        i64::from(self.y) + i64::from(self.height)
    }
    fn contains_point(&self, x: i64, y: i64) -> bool {
        x >= i64::from(self.x) && x < self.right() && y >= i64::from(self.y) && y < self.bottom()
    }
}

/// The window's outer position and inner size (physical pixels), maximised or not, and the
/// monitor it was on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowGeometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
    /// The monitor the window's centre was on (its name), when known.
    pub monitor: Option<String>,
}

/// Identifies a set of monitors regardless of the order the OS lists them in.
pub fn configuration_key(monitors: &[Monitor]) -> String {
    let mut parts: Vec<String> = monitors
        .iter()
        .map(|m| format!("{}@{},{}+{}x{}", m.name, m.x, m.y, m.width, m.height))
        .collect();
    parts.sort();
    parts.join(";")
}

/// Which monitor a geometry's centre is on (by name), if any.
pub fn monitor_of<'a>(geometry: &WindowGeometry, monitors: &'a [Monitor]) -> Option<&'a Monitor> {
    let cx = i64::from(geometry.x) + i64::from(geometry.width) / 2;
    let cy = i64::from(geometry.y) + i64::from(geometry.height) / 2;
    monitors.iter().find(|m| m.contains_point(cx, cy))
}

/// Where to put a remembered geometry on today's monitors. The window ends up fully on one
/// monitor: the one its centre is on, else the one it was on last time (by name), else the
/// first (primary). A window larger than that monitor shrinks to fit. `None` when there is no
/// monitor at all (then the OS places the window).
pub fn clamp(geometry: &WindowGeometry, monitors: &[Monitor]) -> Option<WindowGeometry> {
    let target = monitor_of(geometry, monitors)
        .or_else(|| {
            let name = geometry.monitor.as_deref()?;
            monitors.iter().find(|m| m.name == name)
        })
        .or_else(|| monitors.first())?;
    let width = geometry
        .width
        .clamp(MIN_WIDTH.min(target.width), target.width);
    let height = geometry
        .height
        .clamp(MIN_HEIGHT.min(target.height), target.height);
    let max_x = target.right() - i64::from(width);
    let max_y = target.bottom() - i64::from(height);
    let x = i64::from(geometry.x).clamp(i64::from(target.x), max_x);
    let y = i64::from(geometry.y).clamp(i64::from(target.y), max_y);
    Some(WindowGeometry {
        x: x as i32,
        y: y as i32,
        width,
        height,
        maximized: geometry.maximized,
        monitor: Some(target.name.clone()),
    })
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    /// Configuration key → the last geometry seen with it.
    configurations: BTreeMap<String, WindowGeometry>,
    /// The configuration saved most recently (its geometry is the fallback for a new one).
    last: Option<String>,
}

/// The remembered geometries, read from and written to one file.
#[derive(Debug)]
pub struct WindowStateStore {
    path: PathBuf,
}

impl WindowStateStore {
    /// The store in `data_dir` (the file is created on the first save).
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> StateFile {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The geometry to restore on `monitors`, already clamped on-screen: the one remembered for
    /// this configuration, else the last one saved (on another configuration), else none.
    pub fn restore(&self, monitors: &[Monitor]) -> Option<WindowGeometry> {
        let file = self.read();
        let key = configuration_key(monitors);
        let remembered = file
            .configurations
            .get(&key)
            .or_else(|| file.last.as_ref().and_then(|k| file.configurations.get(k)))?;
        clamp(remembered, monitors)
    }

    /// Remembers `geometry` for `monitors`. A maximised window keeps the normal size and
    /// position saved before it was maximised (un-maximising goes back there), so only the flag
    /// changes then. Writes only when something changed; returns whether it wrote.
    pub fn save(&self, monitors: &[Monitor], geometry: &WindowGeometry) -> std::io::Result<bool> {
        let mut file = self.read();
        let key = configuration_key(monitors);
        let mut next = geometry.clone();
        if next.monitor.is_none() {
            next.monitor = monitor_of(geometry, monitors).map(|m| m.name.clone());
        }
        if geometry.maximized {
            if let Some(previous) = file.configurations.get(&key) {
                next = WindowGeometry {
                    maximized: true,
                    ..previous.clone()
                };
            }
        }
        if file.configurations.get(&key) == Some(&next) && file.last.as_deref() == Some(&key) {
            return Ok(false);
        }
        file.configurations.insert(key.clone(), next);
        file.last = Some(key);
        let bytes = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
        super::write_atomically(&self.path, &bytes)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(name: &str, x: i32, y: i32, width: u32, height: u32) -> Monitor {
        Monitor {
            name: name.into(),
            x,
            y,
            width,
            height,
        }
    }

    fn geometry(x: i32, y: i32, width: u32, height: u32) -> WindowGeometry {
        WindowGeometry {
            x,
            y,
            width,
            height,
            maximized: false,
            monitor: None,
        }
    }

    #[test]
    fn a_window_on_screen_stays_where_it_was() {
        let monitors = [monitor("eDP-1", 0, 0, 1920, 1080)];
        let restored = clamp(&geometry(100, 80, 1000, 700), &monitors).unwrap();
        assert_eq!((restored.x, restored.y), (100, 80));
        assert_eq!((restored.width, restored.height), (1000, 700));
        assert_eq!(restored.monitor.as_deref(), Some("eDP-1"));
    }

    #[test]
    fn a_window_on_an_unplugged_monitor_comes_back_onto_one_that_exists() {
        // It was on a second monitor to the right, which is gone now.
        let monitors = [monitor("eDP-1", 0, 0, 1920, 1080)];
        let mut was = geometry(2500, 300, 1200, 800);
        was.monitor = Some("HDMI-1".into());
        let restored = clamp(&was, &monitors).unwrap();
        assert_eq!(restored.monitor.as_deref(), Some("eDP-1"));
        assert!(restored.x >= 0 && restored.x + restored.width as i32 <= 1920);
        assert!(restored.y >= 0 && restored.y + restored.height as i32 <= 1080);
    }

    #[test]
    fn a_window_hanging_off_the_edge_is_pulled_fully_on_screen() {
        let monitors = [monitor("eDP-1", 0, 0, 1280, 800)];
        let restored = clamp(&geometry(-300, 600, 900, 600), &monitors).unwrap();
        assert_eq!((restored.x, restored.y), (0, 200));
    }

    #[test]
    fn a_window_larger_than_the_monitor_shrinks_to_fit() {
        let monitors = [monitor("small", 0, 0, 1024, 600)];
        let restored = clamp(&geometry(0, 0, 2560, 1440), &monitors).unwrap();
        assert_eq!((restored.width, restored.height), (1024, 600));
        assert_eq!((restored.x, restored.y), (0, 0));
    }

    #[test]
    fn a_window_whose_monitor_moved_left_of_the_primary_lands_on_it_by_name() {
        // Negative coordinates are a real layout (a monitor left of the primary).
        let monitors = [
            monitor("eDP-1", 0, 0, 1920, 1080),
            monitor("DP-2", -2560, 0, 2560, 1440),
        ];
        let mut was = geometry(-9000, 100, 800, 600);
        was.monitor = Some("DP-2".into());
        let restored = clamp(&was, &monitors).unwrap();
        assert_eq!(restored.monitor.as_deref(), Some("DP-2"));
        assert_eq!(restored.x, -2560);
    }

    #[test]
    fn no_monitor_means_the_os_places_the_window() {
        assert_eq!(clamp(&geometry(0, 0, 800, 600), &[]), None);
    }

    #[test]
    fn the_configuration_key_ignores_the_order_monitors_are_listed_in() {
        let a = monitor("A", 0, 0, 100, 100);
        let b = monitor("B", 100, 0, 100, 100);
        assert_eq!(
            configuration_key(&[a.clone(), b.clone()]),
            configuration_key(&[b, a])
        );
    }

    #[test]
    fn each_display_configuration_remembers_its_own_geometry() {
        let dir = tempfile::tempdir().unwrap();
        let store = WindowStateStore::new(dir.path());
        let laptop = [monitor("eDP-1", 0, 0, 1920, 1080)];
        let docked = [
            monitor("eDP-1", 0, 0, 1920, 1080),
            monitor("DP-1", 1920, 0, 2560, 1440),
        ];
        assert_eq!(store.restore(&laptop), None, "nothing saved yet");
        store.save(&laptop, &geometry(50, 60, 900, 700)).unwrap();
        store
            .save(&docked, &geometry(2100, 100, 1600, 1000))
            .unwrap();

        let on_laptop = store.restore(&laptop).unwrap();
        assert_eq!((on_laptop.x, on_laptop.y, on_laptop.width), (50, 60, 900));
        let on_dock = store.restore(&docked).unwrap();
        assert_eq!((on_dock.x, on_dock.width), (2100, 1600));
        assert_eq!(on_dock.monitor.as_deref(), Some("DP-1"), "the last screen");

        // A configuration never seen: the last geometry, clamped onto it.
        let projector = [monitor("HDMI-1", 0, 0, 1280, 720)];
        let there = store.restore(&projector).unwrap();
        assert!(there.x + there.width as i32 <= 1280 && there.width <= 1280);
    }

    #[test]
    fn maximising_keeps_the_normal_geometry_to_go_back_to() {
        let dir = tempfile::tempdir().unwrap();
        let store = WindowStateStore::new(dir.path());
        let monitors = [monitor("eDP-1", 0, 0, 1920, 1080)];
        store
            .save(&monitors, &geometry(200, 150, 1000, 700))
            .unwrap();
        let mut maximised = geometry(0, 0, 1920, 1050);
        maximised.maximized = true;
        store.save(&monitors, &maximised).unwrap();
        let restored = store.restore(&monitors).unwrap();
        assert!(restored.maximized);
        assert_eq!((restored.x, restored.width), (200, 1000));
    }

    #[test]
    fn saving_the_same_geometry_again_does_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = WindowStateStore::new(dir.path());
        let monitors = [monitor("eDP-1", 0, 0, 1920, 1080)];
        assert!(store.save(&monitors, &geometry(1, 2, 800, 600)).unwrap());
        assert!(!store.save(&monitors, &geometry(1, 2, 800, 600)).unwrap());
        assert!(store.save(&monitors, &geometry(1, 3, 800, 600)).unwrap());
    }

    #[test]
    fn a_broken_file_is_treated_as_nothing_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = WindowStateStore::new(dir.path());
        std::fs::write(store.path(), b"{ not json").unwrap();
        assert_eq!(store.restore(&[monitor("A", 0, 0, 800, 600)]), None);
    }
}
