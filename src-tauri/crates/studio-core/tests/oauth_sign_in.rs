//! Sign in with HeyGen through the studio against a real local agent's OAuth server, with the
//! tokens in a real Secret Service (CI: VAS_TEST_KEYRING=1 under dbus-run-session with an
//! unlocked gnome-keyring; skipped with a note otherwise): the loopback redirect, tokens only in
//! the keyring (never in the data dir), refresh after expiry, two studios (the app and `vas`)
//! refreshing at once, denied consent, a forged state, and sign-out revoking then deleting.

mod common;

use std::time::Duration;

use studio_core::heygen_api::{Auth, Client, ClientConfig};
use studio_core::{CredentialKind, Credentials, Settings, Studio, StudioConfig};
use tokio_util::sync::CancellationToken;

fn keyring_enabled() -> bool {
    if std::env::var("VAS_TEST_KEYRING").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("SKIPPED: needs a Secret Service (VAS_TEST_KEYRING=1 under dbus-run-session)");
    false
}

async fn studio(env: &common::Env, service: &str, data: &str) -> Studio {
    let config = StudioConfig {
        data_dir: Some(env.dir.path().join(data)),
        base_url: Some(env.agent.base_url()),
        api_key: None,
        credentials: Credentials::with_service(service),
        offline: Some(false),
        retry: Some(common::fast_retry()),
        library_dir: Some(env.library()),
        ..StudioConfig::default()
    };
    let studio = Studio::open(config).await.unwrap();
    studio
        .update_settings(Settings {
            oauth_client_id: Some("studio-test-client".into()),
            ..studio.settings()
        })
        .await
        .unwrap();
    studio
}

/// The browser: the consent page answered, then its redirect followed to the app's loopback.
async fn browser(url: String, approve: bool, forge_state: bool) -> String {
    let mut redirect = local_agent::testing::consent(&url, approve).await.unwrap();
    if forge_state {
        let mut parsed = url::Url::parse(&redirect).unwrap();
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
        redirect = parsed.into();
    }
    reqwest::get(&redirect).await.unwrap().text().await.unwrap()
}

async fn sign_in(studio: &Studio, approve: bool, forge: bool) -> studio_core::Result<String> {
    let pending = studio.begin_sign_in().await?;
    assert!(pending.url.contains("code_challenge_method=S256"));
    let page = tokio::spawn(browser(pending.url.clone(), approve, forge));
    let result = studio
        .finish_sign_in(pending, Duration::from_secs(20), CancellationToken::new())
        .await;
    let page = page.await.unwrap();
    result.map(|account| {
        assert!(page.contains("You can close this tab"), "{page}");
        account.name
    })
}

fn files_contain(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in walk(dir) {
        if let Ok(bytes) = std::fs::read(&entry) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(entry.display().to_string());
            }
        }
    }
    hits
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_refresh_two_processes_and_sign_out() {
    if !keyring_enabled() {
        return;
    }
    let env = common::Env::start().await;
    env.agent.set_oauth(local_agent::OAuthSettings {
        rotate_refresh_tokens: true,
        ..local_agent::OAuthSettings::default()
    });
    let service = format!("vas-test-oauth-{}", std::process::id());
    let app = studio(&env, &service, "app").await;
    let before = app.auth_status().await.unwrap();
    assert_eq!(before.active, None);
    assert!(before.sign_in_unavailable.is_none());

    let name = sign_in(&app, true, false).await.unwrap();
    assert_eq!(name, "Offline Mode");
    let status = app.auth_status().await.unwrap();
    assert_eq!(status.active, Some(CredentialKind::OAuth));
    assert!(status.oauth_account.unwrap().contains("offline@localhost"));

    // Tokens are in the keyring and nowhere in the data dir (SQLite, logs).
    let stored = Credentials::with_service(&service)
        .sign_in()
        .unwrap()
        .unwrap();
    let access = stored.tokens.expose().access_token.expose().to_string();
    let refresh = stored.tokens.expose().refresh_token.clone().unwrap();
    for token in [access.as_str(), refresh.expose()] {
        assert!(files_contain(&env.dir.path().join("app"), token).is_empty());
    }

    // A second process (vas) over the same keyring; the server expires the tokens; both refresh
    // at once and neither is signed out (rotation would punish a refresh token spent twice).
    let vas = studio(&env, &service, "vas").await;
    app.test_key(None).await.unwrap();
    vas.test_key(None).await.unwrap();
    env.agent.expire_oauth_access_tokens();
    let (a, b) = tokio::join!(app.test_key(None), vas.test_key(None));
    a.unwrap();
    b.unwrap();
    assert_eq!(env.agent.oauth_stats().refreshes, 1);
    let after = Credentials::with_service(&service)
        .sign_in()
        .unwrap()
        .unwrap();
    assert_ne!(after.tokens.expose().access_token.expose(), access);

    // Sign out revokes at the server, then deletes.
    let current = after.tokens.expose().access_token.clone();
    assert!(app.sign_out().await.unwrap());
    assert!(Credentials::with_service(&service)
        .sign_in()
        .unwrap()
        .is_none());
    assert_eq!(app.auth_status().await.unwrap().active, None);
    let old = Client::new(ClientConfig::new(
        env.agent.base_url(),
        Auth::Bearer(current),
    ))
    .unwrap();
    assert_eq!(
        old.get_current_user().await.unwrap_err().http_status(),
        Some(401)
    );
    vas.shutdown().await;
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn denied_consent_and_forged_state_leave_it_signed_out() {
    if !keyring_enabled() {
        return;
    }
    let env = common::Env::start().await;
    let service = format!("vas-test-oauth-deny-{}", std::process::id());
    let app = studio(&env, &service, "app").await;
    let err = sign_in(&app, false, false).await.unwrap_err();
    assert_eq!(err.code(), "access_denied");
    assert!(err.to_string().contains("denied"), "{err}");
    let err = sign_in(&app, true, true).await.unwrap_err();
    assert_eq!(err.code(), "state_mismatch");
    let status = app.auth_status().await.unwrap();
    assert!(!status.oauth_signed_in);
    assert_eq!(status.active, None);
    assert!(Credentials::with_service(&service)
        .sign_in()
        .unwrap()
        .is_none());
    app.shutdown().await;
}

#[tokio::test]
async fn no_client_id_says_why() {
    let env = common::Env::start().await;
    let config = StudioConfig {
        data_dir: Some(env.dir.path().join("x")),
        base_url: Some(env.agent.base_url()),
        credentials: Credentials::with_service("vas-test-unused"),
        api_key: Some(studio_core::Secret::new(common::KEY)),
        offline: Some(false),
        ..StudioConfig::default()
    };
    if std::env::var(studio_core::oauth::CLIENT_ID_ENV).is_ok() {
        return;
    }
    let studio = Studio::open(config).await.unwrap();
    let status = studio.auth_status().await.unwrap();
    assert!(status.sign_in_unavailable.unwrap().contains("client id"));
    assert_eq!(status.api_key_last4.as_deref(), Some("mK9w"));
    let err = studio.begin_sign_in().await.unwrap_err();
    assert_eq!(err.code(), "oauth_client_id_missing");
    studio.shutdown().await;
}
