//! Process facts from Linux `/proc`: resident and peak memory, proportional set size (PSS) of a
//! process tree, CPU time. Benchmarks read these instead of trusting a profiler.

use std::path::Path;
use std::time::Duration;

/// A `kB` field (`VmRSS`, `VmHWM`, `Pss`, …) of a `/proc` status-style file, in bytes.
fn kb_field(text: &str, field: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let kb: u64 = rest.split_whitespace().next()?.parse().ok()?;
        Some(kb * 1024)
    })
}

/// Current resident set size of `pid` ("self" for this process), in bytes.
pub fn rss_bytes(pid: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kb_field(&text, "VmRSS")
}

/// Peak resident set size (high-water mark) of `pid`, in bytes.
pub fn peak_rss_bytes(pid: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    kb_field(&text, "VmHWM")
}

/// Resets this process's peak RSS to its current RSS (`echo 5 > /proc/self/clear_refs`), so a
/// later [`peak_rss_bytes`] measures only what happened in between.
pub fn reset_peak_rss() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}

/// PSS of one process from `smaps_rollup`, in bytes (`None` if it is gone or unreadable).
pub fn pss_bytes(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    kb_field(&text, "Pss")
}

/// Parent pid and command name of a process.
fn stat_of(pid: u32) -> Option<(u32, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name is in parentheses and may contain spaces; fields after the last ')' are fixed.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_string();
    let ppid = text[close + 2..].split_whitespace().nth(1)?.parse().ok()?;
    Some((ppid, name))
}

/// `pid` and all its descendants (children, grandchildren, …).
pub fn process_tree(pid: u32) -> Vec<u32> {
    let mut all: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            if let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            {
                if let Some((ppid, _)) = stat_of(p) {
                    all.push((p, ppid));
                }
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree
}

/// Command name (`comm`) of a process.
pub fn process_name(pid: u32) -> Option<String> {
    stat_of(pid).map(|(_, name)| name)
}

/// User + system CPU time a process has used so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    user_and_system_time(&format!("/proc/{pid}/stat"), 11)
}

/// User + system CPU time of this process's children that have ended and been waited for.
pub fn ended_children_cpu_time() -> Option<Duration> {
    // cutime(13) cstime(14), just after the process's own times.
    user_and_system_time("/proc/self/stat", 13)
}

/// The sum of the two clock-tick fields of a `stat` file at `user` and `user + 1` (counted after
/// the process name), as a duration.
fn user_and_system_time(stat: &str, user: usize) -> Option<Duration> {
    let text = std::fs::read_to_string(stat).ok()?;
    let close = text.rfind(')')?;
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    let utime: u64 = fields.get(user)?.parse().ok()?;
    let stime: u64 = fields.get(user + 1)?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / clock_ticks_per_second(),
    ))
}

/// `getconf CLK_TCK`; 100 on every Linux this runs on, read once to be sure.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Size of a file in bytes (0 when missing).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let rss = rss_bytes("self").unwrap();
        assert!(rss > 1024 * 1024, "{rss}");
        assert!(peak_rss_bytes("self").unwrap() >= rss);
        let me = std::process::id();
        assert!(pss_bytes(me).unwrap() > 0);
        assert!(process_tree(me).contains(&me));
        assert!(cpu_time(me).is_some());
        assert!(process_name(me).is_some());
    }

    #[test]
    fn parses_kb_fields() {
        assert_eq!(kb_field("VmRSS:\t  2048 kB\n", "VmRSS"), Some(2048 * 1024));
        assert_eq!(kb_field("Pss_Anon: 1 kB\nPss: 3 kB\n", "Pss"), Some(3072));
        assert_eq!(kb_field("nothing", "Pss"), None);
    }
}
