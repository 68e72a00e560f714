//! Downloads and file names (issue 7 item 4): only https, or plain http to the local agent on
//! loopback; titles and ids crafted for path traversal cannot write outside the library folder.
//! Everything goes through studio-core's own downloader and naming, against a real local agent.

use std::path::Path;
use std::time::Duration;

use heygen_api::url_policy;
use proptest::prelude::*;
use qa::files::all_files;
use studio_core::downloads::file::fetch_to_file;
use studio_core::downloads::names::{file_stem, guarded_path};
use studio_core::{JobRequest, JobState, Secret, Studio, StudioConfig};
use tokio_util::sync::CancellationToken;

const REFUSED: &[&str] = &[
    "http://example.com/v.mp4",
    "http://10.0.0.1/v.mp4",
    "http://192.168.1.10:8080/v.mp4",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost.evil.example/v.mp4",
    "http://127.0.0.1.nip.io/v.mp4",
    "http://[::ffff:10.0.0.1]/v.mp4",
    "ftp://127.0.0.1/v.mp4",
    "file:///etc/passwd",
    "data:video/mp4;base64,AAAA",
    "javascript:alert(1)",
    "ws://127.0.0.1:9/v",
    "gopher://127.0.0.1:70/",
    "https://",
    "//cdn.example.com/v.mp4",
    "",
];

async fn download(client: &heygen_api::Client, url: &str, dest: &Path) -> studio_core::Result<u64> {
    let fixed = url.to_string();
    fetch_to_file(
        client,
        url.to_string(),
        dest,
        || {
            let u = fixed.clone();
            async move { Ok(u) }
        },
        &CancellationToken::new(),
        &|_, _| {},
        Duration::from_millis(10),
    )
    .await
    .map(|f| f.size)
}

