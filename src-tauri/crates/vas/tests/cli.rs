//! The `vas` binary end to end against a local agent: `generate --wait` prints the video's path
//! last, listings work, and failures map to the documented exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::run;

const KEY: &str = "sk_test_vas_cli_7Hd2";

async fn agent(dir: &Path) -> local_agent::RunningAgent {
    common::start_agent(dir, KEY, 600.0, false).await
}

fn vas(data: &Path, base_url: &str, key: Option<&str>, args: &[&str]) -> Command {
    common::vas(data, base_url, key, args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_wait_prints_the_video_path_last() {
    let dir = tempfile::tempdir().unwrap();
    let agent = agent(dir.path()).await;
    let data = dir.path().join("data");
    let out = dir.path().join("videos");
    let logo = dir.path().join("logo.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/logo.png"),
        &logo,
    )
    .unwrap();
    let base = agent.base_url();

    let output = run(vas(
        &data,
        &base,
        Some(KEY),
        &[
            "generate",
            "A 4-second welcome video for new gym members",
            "--file",
            logo.to_str().unwrap(),
            "--orientation",
            "landscape",
            "--wait",
            "--out",
            out.to_str().unwrap(),
        ],
    ))
    .await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = text(&output.stdout);
    let path = PathBuf::from(stdout.lines().last().unwrap());
    assert!(path.is_absolute(), "{stdout}");
    assert!(path.starts_with(out.canonicalize().unwrap()));
    assert_eq!(path.extension().unwrap(), "mp4");
    let codecs = local_agent::probe::probe_blocking(&path).unwrap().codecs;
    assert!(
        codecs.iter().any(|c| c == "h264") && codecs.iter().any(|c| c == "aac"),
        "{codecs:?}"
    );
    assert!(
        stderr.contains("→ downloaded"),
        "state changes are reported on stderr: {stderr}"
    );

    // The job is listed, with its file.
    let jobs = run(vas(&data, &base, Some(KEY), &["jobs"])).await;
    assert!(jobs.status.success());
    let listing = text(&jobs.stdout);
    assert!(
        listing.contains("downloaded") && listing.contains(path.to_str().unwrap()),
        "{listing}"
    );

    // Catalogues print one item per line.
    let styles = run(vas(
        &data,
        &base,
        Some(KEY),
        &["styles", "--tag", "cinematic"],
    ))
    .await;
    assert!(styles.status.success());
    let styles = text(&styles.stdout);
    assert!(
        !styles.is_empty() && styles.lines().all(|l| l.contains("cinematic")),
        "{styles}"
    );
    let voices = run(vas(&data, &base, Some(KEY), &["voices"])).await;
    assert!(voices.status.success() && !voices.stdout.is_empty());

    // `auth test` shows the account and credits.
    let account = run(vas(&data, &base, Some(KEY), &["auth", "test"])).await;
    assert!(account.status.success(), "{}", text(&account.stderr));
    assert!(text(&account.stdout).contains("credits:"));
    agent.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_map_to_documented_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let agent = agent(dir.path()).await;
    let data = dir.path().join("data");
    let base = agent.base_url();

    // Invalid input → 6, before anything is sent.
    let html = dir.path().join("page.png");
    std::fs::write(&html, "<html>not an image</html>").unwrap();
    let out = run(vas(
        &data,
        &base,
        Some(KEY),
        &[
            "generate",
            "A 3-second video",
            "--file",
            html.to_str().unwrap(),
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("unsupported_file_type"));

    // A wrong key → 3, without echoing it.
    let out = run(vas(&data, &base, Some("sk_wrong_Xy12"), &["auth", "test"])).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("sk_wrong_Xy12"));

    // No key and no Secret Service → 3 with the fix in the message.
    let mut cmd = vas(&data, &base, None, &["auth", "test"]);
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", dir.path().join("no-bus").display()),
    );
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("gnome-keyring"),
        "{}",
        text(&out.stderr)
    );

    // Unreachable server → 5.
    let out = run(vas(&data, "http://127.0.0.1:9", Some(KEY), &["voices"])).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));

    // Usage errors → 2; the help documents the exit codes.
    let out = run(vas(&data, &base, Some(KEY), &["generate"])).await;
    assert_eq!(out.status.code(), Some(2));
    let help = run(vas(&data, &base, Some(KEY), &["--help"])).await;
    assert!(text(&help.stdout).contains("Exit codes"));
    agent.shutdown().await;
}
