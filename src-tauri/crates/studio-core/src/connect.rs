//! Which server and key the engine talks to, and the cached client. Order for the base URL:
//! offline agent > explicit (CLI `--base-url`) > `HEYGEN_BASE_URL` > settings > HeyGen. Order for
//! the key: offline agent's > explicit > `HEYGEN_API_KEY` > keyring.

use std::sync::{Arc, Mutex};

use heygen_api::{Auth, Client, ClientConfig, RetryHook, RetryPolicy, Secret, DEFAULT_BASE_URL};

use crate::credentials::Credentials;
use crate::engine::Connected;
use crate::error::{CoreError, Result};
use crate::settings::CredentialKind;

/// Environment variable naming the API base URL (same as `vas --base-url`).
pub const BASE_URL_ENV: &str = "HEYGEN_BASE_URL";

pub(crate) struct Connector {
    pub credentials: Credentials,
    pub explicit_key: Option<Secret>,
    pub explicit_base_url: Option<String>,
    pub settings_base_url: Mutex<Option<String>>,
    pub proxy: Mutex<Option<String>>,
    /// Base URL and key of the embedded local agent while offline mode is on.
    pub offline: Mutex<Option<(String, Secret)>>,
    pub retry: Option<RetryPolicy>,
    /// The user's choice when both an API key and a HeyGen sign-in are stored.
    pub active: Mutex<CredentialKind>,
    /// Told before each of the client's own retry waits (the engine turns a 429's into the
    /// "slow down" countdown the app shows).
    pub on_retry: Option<RetryHook>,
    cache: Mutex<Option<Connected>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Connector {
    pub fn new(
        credentials: Credentials,
        explicit_key: Option<Secret>,
        explicit_base_url: Option<String>,
        retry: Option<RetryPolicy>,
        on_retry: Option<RetryHook>,
    ) -> Arc<Self> {
        Arc::new(Self {
            credentials,
            explicit_key,
            explicit_base_url,
            settings_base_url: Mutex::new(None),
            proxy: Mutex::new(None),
            offline: Mutex::new(None),
            retry,
            on_retry,
            active: Mutex::new(CredentialKind::ApiKey),
            cache: Mutex::new(None),
        })
    }

    /// Forget the cached client (key, URL, proxy or offline mode changed).
    pub fn invalidate(&self) {
        *lock(&self.cache) = None;
    }

    /// The base URL in effect (without touching the keyring).
    pub fn base_url(&self) -> String {
        if let Some((url, _)) = lock(&self.offline).as_ref() {
            return url.clone();
        }
        self.explicit_base_url
            .clone()
            .or_else(|| std::env::var(BASE_URL_ENV).ok().filter(|s| !s.is_empty()))
            .or_else(|| lock(&self.settings_base_url).clone())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
    }

    pub fn is_offline(&self) -> bool {
        lock(&self.offline).is_some()
    }

    /// Build a client for `key` against the current base URL (used to test a candidate key).
    pub fn client_for(&self, key: Secret) -> Result<Client> {
        self.client_with(Auth::ApiKey(key))
    }

    /// A client with these credentials against the current base URL.
    pub fn client_with(&self, auth: Auth) -> Result<Client> {
        let mut config = ClientConfig::new(self.base_url(), auth);
        config.proxy = lock(&self.proxy).clone();
        if let Some(retry) = &self.retry {
            config.retry = retry.clone();
        }
        config.on_retry = self.on_retry.clone();
        Ok(Client::new(config)?)
    }

    /// The cached client, built on first use. Blocking (reads the keyring).
    pub fn connect(&self) -> Result<Connected> {
        if let Some(c) = lock(&self.cache).as_ref() {
            return Ok(c.clone());
        }
        let client = self.client_with(self.auth()?)?;
        let connected = Connected {
            scope: client.base_url().to_string(),
            client: Arc::new(client),
        };
        *lock(&self.cache) = Some(connected.clone());
        Ok(connected)
    }

    /// The credential in effect. Blocking (reads the keyring). Order: the offline agent's key,
    /// an explicit key, `HEYGEN_API_KEY`, then the user's choice between the stored API key and
    /// the HeyGen sign-in (the other one when only one is stored).
    pub fn auth(&self) -> Result<Auth> {
        if let Some((_, key)) = lock(&self.offline).clone() {
            return Ok(Auth::ApiKey(key));
        }
        if let Some(key) = &self.explicit_key {
            return Ok(Auth::ApiKey(key.clone()));
        }
        let key = self.credentials.api_key()?;
        if let Some((key, crate::credentials::KeySource::Environment)) = key {
            return Ok(Auth::ApiKey(key));
        }
        let prefer_oauth = *lock(&self.active) == CredentialKind::OAuth;
        if prefer_oauth || key.is_none() {
            if let Some(session) = self.session()? {
                return Ok(Auth::OAuth(session));
            }
        }
        key.map(|(k, _)| Auth::ApiKey(k)).ok_or(CoreError::NoApiKey)
    }

    /// A session over the stored sign-in (refreshes are saved back to the keyring). Blocking.
    pub fn session(&self) -> Result<Option<heygen_api::SharedSession>> {
        let Some(stored) = self.credentials.sign_in()? else {
            return Ok(None);
        };
        let mut config = heygen_api::oauth::OAuthConfig::for_base_url(
            stored.client_id.clone(),
            "http://127.0.0.1/callback",
            &stored.base_url,
        );
        config.proxy = lock(&self.proxy).clone();
        let client = heygen_api::oauth::OAuthClient::new(config)?;
        let store = crate::oauth::KeyringTokenStore::new(self.credentials.clone());
        Ok(Some(heygen_api::SharedSession(Arc::new(
            heygen_api::OAuthSession::new(client, stored.tokens.expose().clone(), Some(store)),
        ))))
    }
}
