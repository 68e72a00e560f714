//! `vas chat` end to end against a local agent: start (the agent asks for a voice) → send an
//! answer (storyboard shown) → approve (the video's path printed) → request a change after
//! completion (a second video) → show and list the session.

use std::path::Path;
use std::process::Command;

mod common;
use common::{ok, run};

const KEY: &str = "sk_test_vas_chat_4Kq9";

fn vas(data: &Path, base_url: &str, args: &[&str]) -> Command {
    common::vas(data, base_url, Some(KEY), args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_start_send_approve_change_show_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let agent = local_agent::start(local_agent::Config {
        api_keys: vec![KEY.into()],
        time_scale: 600.0,
        ..local_agent::Config::new(dir.path().join("agent"))
    })
    .await
    .unwrap();
    let base = agent.base_url();
    let data = dir.path().join("data");
    let started = ok(&run(vas(
        &data,
        &base,
        &["chat", "start", "A 3-second video about our bakery."],
    ))
    .await);
    let job_line = started.lines().next().unwrap();
    let job_id = job_line
        .strip_prefix("job ")
        .and_then(|l| l.split_whitespace().next())
        .expect("job id printed first")
        .to_string();
    assert!(
        started.contains("[agent]") && started.to_lowercase().contains("voice"),
        "{started}"
    );

    let sent = ok(&run(vas(
        &data,
        &base,
        &["chat", "send", &job_id[..8], "You choose the voice."],
    ))
    .await);
    assert!(sent.contains("[you] You choose the voice."), "{sent}");
    assert!(
        sent.contains("storyboard") && sent.contains("scene(s)"),
        "{sent}"
    );

    let approved = ok(&run(vas(&data, &base, &["chat", "approve", &job_id])).await);
    let first = approved.lines().last().unwrap().to_string();
    assert!(
        first.ends_with(".mp4") && Path::new(&first).exists(),
        "{approved}"
    );
    assert!(
        first.starts_with(dir.path().to_str().unwrap()),
        "{first} stays in the temp dir"
    );

    let changed = ok(&run(vas(
        &data,
        &base,
        &["chat", "changes", &job_id, "make it shorter"],
    ))
    .await);
    let paths: Vec<&str> = changed.lines().filter(|l| l.ends_with(".mp4")).collect();
    assert_eq!(paths.len(), 2, "{changed}");
    assert!(paths.iter().all(|p| Path::new(p).exists()));
    assert!(paths.contains(&first.as_str()));

    let shown = ok(&run(vas(&data, &base, &["chat", "show", &job_id])).await);
    assert!(shown.contains("status: completed"), "{shown}");
    assert!(
        shown.contains("#1 downloaded") && shown.contains("#2 downloaded"),
        "{shown}"
    );
    let json = ok(&run(vas(&data, &base, &["chat", "show", &job_id, "--json"])).await);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["videos"].as_array().unwrap().len(), 2);
    assert!(v["messages"].as_array().unwrap().len() >= 6);

    let listed = ok(&run(vas(&data, &base, &["chat", "list"])).await);
    assert!(
        listed
            .lines()
            .any(|l| l.contains(&job_id[..8]) && l.contains("2 video(s)")),
        "{listed}"
    );
    agent.shutdown().await;
}
