//! The API key (and, later, OAuth tokens) in the OS keyring: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows. There is deliberately no fallback: when no keyring
//! answers, the user gets an error that says how to fix it, never a plaintext file or a key that
//! silently vanishes on exit. `HEYGEN_API_KEY` overrides the stored key (CI, scripts).

use heygen_api::Secret;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Result};

/// Keyring service name shared by the app and `vas`.
pub const KEYRING_SERVICE: &str = "video-agent-studio";
/// Keyring entry holding the API key.
pub const API_KEY_ENTRY: &str = "api-key";
/// Keyring entry reserved for OAuth tokens (JSON).
pub const OAUTH_ENTRY: &str = "oauth";
/// Keyring entry holding the proxy's password (the proxy URL in settings has none).
pub const PROXY_PASSWORD_ENTRY: &str = "proxy-password";
/// Environment variable that overrides the stored key.
pub const API_KEY_ENV: &str = "HEYGEN_API_KEY";

/// Where the key in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    Environment,
    Keyring,
}

/// Access to the keyring entries of one service name (tests use their own service name so they
/// never touch a real user's key).
#[derive(Debug, Clone)]
pub struct Credentials {
    service: String,
    /// Whether `HEYGEN_API_KEY` is consulted.
    use_env: bool,
}

impl Default for Credentials {
    fn default() -> Self {
        Self::new()
    }
}

impl Credentials {
    /// The app's own keyring service, with the environment override.
    pub fn new() -> Self {
        Self {
            service: KEYRING_SERVICE.to_string(),
            use_env: true,
        }
    }

    /// A separate service name, without the environment override (tests, isolated profiles).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            use_env: false,
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(map_keyring_error)
    }

    /// The key to use: `HEYGEN_API_KEY` if set, else the keyring's. `Ok(None)` = none set.
    /// Blocking (talks to D-Bus): call from a blocking context.
    pub fn api_key(&self) -> Result<Option<(Secret, KeySource)>> {
        if self.use_env {
            if let Some(key) = std::env::var(API_KEY_ENV)
                .ok()
                .map(Secret::new)
                .filter(|k| !k.is_empty())
            {
                return Ok(Some((key, KeySource::Environment)));
            }
        }
        Ok(self.stored_api_key()?.map(|k| (k, KeySource::Keyring)))
    }

    /// The key stored in the keyring (ignores the environment).
    pub fn stored_api_key(&self) -> Result<Option<Secret>> {
        self.read(API_KEY_ENTRY)
    }

    /// Store (or replace) the API key.
    pub fn set_api_key(&self, key: &Secret) -> Result<()> {
        if key.is_empty() {
            return Err(CoreError::invalid(
                ErrorCode::InvalidApiKey,
                Some("api_key"),
                "The API key is empty",
            ));
        }
        self.write(API_KEY_ENTRY, key)
    }

    /// Remove the stored key. Returns whether one was there.
    pub fn remove_api_key(&self) -> Result<bool> {
        self.delete(API_KEY_ENTRY)
    }

    /// OAuth tokens as an opaque secret blob (JSON), when signed in that way.
    pub fn oauth_tokens(&self) -> Result<Option<Secret>> {
        self.read(OAUTH_ENTRY)
    }

    pub fn set_oauth_tokens(&self, tokens: &Secret) -> Result<()> {
        self.write(OAUTH_ENTRY, tokens)
    }

    pub fn remove_oauth_tokens(&self) -> Result<bool> {
        self.delete(OAUTH_ENTRY)
    }

    /// The proxy's password, when the proxy needs one.
    pub fn proxy_password(&self) -> Result<Option<Secret>> {
        self.read(PROXY_PASSWORD_ENTRY)
    }

    pub fn set_proxy_password(&self, password: &Secret) -> Result<()> {
        self.write(PROXY_PASSWORD_ENTRY, password)
    }

    pub fn remove_proxy_password(&self) -> Result<bool> {
        self.delete(PROXY_PASSWORD_ENTRY)
    }

    fn read(&self, name: &str) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn write(&self, name: &str, value: &Secret) -> Result<()> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(map_keyring_error)
    }

    fn delete(&self, name: &str) -> Result<bool> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// Map keyring failures to stable codes. Details come from the platform error text (D-Bus
/// messages and the like), never from the secret: `BadEncoding` carries the stored bytes, so it
/// gets a fixed message.
fn map_keyring_error(e: keyring::Error) -> CoreError {
    match e {
        // On Linux this is what a missing/unreachable Secret Service looks like (no D-Bus
        // session, no daemon owning org.freedesktop.secrets).
        keyring::Error::PlatformFailure(inner) => CoreError::KeyringUnavailable {
            detail: inner.to_string(),
        },
        keyring::Error::NoStorageAccess(inner) => CoreError::KeyringLocked {
            detail: inner.to_string(),
        },
        keyring::Error::BadEncoding(_) => CoreError::Keyring {
            detail: "the stored value is not valid UTF-8; remove it and set the key again"
                .to_string(),
        },
        keyring::Error::TooLong(field, max) => CoreError::Keyring {
            detail: format!("{field} is longer than the keyring allows ({max}); use a shorter one"),
        },
        keyring::Error::Invalid(field, reason) => CoreError::Keyring {
            detail: format!("{field}: {reason}; {KEYRING_WAY_OUT}"),
        },
        keyring::Error::Ambiguous(_) => CoreError::Keyring {
            detail: "several keyring entries match; remove them and set the key again".to_string(),
        },
        keyring::Error::NoEntry => CoreError::NoApiKey,
        other => CoreError::Keyring {
            detail: format!("{other}; {KEYRING_WAY_OUT}"),
        },
    }
}

/// The end of every keyring message whose cause is not already clear.
const KEYRING_WAY_OUT: &str = "check that gnome-keyring (or KeePassXC with Secret Service enabled) is running and unlocked, then try again";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyring failure keeps its stable code and says what to do about it.
    #[test]
    fn keyring_failures_have_stable_codes_and_a_way_out() {
        let platform = || Box::new(std::io::Error::other("org.freedesktop.secrets not found"));
        let cases = [
            (
                map_keyring_error(keyring::Error::PlatformFailure(platform())),
                "keyring_unavailable",
                "install and start gnome-keyring",
            ),
            (
                map_keyring_error(keyring::Error::NoStorageAccess(platform())),
                "keyring_locked",
                "unlock it and try again",
            ),
            (
                map_keyring_error(keyring::Error::BadEncoding(vec![0xff])),
                "keyring_error",
                "remove it and set the key again",
            ),
            (
                map_keyring_error(keyring::Error::TooLong("password".into(), 10)),
                "keyring_error",
                "use a shorter one",
            ),
            (
                map_keyring_error(keyring::Error::Invalid("service".into(), "empty".into())),
                "keyring_error",
                "is running and unlocked, then try again",
            ),
            (
                map_keyring_error(keyring::Error::NoEntry),
                "no_api_key",
                "vas auth set",
            ),
        ];
        for (error, code, way_out) in cases {
            assert_eq!(error.code(), code, "{error}");
            assert!(error.to_string().contains(way_out), "{error}");
            // The CLI and the app show the same view.
            assert_eq!(error.view().code, code);
        }
    }
}
