//! What the desktop shell reads and keeps through the facade rather than the store: values the
//! app keeps between runs (Create's draft) and a job's library file by job id.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Studio;
use crate::{JobOutputs, Result};

impl Studio {
    /// A value the app keeps between runs under `key` (stored beside the settings); None when
    /// nothing was kept or it no longer reads as `T`.
    pub fn app_value<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.store().get_setting(key)
    }

    pub fn set_app_value<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        self.store().set_setting(key, value)
    }

    /// The file `pick` chooses among the outputs stored for exactly `job_id`, checked and
    /// canonicalised as [`crate::playback::job_file`] says. Blocking (reads the disk).
    pub fn library_file(
        &self,
        job_id: &str,
        pick: impl FnOnce(&JobOutputs) -> Option<&Path>,
    ) -> Result<Option<PathBuf>> {
        crate::playback::job_file(self.store(), job_id, pick)
    }
}
