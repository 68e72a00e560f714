//! Issue 12, engine side: the library folder is validated, media is fetched only from URLs the
//! engine itself received, loopback traffic never goes through a proxy, and a proxy password
//! never lands in SQLite or the settings the UI reads. Real local agent, real SQLite.

mod common;

use std::sync::{Arc, Mutex};

use common::{Env, KEY};
use studio_core::Settings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Item 1: `/`, the home folder itself and hidden folders are refused as the library folder.
#[tokio::test]
async fn the_library_folder_cannot_be_root_home_or_hidden() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let home = dirs::home_dir().unwrap_or_else(|| "/root".into());
    for bad in [
        std::path::PathBuf::from("/"),
        home.clone(),
        home.join(".ssh"),
        env.dir.path().join(".hidden").join("videos"),
        std::path::PathBuf::from("relative/videos"),
    ] {
        let result = studio
            .update_settings(Settings {
                library_dir: Some(bad.clone()),
                ..studio.settings()
            })
            .await;
        assert!(
            result.is_err(),
            "{} accepted as the library folder",
            bad.display()
        );
        assert_ne!(
            studio.settings().library_dir.as_deref(),
            Some(bad.as_path())
        );
    }
    studio.shutdown().await;
}

/// Item 5: a media URL the engine never received from the API is not fetched.
#[tokio::test]
async fn cached_media_fetches_only_urls_the_engine_received() {
    let env = Env::start().await;
    // A real style thumbnail URL, learnt behind the engine's back.
    let styles: serde_json::Value = env
        .http
        .get(format!("{}/v3/video-agents/styles", env.agent.base_url()))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = styles["data"][0]["thumbnail_url"]
        .as_str()
        .unwrap()
        .to_string();
    let studio = env.studio().await;
    let refused = studio.cached_thumbnail(&url).await;
    assert!(
        refused.is_err(),
        "fetched a URL the engine never received: {refused:?}"
    );
    studio.shutdown().await;
}

/// Records whatever reaches it (a stand-in HTTP proxy) and answers 502.
async fn recording_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let _ = socket
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (port, seen)
}

/// Item 9: requests to the local agent on loopback (offline mode, tests) never go through the
/// configured proxy, where the key would travel in the clear.
#[tokio::test]
async fn loopback_requests_bypass_the_proxy() {
    let env = Env::start().await;
    let (port, seen) = recording_proxy().await;
    let studio = env.studio().await;
    studio
        .update_settings(Settings {
            proxy: Some(format!("http://127.0.0.1:{port}")),
            ..studio.settings()
        })
        .await
        .unwrap();
    let account = studio.test_key(None).await;
    let through_proxy = seen.lock().unwrap().clone();
    assert!(
        through_proxy.is_empty(),
        "loopback traffic went through the proxy (key in the clear: {}): {through_proxy:?}",
        through_proxy.iter().any(|r| r.contains(KEY))
    );
    account.expect("the local agent answers directly");
    studio.shutdown().await;
}

/// Item 9: a proxy password goes to the keyring, never into SQLite or the settings.
#[tokio::test]
async fn a_proxy_password_is_not_stored_in_sqlite_or_settings() {
    let env = Env::start().await;
    let studio = env.studio().await;
    let _ = studio
        .update_settings(Settings {
            proxy: Some("http://alice:pr0xy-s3cret@proxy.example:3128".into()),
            ..studio.settings()
        })
        .await;
    let stored: Option<Option<String>> = studio.store().get_setting("proxy").unwrap();
    let stored = format!("{stored:?}");
    assert!(
        !stored.contains("pr0xy-s3cret"),
        "SQLite holds the proxy password: {stored}"
    );
    let settings = format!("{:?}", studio.settings());
    assert!(
        !settings.contains("pr0xy-s3cret"),
        "settings hold the proxy password: {settings}"
    );
    studio.shutdown().await;
}
