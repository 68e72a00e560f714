//! User settings, persisted in the store's `settings` table (one JSON value per key so fields can
//! be added without a migration).

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, ErrorCode, Result};
use crate::paths::default_library_dir;
use crate::store::Store;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Which credential the user chose to use when both an API key and a HeyGen sign-in are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    #[default]
    ApiKey,
    OAuth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Where finished videos go (None = the default library folder).
    pub library_dir: Option<PathBuf>,
    /// API base URL override (None = HeyGen's).
    pub base_url: Option<String>,
    /// Use an embedded local agent instead of HeyGen.
    pub offline_mode: bool,
    /// HTTP(S)/SOCKS proxy URL for API calls.
    pub proxy: Option<String>,
    pub notifications: bool,
    pub theme: Theme,
    /// Also download the captioned video and SRT when available.
    pub download_captions: bool,
    /// The OAuth client id for "Sign in with HeyGen" (`HEYGEN_OAUTH_CLIENT_ID` overrides it).
    pub oauth_client_id: Option<String>,
    /// The credential in use when both are stored.
    pub active_credential: CredentialKind,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            library_dir: None,
            base_url: None,
            offline_mode: false,
            proxy: None,
            notifications: true,
            theme: Theme::System,
            download_captions: true,
            oauth_client_id: None,
            active_credential: CredentialKind::ApiKey,
        }
    }
}

const KEY_LIBRARY_DIR: &str = "library_dir";
const KEY_BASE_URL: &str = "base_url";
const KEY_OFFLINE: &str = "offline_mode";
const KEY_PROXY: &str = "proxy";
const KEY_NOTIFICATIONS: &str = "notifications";
const KEY_THEME: &str = "theme";
const KEY_CAPTIONS: &str = "download_captions";
const KEY_OAUTH_CLIENT_ID: &str = "oauth_client_id";
const KEY_ACTIVE_CREDENTIAL: &str = "active_credential";

impl Settings {
    /// Read settings; keys never written take their defaults.
    pub fn load(store: &Store) -> Result<Self> {
        let d = Settings::default();
        Ok(Self {
            library_dir: store.get_setting(KEY_LIBRARY_DIR)?.or(d.library_dir),
            base_url: store.get_setting(KEY_BASE_URL)?.or(d.base_url),
            offline_mode: store.get_setting(KEY_OFFLINE)?.unwrap_or(d.offline_mode),
            proxy: store.get_setting(KEY_PROXY)?.or(d.proxy),
            notifications: store
                .get_setting(KEY_NOTIFICATIONS)?
                .unwrap_or(d.notifications),
            theme: store.get_setting(KEY_THEME)?.unwrap_or(d.theme),
            download_captions: store
                .get_setting(KEY_CAPTIONS)?
                .unwrap_or(d.download_captions),
            oauth_client_id: store
                .get_setting(KEY_OAUTH_CLIENT_ID)?
                .or(d.oauth_client_id),
            active_credential: store
                .get_setting(KEY_ACTIVE_CREDENTIAL)?
                .unwrap_or(d.active_credential),
        })
    }

    pub fn save(&self, store: &Store) -> Result<()> {
        store.set_setting(KEY_LIBRARY_DIR, &self.library_dir)?;
        store.set_setting(KEY_BASE_URL, &self.base_url)?;
        store.set_setting(KEY_OFFLINE, &self.offline_mode)?;
        store.set_setting(KEY_PROXY, &self.proxy)?;
        store.set_setting(KEY_NOTIFICATIONS, &self.notifications)?;
        store.set_setting(KEY_THEME, &self.theme)?;
        store.set_setting(KEY_CAPTIONS, &self.download_captions)?;
        store.set_setting(KEY_OAUTH_CLIENT_ID, &self.oauth_client_id)?;
        store.set_setting(KEY_ACTIVE_CREDENTIAL, &self.active_credential)?;
        Ok(())
    }

    /// The OAuth client id in effect: `HEYGEN_OAUTH_CLIENT_ID`, else the setting.
    pub fn effective_oauth_client_id(&self) -> Option<String> {
        std::env::var(crate::oauth::CLIENT_ID_ENV)
            .ok()
            .or_else(|| self.oauth_client_id.clone())
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
    }

