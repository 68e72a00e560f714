//! One file per API area, each an `impl Client` block.

mod account;
mod assets;
pub use assets::MAX_STATUS_IDS;
mod catalog;
pub mod legacy;
mod video_agents;
pub use video_agents::{MAX_FILES, MAX_PROMPT_CHARS};
mod videos;
