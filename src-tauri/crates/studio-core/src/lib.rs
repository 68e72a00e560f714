//! The Video Agent Studio engine (no Tauri): credentials, store, jobs, downloads, events.
//! The desktop shell and the `vas` CLI both drive it through [`Studio`]; see README.md.

pub mod credentials;
pub mod error;
pub mod jobs;
pub mod paths;
pub mod settings;
pub mod store;

pub use error::{CoreError, ErrorView, Result};
pub use heygen_api::{self, Secret};
