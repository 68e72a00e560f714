//! The Video Agent Studio engine (no Tauri): credentials, store, jobs, downloads, events.
//! The desktop shell and the `vas` CLI both drive it through [`Studio`]; see README.md.

pub mod batch;
mod catalogue;
pub mod chat;
pub mod connect;
pub mod credentials;
pub mod desktop;
pub mod downloads;
mod engine;
pub mod error;
mod error_code;
pub mod events;
pub mod jobs;
pub mod loopback;
pub mod media_urls;
pub mod oauth;
pub mod offline;
pub mod paths;
pub mod playback;
pub mod settings;
pub mod store;
mod studio;

pub use chat::{ChatReply, ChatSession, ChatThread, SessionList};
pub use credentials::{Credentials, KeySource};
pub use error::{CoreError, ErrorCode, ErrorView, Result};
pub use events::{OutputKind, StudioEvent, TransferKind};
pub use heygen_api::{self, Secret};
pub use jobs::{Job, JobOutputs, JobRequest, JobState, Mode, Orientation};
pub use settings::{CredentialKind, Settings, Theme};
pub use studio::auth::{AuthStatus, PendingSignIn};
pub use studio::{AccountSummary, CataloguePage, KeyStatus, Studio, StudioConfig};
