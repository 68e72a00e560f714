//! Jobs: the state machine, the model, validation, submission and the background tracker.

mod assets;
pub mod budget;
pub mod cadence;
pub mod model;
pub(crate) mod reconcile;
mod recovery;
pub mod state;
mod submit;
pub(crate) mod tracker;
pub mod validate;
mod video_sweep;

pub use model::{Job, JobEventRecord, JobOutputs, JobRequest, Mode, Orientation};
pub use state::JobState;
