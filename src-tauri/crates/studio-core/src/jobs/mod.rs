//! Jobs: the state machine, the model, submission and the background tracker.

pub mod model;
pub mod state;

pub use model::{Job, JobEventRecord, JobMessage, JobOutputs, JobRequest, Mode, Orientation};
pub use state::JobState;