#[tokio::test]
async fn downloader_refuses_every_scheme_but_https_and_loopback_http() {
    let tmp = tempfile::tempdir().unwrap();
    let client = qa::transfer::client_for("http://127.0.0.1:9", "k").unwrap();
    for url in REFUSED {
        let dest = tmp.path().join("out.mp4");
        let err = download(&client, url, &dest).await.expect_err(url);
        assert_eq!(err.code(), "invalid_url", "{url}: {err}");
        assert!(
            !dest.exists() && !tmp.path().join("out.mp4.part").exists(),
            "{url} wrote a file"
        );
        // The refusal names scheme and host at most — never a signed path or query.
        assert!(
            !err.to_string().contains("meta-data") && !err.to_string().contains("base64"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn the_local_agent_on_loopback_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let agent = local_agent::start(local_agent::Config {
        api_keys: vec!["qa-key".into()],
        admin: true,
        ..local_agent::Config::new(tmp.path().join("agent"))
    })
    .await
    .unwrap();
    let admin = qa::agent::Admin::new(&agent.base_url(), "qa-key");
    let blob = admin.blob(300_000).await.unwrap();
    assert!(blob.url.starts_with("http://127.0.0.1:"), "{}", blob.url);
    let client = qa::transfer::client_for(&agent.base_url(), "k").unwrap();
    let dest = tmp.path().join("blob.bin");
    assert_eq!(download(&client, &blob.url, &dest).await.unwrap(), 300_000);
    agent.shutdown().await;
}

/// Plain http is allowed only to the configured local agent, not to any loopback service, so a
/// server-given `video_url` cannot point the downloader at another local port.
#[tokio::test]
async fn http_to_a_loopback_service_other_than_the_agent_is_refused() {
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = other.local_addr().unwrap().port();
    let client = qa::transfer::client_for("https://api.heygen.com", "k").unwrap();
    let err = client
        .download(&format!("http://127.0.0.1:{port}/admin"), 0)
        .await
        .expect_err("must be refused");
    assert_eq!(err.code(), "invalid_url");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Whatever the URL policy accepts is https with a host, or http to a loopback host.
    #[test]
    fn accepted_urls_are_https_or_loopback_http(
        scheme in prop_oneof![
            Just("https".to_string()), Just("http".to_string()), Just("HTTP".to_string()),
            Just("ftp".to_string()), Just("file".to_string()), "[a-z]{1,6}",
        ],
        host in prop_oneof![
            Just("127.0.0.1".to_string()), Just("localhost".to_string()), Just("[::1]".to_string()),
            Just("0x7f000001".to_string()), Just("2130706433".to_string()), Just("127.1".to_string()),
            Just("localhost.".to_string()), Just("[::ffff:127.0.0.1]".to_string()),
            "[a-z0-9.-]{0,20}", "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        ],
        rest in "(:[0-9]{1,5})?(/[ -~]{0,30})?",
    ) {
        let raw = format!("{scheme}://{host}{rest}");
        if let Ok(url) = url_policy::parse_allowed(&raw) {
            match url.scheme() {
                "https" => prop_assert!(url.host().is_some()),
                "http" => prop_assert!(url_policy::is_loopback(&url), "{raw} accepted as loopback"),
                other => prop_assert!(false, "{raw}: scheme {other} accepted"),
            }
            if let Some(url::Host::Ipv4(ip)) = url.host() {
                if url.scheme() == "http" {
                    prop_assert!(ip.is_loopback());
                }
            }
        }
    }

    /// Any title and any id make a name that lands directly inside the library folder.
    #[test]
    fn crafted_titles_and_ids_stay_in_the_folder(
        title in prop_oneof![
            Just("../../../../etc/passwd".to_string()), Just("..".to_string()), Just("/abs/olute".to_string()),
            Just("C:\\Windows\\system32".to_string()), Just("a/../../b".to_string()), Just("\u{0}nul".to_string()),
            Just("….．／．．／".to_string()), Just("~/.ssh/id_rsa".to_string()), "\\PC{0,120}", ".{0,80}",
        ],
        id in prop_oneof![Just("../../x".to_string()), Just("/".to_string()), "\\PC{0,40}"],
        suffix in prop_oneof![Just(""), Just("-thumbnail"), Just("-captioned")],
        ext in prop_oneof![Just("mp4"), Just("jpg"), Just("srt")],
    ) {
        let dir = LIBRARY.with(|d| d.path().to_path_buf());
        let name = format!("{}{suffix}.{ext}", file_stem(&id, Some(&title)));
        let path = guarded_path(&dir, &name).map_err(|e| TestCaseError::fail(format!("{name:?}: {e}")))?;
        let canonical = std::fs::canonicalize(&dir).unwrap();
        prop_assert_eq!(path.parent(), Some(canonical.as_path()));
        prop_assert!(!name.contains('/') && !name.contains('\\') && !name.starts_with('.'), "{name:?}");
    }

    /// Names that try to leave the folder are refused outright.
    #[test]
    fn guarded_path_refuses_escapes(prefix in "[a-z]{0,5}", sep in prop_oneof![Just("/"), Just("\\")], tail in "[a-z.]{0,8}") {
        let dir = LIBRARY.with(|d| d.path().to_path_buf());
        for name in [format!("..{sep}{prefix}{tail}"), format!("{prefix}{sep}..{sep}{tail}"), format!("{sep}{prefix}")] {
            prop_assert!(guarded_path(&dir, &name).is_err(), "{name:?} accepted");
        }
    }
}

thread_local! {
    static LIBRARY: tempfile::TempDir = tempfile::tempdir().unwrap();
}

/// A local agent and an engine whose library is `outside/lib`, so a file written anywhere in
/// `outside` but the library is an escape.
struct Sandbox {
    _tmp: tempfile::TempDir,
    agent: local_agent::RunningAgent,
    studio: Studio,
    outside: std::path::PathBuf,
    library: std::path::PathBuf,
}

impl Sandbox {
    async fn start(hostile_names: bool, budget_burst: u32, budget_per_second: f64) -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        let mut cfg = local_agent::Config::new(tmp.path().join("agent"));
        cfg.time_scale = 6000.0;
        cfg.hostile_names = hostile_names;
        let agent = local_agent::start(cfg).await.unwrap();
        let outside = tmp.path().join("outside");
        let library = outside.join("lib");
        std::fs::create_dir_all(&library).unwrap();
        let studio = Studio::open(StudioConfig {
            data_dir: Some(tmp.path().join("data")),
            base_url: Some(agent.base_url()),
            api_key: Some(Secret::new("qa-key")),
            offline: Some(false),
            poll_scale: 0.01,
            budget_burst,
            budget_per_second,
            library_dir: Some(library.clone()),
            ..StudioConfig::default()
        })
        .await
        .unwrap();
        studio.resume();
        Sandbox {
            _tmp: tmp,
            agent,
            studio,
            outside,
            library,
        }
    }

    /// The library folder, canonical (outputs are compared by their canonical parent).
    fn library(&self) -> std::path::PathBuf {
        std::fs::canonicalize(&self.library).unwrap()
    }

    /// Fails on any file in `outside` that is not inside the library; then stops both sides.
    async fn finish(self) {
        let lib = self.library();
        for f in all_files(&self.outside) {
            assert!(
                f.starts_with(&self.library) || f.starts_with(&lib),
                "stray file {}",
                f.display()
            );
        }
        self.studio.shutdown().await;
        self.agent.shutdown().await;
    }
}

/// End to end against an agent serving hostile names: every session and video id starts with a
/// traversal or look-alike prefix and every title is hostile (`../`, absolute paths, NUL, reserved
/// names, 300 characters, right-to-left marks). The engine writes every output directly inside
/// the library folder and nothing anywhere else. Bounded: it fails instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_titles_and_ids_cannot_escape_the_library() {
    tokio::time::timeout(Duration::from_secs(300), hostile_names_run())
        .await
        .expect("the hostile-names run finished within 300 s");
}

async fn hostile_names_run() {
    let sandbox = Sandbox::start(true, 40, 100.0).await;
    let studio = &sandbox.studio;
    let mut ids = Vec::new();
    for n in 0..5 {
        let job = studio
            .submit(JobRequest {
                prompt: format!("A 2-second video number {n} about a lighthouse."),
                ..JobRequest::default()
            })
            .await
            .unwrap();
        ids.push(job.id);
    }
    let titles = local_agent::hostile_titles();
    let lib = sandbox.library();
    for id in &ids {
        let done = studio.wait_for(id).await.unwrap();
        assert_eq!(done.state, JobState::Downloaded, "{done:?}");
        // The agent really served hostile names (else this test could not fail).
        let session = done.session_id.clone().unwrap_or_default();
        assert!(
            local_agent::HOSTILE_ID_PREFIXES
                .iter()
                .any(|p| session.starts_with(p)),
            "not a hostile session id: {session:?}"
        );
        let title = done.title.clone().unwrap_or_default();
        assert!(titles.contains(&title), "not a hostile title: {title:?}");
        let outputs = [
            &done.outputs.video,
            &done.outputs.thumbnail,
            &done.outputs.subtitles,
            &done.outputs.captioned_video,
        ];
        assert!(done.outputs.video.is_some(), "{done:?}");
        for p in outputs.into_iter().flatten() {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                !name.starts_with('.') && !name.contains('\\') && !name.contains('\u{0}'),
                "{name:?}"
            );
            assert!(
                name.len() <= 255,
                "a {}-byte file name (NAME_MAX is 255)",
                name.len()
            );
            let p = std::fs::canonicalize(p).unwrap();
            assert_eq!(p.parent(), Some(lib.as_path()), "{}", p.display());
        }
    }
    sandbox.finish().await;
}

/// End to end: the server names the video after a prompt full of traversal attempts; the engine
/// writes every output inside the library folder and nothing anywhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crafted_title_cannot_escape_the_library() {
    let sandbox = Sandbox::start(false, 20, 50.0).await;
    let studio = &sandbox.studio;
    let job = studio
        .submit(JobRequest {
            prompt: "A 2-second video titled ../../../outside/evil/../../etc/passwd about /tmp/../../root/.ssh".into(),
            ..JobRequest::default()
        })
        .await
        .unwrap();
    let done = tokio::time::timeout(Duration::from_secs(180), studio.wait_for(&job.id))
        .await
        .expect("job finished in time")
        .unwrap();
    assert_eq!(done.state, JobState::Downloaded, "{done:?}");
    let lib = sandbox.library();
    let outputs = [
        &done.outputs.video,
        &done.outputs.thumbnail,
        &done.outputs.subtitles,
        &done.outputs.captioned_video,
    ];
    for p in outputs.into_iter().flatten() {
        let p = std::fs::canonicalize(p).unwrap();
        assert_eq!(p.parent(), Some(lib.as_path()), "{}", p.display());
    }
    sandbox.finish().await;
}
