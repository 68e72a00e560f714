//! `--json` on every `vas` command that lists or shows something, against a real local agent:
//! stdout is one JSON document that parses as the engine's own type and is exactly that type's
//! serde form (nothing hand-built, nothing extra), and it says the same as the text output.

use std::path::Path;
use std::process::Command;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use studio_core::batch::{BatchPreview, BatchRowView, BatchState, BatchStatus};
use studio_core::heygen_api::models::{AvatarLook, Style, Voice};
use studio_core::{AuthStatus, CataloguePage, ChatThread, Job, SessionList};

mod common;

const KEY: &str = "sk_test_vas_json_8Wm3";

struct Env {
    dir: tempfile::TempDir,
    agent: local_agent::RunningAgent,
}

impl Env {
    async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let agent = common::start_agent(dir.path(), KEY, 600.0, false).await;
        Env { dir, agent }
    }

    fn command(&self, args: &[&str]) -> Command {
        common::vas(
            &self.dir.path().join("data"),
            &self.agent.base_url(),
            Some(KEY),
            args,
        )
    }

    /// Runs `vas ARGS` and returns its stdout; fails the test on a non-zero exit.
    async fn ok(&self, args: &[&str]) -> String {
        let out = common::run(self.command(args)).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "vas {args:?} exited {:?}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    async fn stop(self) {
        self.agent.shutdown().await;
    }
}

/// stdout as `T`: one JSON document, and serialising the parsed `T` gives it back unchanged.
fn parse<T: DeserializeOwned + Serialize>(stdout: &str) -> T {
    let raw: Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("one JSON document on stdout ({e}):\n{stdout}"));
    let typed: T = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("the engine's type ({e}):\n{stdout}"));
    assert_eq!(
        serde_json::to_value(&typed).unwrap(),
        raw,
        "exactly the type's serde form"
    );
    typed
}

