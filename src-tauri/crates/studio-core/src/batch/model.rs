//! What a batch is: its persisted state machine, its rows, the cost guard and what the preview
//! reports. Stored in the tables of migration 4 (`store/batches.rs`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::jobs::{JobRequest, JobState};

/// The columns a batch CSV may have (`prompt` is required unless a template gives the prompt).
pub const KNOWN_COLUMNS: [&str; 10] = [
    "prompt",
    "title",
    "style",
    "avatar",
    "voice",
    "brand_kit",
    "orientation",
    "mode",
    "files",
    "output_name",
];

/// HeyGen's pay-as-you-go limit of concurrent video jobs: the default number of rows in flight.
pub const DEFAULT_CONCURRENCY: u32 = 10;
pub const MAX_CONCURRENCY: u32 = 100;

/// `draft → running ⇄ paused → completed | cancelled`. A batch never "fails": a ceiling or an
/// account without credit pauses it, and failed rows can be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    Running,
    Paused,
    Completed,
    Cancelled,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Running => "running",
            BatchState::Paused => "paused",
            BatchState::Completed => "completed",
            BatchState::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, BatchState::Completed | BatchState::Cancelled)
    }
}

impl fmt::Display for BatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BatchState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "running" => BatchState::Running,
            "paused" => BatchState::Paused,
            "completed" => BatchState::Completed,
            "cancelled" => BatchState::Cancelled,
            _ => return Err(format!("unknown batch state {s:?}")),
        })
    }
}

/// Why a batch paused (stored as text; shown to the user).
pub mod pause_reason {
    pub const USER: &str = "user";
    /// `max_videos` creates were sent.
    pub const CEILING: &str = "ceiling";
    /// The balance fell below `min_balance`.
    pub const BALANCE: &str = "balance_low";
    /// A create answered 402 / `insufficient_credit`.
    pub const CREDIT: &str = "insufficient_credit";
}

/// The user's ceiling: stop after this many videos, or when the balance falls below this.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostGuard {
    pub max_videos: Option<u32>,
    pub min_balance: Option<f64>,
}

/// How to run a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchOptions {
    pub concurrency: u32,
    pub guard: CostGuard,
    /// Where the videos go (None = the library folder).
    pub output_dir: Option<std::path::PathBuf>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            guard: CostGuard::default(),
            output_dir: None,
        }
    }
}

/// One problem found before anything is sent: row 0 is the header (an unknown column, a
/// template placeholder naming no column); rows count from 1 under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowProblem {
    /// 0 = the header; data rows count from 1 (a `number` in TypeScript).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub row: usize,
    pub column: String,
    pub code: String,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.message
        )
    }
}

/// A row after validation: what it will send, or what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreparedRow {
    pub row: usize,
    /// The cells under the CSV's headers (edited by the user in the preview, if they were).
    pub cells: Vec<String>,
    pub skipped: bool,
    pub request: JobRequest,
    pub title: Option<String>,
    pub output_name: Option<String>,
    pub problems: Vec<RowProblem>,
}

/// The preview of an imported CSV: every row and every problem; nothing sent yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPreview {
    pub draft_id: String,
    pub source: String,
    pub headers: Vec<String>,
    pub template: Option<String>,
    pub ignored_columns: Vec<String>,
    /// Problems of the header and the template (row 0).
    pub header_problems: Vec<RowProblem>,
    pub rows: Vec<PreparedRow>,
    /// Rows that will become videos (not skipped, no problem).
    pub ready: usize,
    pub skipped: usize,
    pub with_problems: usize,
}

impl BatchPreview {
    /// Every problem that stops the batch from starting, in row order.
    pub fn problems(&self) -> Vec<&RowProblem> {
        self.header_problems
            .iter()
            .chain(
                self.rows
                    .iter()
                    .filter(|r| !r.skipped)
                    .flat_map(|r| r.problems.iter()),
            )
            .collect()
    }
}

/// A batch as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: String,
    pub name: String,
    pub source: String,
    pub headers: Vec<String>,
    pub state: BatchState,
    pub pause_reason: Option<String>,
    pub concurrency: u32,
    pub guard: CostGuard,
    pub output_dir: Option<std::path::PathBuf>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
}

/// A row of a stored batch, with its current job (if it has one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    pub row: usize,
    pub cells: Vec<String>,
    pub request: JobRequest,
    pub title: Option<String>,
    pub output_name: Option<String>,
    pub skipped: bool,
    pub job_id: Option<String>,
    /// The failed job a retry of this row follows.
    pub retry_of: Option<String>,
    /// Creates sent for this row (counts against `max_videos`).
    pub attempts: u32,
    /// Why the row could not even become a job (a file gone since the preview).
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// A row's state for the Batches screen and the results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRowView {
    pub row: BatchRow,
    /// `pending`, `skipped`, `error`, or the job's state.
    pub state: String,
    pub job: Option<crate::jobs::Job>,
}

impl BatchRowView {
    pub fn job_state(&self) -> Option<JobState> {
        self.job.as_ref().map(|j| j.state)
    }
}

/// Counts per state, time so far and an estimate of the time left.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchCounts {
    pub total: usize,
    pub pending: usize,
    pub running: usize,
    pub downloaded: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub skipped: usize,
    pub creates_sent: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStatus {
    pub batch: Batch,
    pub counts: BatchCounts,
    pub elapsed_secs: u64,
    pub eta_secs: Option<u64>,
}
