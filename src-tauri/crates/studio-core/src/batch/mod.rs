//! Batches: many videos from one spreadsheet. A CSV is read (`table`), checked row by row before
//! anything is sent (`prepare`), stored as a batch whose rows become ordinary jobs (`runner`),
//! and written back out with each row's outcome (`results`). `api` is the `Studio` surface the
//! app and `vas batch` share.

mod api;
mod model;
pub mod prepare;
mod results;
mod runner;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub use model::{
    pause_reason, Batch, BatchCounts, BatchOptions, BatchPreview, BatchRow, BatchRowView,
    BatchState, BatchStatus, CostGuard, PreparedRow, RowProblem, DEFAULT_CONCURRENCY,
    KNOWN_COLUMNS, MAX_CONCURRENCY,
};
pub use results::RESULT_COLUMNS;

/// What `Studio` keeps for batches in memory: CSVs being previewed (by draft id) and the
/// runner task of each running batch.
#[derive(Default)]
pub struct BatchHub {
    drafts: Mutex<HashMap<String, api::Draft>>,
    /// Batches whose runner task is alive. A runner leaves this set (and stops) only under its
    /// lock, after one last look at the batch's state (see `Runner::run`).
    runners: Arc<Mutex<HashSet<String>>>,
}
