//! Desktop behaviour that is not Tauri: which window geometry to restore on which displays,
//! which files a launch hands over, what a dropped folder stands for, the close-to-tray choice, and what the tray says. The shell
//! (`src-tauri/desktop_*.rs`) only feeds these the OS's answers and applies the results.

pub mod background;
pub mod dropped;
pub mod open_args;
pub mod prefs;
pub mod window_state;

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename), so a
/// reader never sees half a file and a crash never leaves a truncated one.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, path)
}
