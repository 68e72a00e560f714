//! A credential that cannot leak by accident.
//!
//! `Secret` wraps an API key or OAuth token. It prints as `<redacted>` through both `Debug` and
//! `Display`, deliberately does not implement `Serialize`, and wipes its bytes when dropped. The
//! only way to read it is [`Secret::expose`], which the client uses to build the auth header.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroize;

/// What `Debug` and `Display` print instead of the secret value.
pub const REDACTED: &str = "<redacted>";

/// A secret string (API key, access or refresh token).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value. Surrounding whitespace (a common copy-paste accident) is trimmed.
    pub fn new(value: impl Into<String>) -> Self {
        let mut raw: String = value.into();
        let trimmed = raw.trim();
        if trimmed.len() == raw.len() {
            return Secret(raw);
        }
        let secret = Secret(trimmed.to_owned());
        raw.zeroize();
        secret
    }

    /// The secret value. Only for building a request header or handing it to the OS keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

// Deserialize is allowed (tokens arrive in OAuth responses); Serialize is not, on purpose.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new("sk_live_abcdef");
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&secret)), format!("Some({REDACTED})"));
        assert_eq!(secret.expose(), "sk_live_abcdef");
    }

    #[test]
    fn trims_whitespace() {
        assert_eq!(Secret::new("  key\n").expose(), "key");
        assert!(Secret::new("   ").is_empty());
    }

    #[test]
    fn deserializes_from_json_string() {
        let secret: Secret = serde_json::from_str("\"tok\"").unwrap();
        assert_eq!(secret.expose(), "tok");
    }
}
