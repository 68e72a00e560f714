//! `vas auth login --no-browser` against a local agent's OAuth server: the authorize URL on a
//! line of its own, the consent approved, the loopback callback; then `auth status`, a command
//! using the bearer token (refreshed after the server expired it), and `auth logout`. Needs a
//! Secret Service (CI: VAS_TEST_KEYRING=1 under dbus-run-session); skipped with a note otherwise.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

mod common;

const KEY: &str = "sk_test_vas_oauth_Q4z9";

fn keyring_enabled() -> bool {
    if std::env::var("VAS_TEST_KEYRING").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("SKIPPED: needs a Secret Service (VAS_TEST_KEYRING=1 under dbus-run-session)");
    false
}

fn vas(data: &Path, base_url: &str, service: &str, args: &[&str]) -> Command {
    let mut cmd = common::vas(data, base_url, None, args);
    cmd.env("VAS_KEYRING_SERVICE", service)
        .env("HEYGEN_OAUTH_CLIENT_ID", "vas-cli-test");
    cmd
}

async fn output(cmd: Command) -> (bool, String, String) {
    let out = common::run(cmd).await;
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_status_refresh_and_logout() {
    if !keyring_enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let agent = local_agent::start(local_agent::Config {
        api_keys: vec![KEY.into()],
        ..local_agent::Config::new(dir.path().join("agent"))
    })
    .await
    .unwrap();
    let base = agent.base_url();
    let data = dir.path().join("data");
    let service = format!("vas-test-cli-oauth-{}", std::process::id());

    let (ok, out, _) = output(vas(&data, &base, &service, &["auth", "status"])).await;
    assert!(ok);
    assert_eq!(out.trim(), "not signed in");

    // Login: read the URL line, approve like a browser would, follow the redirect.
    let mut login = vas(&data, &base, &service, &["auth", "login", "--no-browser"]);
    login.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = login.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url, rest) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let url = lines.next().unwrap().unwrap();
        (url, lines)
    })
    .await
    .unwrap();
    assert!(
        url.starts_with(&format!("{base}/oauth/authorize?")),
        "{url}"
    );
    let redirect = local_agent::testing::consent(&url, true).await.unwrap();
    let page = reqwest::get(&redirect).await.unwrap().text().await.unwrap();
    assert!(page.contains("You can close this tab"));
    let last = tokio::task::spawn_blocking(move || {
        let lines: Vec<String> = rest.map_while(Result::ok).collect();
        let status = child.wait().unwrap();
        (status.success(), lines)
    })
    .await
    .unwrap();
    assert!(last.0, "login failed");
    assert_eq!(
        last.1.last().map(String::as_str),
        Some("signed in via OAuth as Offline Mode (offline@localhost)")
    );

    let (_, out, _) = output(vas(&data, &base, &service, &["auth", "status"])).await;
    assert_eq!(
        out.lines().next(),
        Some("signed in via OAuth as Offline Mode (offline@localhost)")
    );

    // Every other command uses the sign-in; an expired token is refreshed unnoticed.
    agent.expire_oauth_access_tokens();
    let (ok, out, err) = output(vas(&data, &base, &service, &["auth", "test"])).await;
    assert!(ok, "{err}");
    assert!(out.contains("account: Offline Mode"), "{out}");
    assert_eq!(agent.oauth_stats().refreshes, 1);
    for text in [&out, &err] {
        assert!(!text.contains("lat_") && !text.contains("lrt_"), "{text}");
    }

    let (ok, _, err) = output(vas(&data, &base, &service, &["auth", "logout"])).await;
    assert!(ok);
    assert!(err.contains("revoked"), "{err}");
    assert_eq!(agent.oauth_stats().revocations, 1);
    let (_, out, _) = output(vas(&data, &base, &service, &["auth", "status"])).await;
    assert_eq!(out.trim(), "not signed in");
    agent.shutdown().await;
}
