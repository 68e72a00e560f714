//! User settings, persisted in the store's `settings` table (one JSON value per key so fields can
//! be added without a migration).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::paths::default_library_dir;
use crate::store::Store;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
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
        Ok(())
    }

    /// The library folder in effect.
    pub fn effective_library_dir(&self) -> PathBuf {
        self.library_dir.clone().unwrap_or_else(default_library_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
