//! Without espeak-ng the agent still renders: a silent AAC track and a clear note in the
//! session messages. (Own test binary: it sets a process-wide environment variable.)

mod common;

use common::{probe, Agent};
use serde_json::json;

#[tokio::test]
async fn missing_espeak_gives_a_silent_track_and_a_note() {
    std::env::set_var("LOCAL_AGENT_NO_ESPEAK", "1");
    let a = Agent::start().await;
    let (s, v) = a
        .one_shot(json!({"prompt": "A 3-second video about silence."}))
        .await;
    let note = s["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .find(|c| c.contains("espeak-ng"))
        .map(str::to_string);
    assert!(note.is_some_and(|n| n.contains("silent")), "{s}");
    let mp4 = a.download(v["video_url"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.mp4");
    std::fs::write(&p, mp4).unwrap();
    let (codecs, _, _, dur) = probe(&p);
    assert!(codecs.contains(&"aac".to_string()), "{codecs:?}");
    assert!((dur - 3.0).abs() < 0.45);
    // The audio really is silent.
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-i"])
        .arg(&p)
        .args(["-af", "volumedetect", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("max_volume: -91") || log.contains("max_volume: -inf"),
        "{log}"
    );
}
