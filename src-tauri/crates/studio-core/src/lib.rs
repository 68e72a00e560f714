//! The Video Agent Studio engine (no Tauri): credentials, store, jobs, downloads, events.
//! The desktop shell and the `vas` CLI both drive it through [`Studio`]; see README.md.

mod catalogue;
pub mod chat;
pub mod connect;
pub mod credentials;
pub mod downloads;
mod engine;
pub mod error;
pub mod events;
pub mod jobs;
pub mod offline;
pub mod paths;
pub mod settings;
pub mod store;
mod studio;

pub use chat::{ChatReply, ChatSession, ChatThread, SessionList};
pub use credentials::{Credentials, KeySource};
pub use error::{CoreError, ErrorView, Result};
pub use events::{OutputKind, StudioEvent};
pub use heygen_api::{self, Secret};
pub use jobs::{Job, JobOutputs, JobRequest, JobState, Mode, Orientation};
pub use settings::{Settings, Theme};
pub use studio::{AccountSummary, CataloguePage, KeyStatus, Studio, StudioConfig};