    /// The library folder in effect.
    pub fn effective_library_dir(&self) -> PathBuf {
        self.library_dir.clone().unwrap_or_else(default_library_dir)
    }
}

/// Checks a folder for the library. The app lets the web view show every file in it, so it
/// must not be `/`, the home folder itself, a hidden folder (or inside one: `~/.ssh`,
/// `~/.config`), or relative. Symlinks are resolved first when the folder exists.
pub fn check_library_dir(dir: &Path) -> Result<PathBuf> {
    let refuse = |why: &str| {
        Err(CoreError::invalid(
            ErrorCode::LibraryDirRefused,
            Some("library_dir"),
            format!("{} cannot be the library folder: {why}", dir.display()),
        ))
    };
    if !dir.is_absolute() {
        return refuse("it is not an absolute path");
    }
    let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut depth = 0;
    for component in resolved.components() {
        match component {
            Component::Normal(name) => {
                depth += 1;
                if name.to_string_lossy().starts_with('.') {
                    return refuse("it is (or is inside) a hidden folder");
                }
            }
            Component::ParentDir => return refuse("it contains `..`"),
            _ => {}
        }
    }
    if depth == 0 {
        return refuse("it is the root of the file system");
    }
    let home = dirs::home_dir().map(|h| std::fs::canonicalize(&h).unwrap_or(h));
    if home.as_deref() == Some(resolved.as_path()) {
        return refuse("it is your home folder; choose a folder inside it");
    }
    Ok(resolved)
}

/// A proxy URL split into what settings keep (no password) and the password (for the keyring).
/// `http://alice:pw@host:3128` → (`http://alice@host:3128`, Some(`pw`)).
pub fn split_proxy_password(proxy: &str) -> (String, Option<String>) {
    match url::Url::parse(proxy.trim()) {
        Ok(mut url) if url.password().is_some() => {
            let password = url.password().map(percent_decode);
            let _ = url.set_password(None);
            (url.to_string(), password)
        }
        _ => (proxy.trim().to_string(), None),
    }
}

/// The proxy URL with the password from the keyring put back (for the HTTP client only).
pub fn with_proxy_password(proxy: &str, password: Option<&str>) -> String {
    match (url::Url::parse(proxy.trim()), password) {
        (Ok(mut url), Some(password)) if !url.username().is_empty() => {
            let _ = url.set_password(Some(password));
            url.to_string()
        }
        _ => proxy.to_string(),
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_dir_checks() {
        assert!(check_library_dir(Path::new("/")).is_err());
        assert!(check_library_dir(Path::new("relative")).is_err());
        assert!(check_library_dir(Path::new("/srv/videos/.secret/x")).is_err());
        assert!(check_library_dir(Path::new("/srv/videos/../etc")).is_err());
        if let Some(home) = dirs::home_dir() {
            assert!(check_library_dir(&home).is_err());
            assert!(check_library_dir(&home.join(".ssh")).is_err());
        }
        assert!(check_library_dir(Path::new("/srv/no-such/Video Agent Studio")).is_ok());
    }

    #[test]
    fn proxy_passwords_are_split_off() {
        let (url, pw) = split_proxy_password("http://alice:s%40cret@proxy.local:3128");
        assert_eq!(url, "http://alice@proxy.local:3128/");
        assert_eq!(pw.as_deref(), Some("s@cret"));
        assert_eq!(
            with_proxy_password(&url, pw.as_deref()),
            "http://alice:s%40cret@proxy.local:3128/"
        );
        assert_eq!(split_proxy_password("socks5://h:1080").1, None);
    }

    #[test]
    fn defaults_then_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        let s = Settings::load(&store).unwrap();
        assert_eq!(s, Settings::default());
        assert!(s
            .effective_library_dir()
            .ends_with(crate::paths::APP_DIR_NAME));
        let changed = Settings {
            library_dir: Some(tmp.path().join("lib")),
            offline_mode: true,
            theme: Theme::Dark,
            ..Settings::default()
        };
        changed.save(&store).unwrap();
        assert_eq!(Settings::load(&store).unwrap(), changed);
    }
}
