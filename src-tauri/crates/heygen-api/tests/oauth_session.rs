//! Sign in with OAuth against a real local agent (its own OAuth server): PKCE code exchange, a
//! session used by every request, refresh 60 s early and once after a 401, a refresh answer
//! without a refresh token keeping the old one, rotation, revoked grants, and two "processes"
//! sharing one token store refreshing at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use heygen_api::oauth::{OAuthClient, OAuthConfig, OAuthTokens};
use heygen_api::{ApiError, Auth, Client, ClientConfig, OAuthSession, SharedSession, TokenStore};
use local_agent::OAuthSettings;

struct Agent {
    agent: local_agent::RunningAgent,
    _dir: tempfile::TempDir,
}

async fn agent(settings: OAuthSettings) -> Agent {
    let dir = tempfile::tempdir().unwrap();
    let config = local_agent::Config {
        // Only this key is accepted, so a bearer token works only as an issued token.
        api_keys: vec!["the-only-key".into()],
        oauth: settings,
        ..local_agent::Config::new(dir.path().join("agent"))
    };
    Agent {
        agent: local_agent::start(config).await.unwrap(),
        _dir: dir,
    }
}

/// Signs in the way the app does, with the consent approved over HTTP.
async fn sign_in(base: &str) -> (OAuthClient, OAuthTokens) {
    let config = OAuthConfig::for_base_url("studio-test", "http://127.0.0.1:1/callback", base);
    let oauth = OAuthClient::new(config).unwrap();
    let request = oauth.authorization_request();
    let redirect = local_agent::testing::consent(&request.url, true)
        .await
        .unwrap();
    let code = oauth.code_from_redirect(&redirect, &request.state).unwrap();
    let tokens = oauth
        .exchange_code(&code, &request.code_verifier)
        .await
        .unwrap();
    // A code is single-use.
    let again = oauth
        .exchange_code(&code, &request.code_verifier)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "invalid_grant");
    (oauth, tokens)
}

fn client(base: &str, session: &Arc<OAuthSession>) -> Client {
    let mut config = ClientConfig::new(base, Auth::OAuth(SharedSession(session.clone())));
    config.retry = heygen_api::RetryPolicy::none();
    Client::new(config).unwrap()
}

