//! Request and response types, per the spec. Every optional field is an `Option` (or a
//! collection that decodes `null` as empty), unknown fields are ignored and unknown enum values
//! are kept as `Other(String)`.

pub(crate) mod lenient;
pub(crate) mod open_enum;

mod account;
mod assets;
mod catalog;
pub mod legacy;
mod page;
mod video_agents;
mod videos;
mod webhooks;

pub use account::*;
pub use assets::*;
pub use catalog::*;
pub use page::{Page, PageRequest};
pub use video_agents::*;
pub use videos::*;
pub use webhooks::*;

use serde::Deserialize;

/// The single-object success envelope `{"data": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct DataEnvelope<T> {
    pub data: T,
}
