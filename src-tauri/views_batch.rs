//! Batches as the UI sees them where the shape differs from studio-core's (`RowProblem` is
//! exported as it is). Numbers as f64/u32 since TypeScript has no 64-bit integers.

use serde::{Deserialize, Serialize};
use studio_core::batch::{
    BatchPreview, BatchRowView, BatchState, BatchStatus, PreparedRow, RowProblem,
};

use crate::views::JobView;

/// Separate from `PreparedRow`: only the prompt of its request (stored as snake_case JSON).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRowView {
    pub row: u32,
    pub cells: Vec<String>,
    pub skipped: bool,
    pub prompt: String,
    pub problems: Vec<RowProblem>,
}

impl From<&PreparedRow> for PreviewRowView {
    fn from(r: &PreparedRow) -> Self {
        Self {
            row: r.row as u32,
            cells: r.cells.clone(),
            skipped: r.skipped,
            prompt: r.request.prompt.clone(),
            problems: r.problems.clone(),
        }
    }
}

/// An imported CSV, checked; nothing is sent until every problem is fixed or its row skipped.
/// Separate from `BatchPreview`: its rows are `PreviewRowView`s.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchPreviewView {
    pub draft_id: String,
    pub source: String,
    pub headers: Vec<String>,
    pub template: Option<String>,
    pub ignored_columns: Vec<String>,
    pub header_problems: Vec<RowProblem>,
    pub rows: Vec<PreviewRowView>,
    pub ready: u32,
    pub skipped: u32,
    pub with_problems: u32,
}

impl From<&BatchPreview> for BatchPreviewView {
    fn from(p: &BatchPreview) -> Self {
        Self {
            draft_id: p.draft_id.clone(),
            source: p.source.clone(),
            headers: p.headers.clone(),
            template: p.template.clone(),
            ignored_columns: p.ignored_columns.clone(),
            header_problems: p.header_problems.clone(),
            rows: p.rows.iter().map(Into::into).collect(),
            ready: p.ready as u32,
            skipped: p.skipped as u32,
            with_problems: p.with_problems as u32,
        }
    }
}

/// How to run a batch (the preview's inputs). Flat, unlike `BatchOptions`, and without its
/// `output_dir`: the UI never names a folder.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchOptionsInput {
    pub concurrency: u32,
    /// Cost guard: pause after this many videos.
    pub max_videos: Option<u32>,
    /// Cost guard: pause when the balance falls below this.
    pub min_balance: Option<f64>,
}

/// A batch on the Batches screen: `BatchStatus` (batch, counts, times) joined flat.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    pub id: String,
    pub name: String,
    pub source: String,
    pub state: BatchState,
    pub pause_reason: Option<String>,
    pub concurrency: u32,
    pub max_videos: Option<u32>,
    pub min_balance: Option<f64>,
    pub total: u32,
    pub pending: u32,
    pub running: u32,
    pub downloaded: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub skipped: u32,
    pub elapsed_secs: f64,
    pub eta_secs: Option<f64>,
    pub created_at: f64,
}

impl From<&BatchStatus> for BatchView {
    fn from(s: &BatchStatus) -> Self {
        let (b, c) = (&s.batch, &s.counts);
        Self {
            id: b.id.clone(),
            name: b.name.clone(),
            source: b.source.clone(),
            state: b.state,
            pause_reason: b.pause_reason.clone(),
            concurrency: b.concurrency,
            max_videos: b.guard.max_videos,
            min_balance: b.guard.min_balance,
            total: c.total as u32,
            pending: c.pending as u32,
            running: c.running as u32,
            downloaded: c.downloaded as u32,
            failed: c.failed as u32,
            cancelled: c.cancelled as u32,
            skipped: c.skipped as u32,
            elapsed_secs: s.elapsed_secs as f64,
            eta_secs: s.eta_secs.map(|e| e as f64),
            created_at: b.created_at as f64,
        }
    }
}

/// One video of a batch on the Batches screen: `BatchRowView` with its job as a `JobView`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BatchRowItem {
    pub row: u32,
    /// `pending`, `skipped`, `error`, `not_sent`, or the job's state.
    pub state: String,
    pub title: Option<String>,
    pub prompt: String,
    pub error_message: Option<String>,
    pub job: Option<JobView>,
}

impl From<&BatchRowView> for BatchRowItem {
    fn from(r: &BatchRowView) -> Self {
        Self {
            row: r.row.row as u32,
            state: r.state.clone(),
            title: r.row.title.clone().or_else(|| r.row.output_name.clone()),
            prompt: r.row.request.prompt.clone(),
            error_message: r.row.error_message.clone(),
            job: r.job.as_ref().map(JobView::from),
        }
    }
}