/// The first column of each text line: the ids the text listing shows.
fn first_column(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn styles_json_is_a_catalogue_page_of_styles() {
    let env = Env::start().await;
    let page: CataloguePage<Style> = parse(&env.ok(&["styles", "--json"]).await);
    assert!(!page.items.is_empty());
    assert!(!page.from_cache);
    let ids: Vec<String> = page.items.iter().map(|s| s.style_id.clone()).collect();
    assert_eq!(ids, first_column(&env.ok(&["styles"]).await));
    let all: CataloguePage<Style> = parse(&env.ok(&["styles", "--all", "--json"]).await);
    assert!(all.items.len() >= page.items.len());
    assert_eq!(all.next_token, None, "--all fetched every page");
    let every = first_column(&env.ok(&["styles", "--all"]).await);
    assert_eq!(
        all.items
            .iter()
            .map(|s| s.style_id.clone())
            .collect::<Vec<_>>(),
        every
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_json_is_a_catalogue_page_of_looks() {
    let env = Env::start().await;
    let page: CataloguePage<AvatarLook> = parse(&env.ok(&["avatars", "--json"]).await);
    assert!(!page.items.is_empty());
    let ids: Vec<String> = page.items.iter().map(|l| l.id.clone()).collect();
    assert_eq!(ids, first_column(&env.ok(&["avatars"]).await));
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voices_json_is_a_catalogue_page_of_voices() {
    let env = Env::start().await;
    let page: CataloguePage<Voice> = parse(&env.ok(&["voices", "--json"]).await);
    assert!(!page.items.is_empty());
    let ids: Vec<String> = page.items.iter().map(|v| v.voice_id.clone()).collect();
    assert_eq!(ids, first_column(&env.ok(&["voices"]).await));
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_json_is_the_jobs_newest_first() {
    let env = Env::start().await;
    let empty: Vec<Job> = parse(&env.ok(&["jobs", "--json"]).await);
    assert!(empty.is_empty());
    let first = env
        .ok(&["generate", "A 2-second video about json one."])
        .await;
    let second = env
        .ok(&["generate", "A 2-second video about json two."])
        .await;
    let jobs: Vec<Job> = parse(&env.ok(&["jobs", "--json"]).await);
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, [second.trim(), first.trim()]);
    assert_eq!(jobs[1].request.prompt, "A 2-second video about json one.");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_list_and_show_json_are_the_session_list_and_thread() {
    let env = Env::start().await;
    let started = env
        .ok(&[
            "chat",
            "start",
            "A 3-second video about our bakery.",
            "--no-wait",
        ])
        .await;
    assert!(started.contains("session"), "{started}");

    let list: SessionList = parse(&env.ok(&["chat", "list", "--json"]).await);
    assert_eq!(list.remote_error, None);
    assert_eq!(list.sessions.len(), 1, "{list:?}");
    let session = &list.sessions[0];
    let job_id = session.job_id.clone().expect("started here: a local job");
    let text = env.ok(&["chat", "list"]).await;
    assert!(text.contains(&session.session_id), "{text}");

    let thread: ChatThread = parse(&env.ok(&["chat", "show", &job_id, "--json"]).await);
    assert_eq!(thread.session.session_id, session.session_id);
    assert!(!thread.messages.is_empty());
    env.stop().await;
}

/// `vas batch status --json`'s document: the batch's status and every row.
#[derive(Debug, Serialize, Deserialize)]
struct BatchReport {
    status: BatchStatus,
    rows: Vec<BatchRowView>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_dry_run_list_and_status_json_are_the_preview_statuses_and_rows() {
    let env = Env::start().await;
    let csv = env.dir.path().join("rows.csv");
    std::fs::write(
        &csv,
        "prompt,output_name\n\
         \"A 2-second video about json row 1.\",one\n\
         \"A 2-second video about json row 2.\",two\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();

    let preview: BatchPreview = parse(&env.ok(&["batch", "run", csv, "--dry-run", "--json"]).await);
    assert_eq!(preview.ready, 2);
    assert_eq!(preview.rows[1].output_name.as_deref(), Some("two"));

    let out = env.dir.path().join("videos");
    let done: BatchStatus = parse(
        &env.ok(&[
            "batch",
            "run",
            csv,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .await,
    );
    assert_eq!(done.batch.state, BatchState::Completed);
    assert_eq!(done.counts.downloaded, 2);

    let listed: Vec<BatchStatus> = parse(&env.ok(&["batch", "list", "--json"]).await);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].batch.id, done.batch.id);

    let report: BatchReport = parse(&env.ok(&["batch", "status", "--json"]).await);
    assert_eq!(report.status.batch.id, done.batch.id);
    assert_eq!(report.rows.len(), 2);
    for row in &report.rows {
        assert_eq!(row.state, "downloaded");
        let video = row.job.as_ref().and_then(|j| j.outputs.video.clone());
        assert!(video.as_deref().is_some_and(Path::is_file), "{row:?}");
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_status_and_test_json_show_the_credential_and_the_account() {
    let env = Env::start().await;
    let status: AuthStatus = parse(&env.ok(&["auth", "status", "--json"]).await);
    assert_eq!(status.active, Some(studio_core::CredentialKind::ApiKey));
    assert_eq!(status.api_key_last4.as_deref(), Some(&KEY[KEY.len() - 4..]));
    assert_eq!(
        status.api_key_source,
        Some(studio_core::KeySource::Environment)
    );
    let text = env.ok(&["auth", "status"]).await;
    assert!(
        text.contains(&format!("API key …{}", &KEY[KEY.len() - 4..])),
        "{text}"
    );

    // `AccountSummary` is only ever written, so its shape is checked field by field.
    let account: Value = serde_json::from_str(&env.ok(&["auth", "test", "--json"]).await).unwrap();
    let text = env.ok(&["auth", "test"]).await;
    let name = account["name"].as_str().expect("the account's name");
    assert!(text.contains(&format!("account: {name}")), "{text}");
    assert!(account["balance"]["amount"].is_number(), "{account}");
    assert_eq!(account["offline"], Value::Bool(false));
    assert!(account["user"].is_object());
    env.stop().await;
}
