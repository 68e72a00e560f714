//! Diagnosis: where the player's memory goes, without the web view. Opens the app's player on a
//! file, plays it for 5 s, seeks to 25/50/75/95/10 % with 3 s of play after each (as
//! `.ci/bench playback` does), samples this process's PSS every 250 ms and prints the growth at
//! the peak, split into anonymous and file-backed pages, and the largest anonymous regions.
//!
//! `cargo run --release -p studio-core --example player_memory -- FILE.mp4`

use std::time::{Duration, Instant};

use studio_core::playback::{FrameBox, Player, PlayerControl};

fn rollup() -> (u64, u64, u64) {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Pss:"), field("Pss_Anon:"), field("Pss_File:"))
}

/// Anonymous regions of at least 512 KiB (glibc's thread arenas are 64 MiB-aligned ones).
fn anon_regions() -> Vec<(String, u64)> {
    let text = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or_default();
        if first.contains('-') && !first.ends_with(':') {
            let path = line.split_whitespace().nth(5);
            current = match path {
                None => Some(first.to_string()),
                Some(p) if p.starts_with('[') => Some(format!("{first} {p}")),
                Some(_) => Some("relocated pages of libraries (all)".to_string()),
            };
        } else if first == "Anonymous:" {
            let kb: u64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            if let Some(region) = &current {
                if kb >= 512 || region.starts_with("relocated") {
                    out.push((region.clone(), kb));
                }
            }
        }
    }
    let relocated: u64 = out
        .iter()
        .filter(|r| r.0.starts_with("relocated"))
        .map(|r| r.1)
        .sum();
    out.retain(|r| !r.0.starts_with("relocated"));
    out.push(("relocated pages of libraries (all)".into(), relocated));
    out.sort_by_key(|r| std::cmp::Reverse(r.1));
    out
}

fn main() {
    let file = std::env::args()
        .nth(1)
        .expect("usage: player_memory FILE.mp4");
    let before = rollup();
    let player = Player::open(
        std::path::Path::new(&file),
        FrameBox {
            width: 900,
            height: 506,
        },
        true,
    )
    .expect("player opens");
    let state = player.state();
    let mut peak = before;
    let mut peak_regions = Vec::new();
    let mut sample_for = |d: Duration, peak: &mut (u64, u64, u64)| {
        let until = Instant::now() + d;
        while Instant::now() < until {
            let now = rollup();
            if now.0 > peak.0 {
                *peak = now;
                peak_regions = anon_regions();
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    sample_for(Duration::from_secs(5), &mut peak);
    let duration = state.borrow().duration.unwrap_or(0.0);
    for share in [0.25, 0.5, 0.75, 0.95, 0.1] {
        player.control(PlayerControl::Seek {
            seconds: duration * share,
        });
        sample_for(Duration::from_secs(3), &mut peak);
    }
    let s = state.borrow().clone();
    let after = rollup();
    drop(player);
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "played to {:.1}/{duration:.1} s, {}x{}, error {:?}",
        s.position, s.width, s.height, s.error
    );
    println!(
        "PSS {:.1} MB -> peak {:.1} (+{:.1}: anon +{:.1}, file +{:.1}); at the end {:.1} (anon {:.1}, file {:.1})",
        mb(before.0),
        mb(peak.0),
        mb(peak.0 - before.0),
        mb(peak.1.saturating_sub(before.1)),
        mb(peak.2.saturating_sub(before.2)),
        mb(after.0),
        mb(after.1),
        mb(after.2)
    );
    for (region, kb) in peak_regions.iter().take(8) {
        println!("  anon at the peak: {region} {:.1} MB", mb(*kb));
    }
}