#[tokio::test]
async fn bearer_session_refreshes_after_401_and_before_expiry() {
    let a = agent(OAuthSettings::default()).await;
    let base = a.agent.base_url();
    let (oauth, tokens) = sign_in(&base).await;
    let first_refresh = tokens.refresh_token.clone().unwrap();
    assert!(tokens
        .access_token
        .expose()
        .starts_with(local_agent::OAUTH_ACCESS_PREFIX));
    let session = Arc::new(OAuthSession::new(oauth.clone(), tokens.clone(), None));
    let api = client(&base, &session);
    assert_eq!(
        api.get_current_user().await.unwrap().username,
        "local-agent"
    );

    // The server expires the token while the client still thinks it is good: the next call
    // is refused once, refreshed and sent again without the caller noticing.
    a.agent.expire_oauth_access_tokens();
    assert_eq!(
        api.get_current_user().await.unwrap().username,
        "local-agent"
    );
    let stats = a.agent.oauth_stats();
    assert_eq!(stats.refreshes, 1);
    assert_eq!(stats.expired_rejections, 1);
    let now = session.tokens().await;
    assert_ne!(now.access_token, tokens.access_token);
    // HeyGen may answer a refresh without a refresh token: the old one is kept.
    assert_eq!(now.refresh_token.as_ref(), Some(&first_refresh));

    // A token within 60 s of its expiry is refreshed before the request (no 401 first).
    let mut nearly = session.tokens().await;
    nearly.expires_at = Some(chrono_now() + 30);
    let session = Arc::new(OAuthSession::new(oauth.clone(), nearly, None));
    client(&base, &session).get_current_user().await.unwrap();
    let stats = a.agent.oauth_stats();
    assert_eq!((stats.refreshes, stats.expired_rejections), (2, 1));

    // Revoked at the server: the refresh fails and says to sign in again.
    a.agent.revoke_oauth_refresh_tokens();
    a.agent.expire_oauth_access_tokens();
    let err = client(&base, &session)
        .get_current_user()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "oauth_signed_out");
    assert_eq!(err.http_status(), Some(401));
    assert!(!err.to_string().contains("lat_") && !err.to_string().contains("lrt_"));
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn revoke_ends_the_grant_and_bad_tokens_are_refused() {
    let a = agent(OAuthSettings::default()).await;
    let base = a.agent.base_url();
    let (oauth, tokens) = sign_in(&base).await;
    let session = Arc::new(OAuthSession::new(oauth, tokens.clone(), None));
    session.revoke().await.unwrap();
    let fixed = Client::new(ClientConfig::new(
        &base,
        Auth::Bearer(tokens.access_token.clone()),
    ))
    .unwrap();
    assert_eq!(
        fixed.get_current_user().await.unwrap_err().http_status(),
        Some(401)
    );
    // The API key still works next to OAuth.
    let key = Client::new(ClientConfig::new(
        &base,
        Auth::ApiKey(heygen_api::Secret::new("the-only-key")),
    ))
    .unwrap();
    key.get_current_user().await.unwrap();
    // A made-up bearer token is not an API key.
    let forged = Client::new(ClientConfig::new(
        &base,
        Auth::Bearer(heygen_api::Secret::new("lat_forged")),
    ))
    .unwrap();
    assert!(forged
        .get_current_user()
        .await
        .unwrap_err()
        .is_unauthorized());
}

/// A token store shared by two sessions, as the keyring is by the app and `vas` (the lock is
/// a flag here, a file lock there).
#[derive(Default)]
struct SharedStore {
    tokens: Mutex<Option<OAuthTokens>>,
    locked: Arc<AtomicBool>,
}

struct Release(Arc<AtomicBool>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl TokenStore for SharedStore {
    fn lock(&self) -> Result<Box<dyn Send>, ApiError> {
        while self
            .locked
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // Give the other "process" time to pile up behind the lock.
        std::thread::sleep(std::time::Duration::from_millis(100));
        Ok(Box::new(Release(self.locked.clone())))
    }
    fn load(&self) -> Result<Option<OAuthTokens>, ApiError> {
        Ok(self.tokens.lock().unwrap().clone())
    }
    fn save(&self, tokens: &OAuthTokens) -> Result<(), ApiError> {
        *self.tokens.lock().unwrap() = Some(tokens.clone());
        Ok(())
    }
}

#[tokio::test]
async fn two_sessions_refreshing_at_once_do_not_lock_each_other_out() {
    // With rotation, spending one refresh token twice would sign both out.
    let a = agent(OAuthSettings {
        rotate_refresh_tokens: true,
        ..OAuthSettings::default()
    })
    .await;
    let base = a.agent.base_url();
    let (oauth, tokens) = sign_in(&base).await;
    let store = Arc::new(SharedStore::default());
    store.save(&tokens).unwrap();
    let app = Arc::new(OAuthSession::new(
        oauth.clone(),
        tokens.clone(),
        Some(store.clone()),
    ));
    let vas = Arc::new(OAuthSession::new(oauth, tokens, Some(store.clone())));
    a.agent.expire_oauth_access_tokens();
    let (app_api, vas_api) = (client(&base, &app), client(&base, &vas));
    let (x, y) = tokio::join!(app_api.get_current_user(), vas_api.get_current_user());
    x.unwrap();
    y.unwrap();
    assert_eq!(
        a.agent.oauth_stats().refreshes,
        1,
        "the second adopted the first's"
    );
    assert_eq!(app.tokens().await, vas.tokens().await);
    assert_eq!(store.load().unwrap(), Some(app.tokens().await));
}
