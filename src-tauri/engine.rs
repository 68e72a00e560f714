//! The engine (`studio_core::Studio`) as Tauri managed state.
//!
//! Opening can fail (an unwritable data folder, a damaged database); the app still starts so the
//! UI can say what went wrong, and every command reports the same error.

use std::sync::Arc;

use studio_core::{ErrorView, Studio, StudioConfig};

use crate::error::CommandError;

pub struct Engine {
    opened: Result<Arc<Studio>, ErrorView>,
}

impl Engine {
    /// Opens the engine with the app's defaults (data folder from `VAS_DATA_DIR` or the
    /// platform's, shared with the `vas` CLI) and resumes every unfinished job.
    /// Must run inside the async runtime: resuming starts the background tracker.
    pub async fn open() -> Self {
        let opened = match Studio::open(StudioConfig::default()).await {
            Ok(studio) => {
                studio.resume();
                Ok(Arc::new(studio))
            }
            Err(error) => Err(error.view()),
        };
        Self { opened }
    }

    /// The engine, or why it could not be opened.
    pub fn studio(&self) -> Result<&Arc<Studio>, CommandError> {
        self.opened.as_ref().map_err(|view| view.clone().into())
    }

    /// Stops the tracker and the embedded local agent; downloads keep their `.part` files.
    pub async fn shutdown(&self) {
        if let Ok(studio) = &self.opened {
            studio.shutdown().await;
        }
    }
}
