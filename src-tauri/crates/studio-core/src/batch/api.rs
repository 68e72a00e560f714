//! The `Studio` surface for batches: import and preview (fix a cell, skip a row, ignore a
//! column), start, pause, resume, cancel, retry the failed rows, status and results.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::model::*;
use super::prepare::{header_problems, named_values, prepare_row, FileChecks, Names};
use super::runner::{holds_slot, is_credit_failure, Runner};
use super::table::{parse, Table};
use super::BatchHub;
use crate::error::{CoreError, ErrorCode, Result};
use crate::events::StudioEvent;
use crate::jobs::JobState;
use crate::store::now_unix;
use crate::Studio;

/// An imported CSV being previewed (kept in memory until started or dropped).
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    source: PathBuf,
    csv_dir: PathBuf,
    table: Table,
    template: Option<String>,
    ignored: Vec<String>,
    names: Arc<Names>,
    rows: Vec<PreparedRow>,
}

impl Draft {
    fn preview(&self, id: &str) -> BatchPreview {
        let header_problems = header_problems(&self.table, self.template.as_deref(), &self.ignored);
        let skipped = self.rows.iter().filter(|r| r.skipped).count();
        let with_problems = self
            .rows
            .iter()
            .filter(|r| !r.skipped && !r.problems.is_empty())
            .count();
        BatchPreview {
            draft_id: id.to_string(),
            source: self.source.display().to_string(),
            headers: self.table.headers.clone(),
            template: self.template.clone(),
            ignored_columns: self.ignored.clone(),
            header_problems,
            ready: self.rows.len() - skipped - with_problems,
            skipped,
            with_problems,
            rows: self.rows.clone(),
        }
    }

    fn revalidate(&mut self, index: usize) {
        let skipped = self.rows[index].skipped;
        let mut checks = FileChecks::default();
        self.rows[index] = prepare_row(
            &self.table.headers,
            &self.table.rows[index],
            self.template.as_deref(),
            &self.csv_dir,
            &self.names,
            &mut checks,
        );
        self.rows[index].skipped = skipped;
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An edited `files` cell may name only files inside the CSV's folder: the preview's edits
/// come from the web view, which never names arbitrary paths (design.md, trust boundary).
fn relative_inside(value: &str) -> bool {
    value
        .split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .all(|f| {
            Path::new(f)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        })
}

fn row_state(row: &BatchRow, job: Option<&crate::jobs::Job>, batch: &Batch) -> String {
    if let Some(j) = job {
        return j.state.to_string();
    }
    if row.skipped {
        "skipped".into()
    } else if row.error_code.is_some() {
        "error".into()
    } else if batch.state == BatchState::Cancelled {
        "not_sent".into()
    } else {
        "pending".into()
    }
}

impl Studio {
    /// The catalogue entries the CSV names (only the catalogues some row uses are read).
    async fn names_for(&self, table: &Table) -> Result<Names> {
        const MAX_PAGES: usize = 50;
        let mut names = Names::default();
        if !named_values(table, "style").is_empty() {
            let mut token = None;
            for _ in 0..MAX_PAGES {
                let page = self.styles(None, token).await?;
                names
                    .styles
                    .extend(page.items.into_iter().map(|s| (s.style_id, s.name)));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
        }
        if !named_values(table, "avatar").is_empty() {
            let mut token = None;
            for _ in 0..MAX_PAGES {
                let page = self.avatar_looks(None, token).await?;
                names
                    .avatars
                    .extend(page.items.into_iter().map(|l| (l.id, l.name)));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
        }
        if !named_values(table, "voice").is_empty() {
            let mut token = None;
            for _ in 0..MAX_PAGES {
                let page = self.voices(token).await?;
                names
                    .voices
                    .extend(page.items.into_iter().map(|v| (v.voice_id, v.name)));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
        }
        if !named_values(table, "brand_kit").is_empty() {
            let mut token = None;
            for _ in 0..MAX_PAGES {
                let page = self.brand_kits(token).await?;
                names
                    .brand_kits
                    .extend(page.items.into_iter().map(|b| (b.brand_kit_id, b.name)));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(names)
    }

    /// Read and check a CSV (a path Rust received: a picker result, a drop, the command line).
    /// Nothing is sent; the preview lists every problem at its row and column.
    pub async fn import_batch(
        &self,
        path: &Path,
        template: Option<String>,
    ) -> Result<BatchPreview> {
        let source = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let bytes = tokio::fs::read(&source)
            .await
            .map_err(|e| CoreError::io(&source, e))?;
        let table = parse(&bytes)?;
        let names = Arc::new(self.names_for(&table).await?);
        let csv_dir = source
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let template = template.filter(|t| !t.trim().is_empty());
        let (t2, dir2, names2, table2) = (
            template.clone(),
            csv_dir.clone(),
            names.clone(),
            table.clone(),
        );
        let rows = tokio::task::spawn_blocking(move || {
            let mut checks = FileChecks::default();
            table2
                .rows
                .iter()
                .map(|r| {
                    prepare_row(
                        &table2.headers,
                        r,
                        t2.as_deref(),
                        &dir2,
                        &names2,
                        &mut checks,
                    )
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let draft = Draft {
            source,
            csv_dir,
            table,
            template,
            ignored: Vec::new(),
            names,
            rows,
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let preview = draft.preview(&id);
        lock(&self.batch_hub().drafts).insert(id, draft);
        Ok(preview)
    }

    fn with_draft<T>(&self, id: &str, f: impl FnOnce(&mut Draft) -> Result<T>) -> Result<T> {
        let mut drafts = lock(&self.batch_hub().drafts);
        let draft = drafts.get_mut(id).ok_or_else(|| CoreError::NotFound {
            what: "batch draft",
            id: id.to_string(),
        })?;
        f(draft)
    }

    pub fn batch_preview(&self, draft_id: &str) -> Result<BatchPreview> {
        self.with_draft(draft_id, |d| Ok(d.preview(draft_id)))
    }

    /// Fix one cell of the preview; the row is checked again.
    pub fn edit_batch_cell(
        &self,
        draft_id: &str,
        row: usize,
        column: &str,
        value: &str,
    ) -> Result<BatchPreview> {
        self.with_draft(draft_id, |d| {
            let column = column.trim().to_ascii_lowercase();
            let index = row
                .checked_sub(1)
                .filter(|i| *i < d.table.rows.len())
                .ok_or_else(|| {
                    CoreError::invalid(ErrorCode::NoSuchRow, Some("row"), format!("no row {row}"))
                })?;
            if column == "files" && !relative_inside(value) {
                return Err(CoreError::invalid(
                    ErrorCode::FileOutsideFolder,
                    Some("files"),
                    "Name files relative to the CSV's folder (no absolute paths, no ..)",
                ));
            }
            let col = match d.table.headers.iter().position(|h| *h == column) {
                Some(i) => i,
                None if KNOWN_COLUMNS.contains(&column.as_str()) => {
                    d.table.headers.push(column.clone());
                    d.table.headers.len() - 1
                }
                None => {
                    return Err(CoreError::invalid(
                        ErrorCode::UnknownColumn,
                        Some("column"),
                        format!("unknown column {column:?}"),
                    ))
                }
            };
            let cells = &mut d.table.rows[index].cells;
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = value.to_string();
            d.revalidate(index);
            Ok(d.preview(draft_id))
        })
    }

    /// Leave a row out of the batch (or take it back in).
    pub fn skip_batch_row(
        &self,
        draft_id: &str,
        row: usize,
        skipped: bool,
    ) -> Result<BatchPreview> {
        self.with_draft(draft_id, |d| {
            let r = row
                .checked_sub(1)
                .and_then(|i| d.rows.get_mut(i))
                .ok_or_else(|| {
                    CoreError::invalid(ErrorCode::NoSuchRow, Some("row"), format!("no row {row}"))
                })?;
            r.skipped = skipped;
            Ok(d.preview(draft_id))
        })
    }

    /// Ignore a column the app does not know (instead of failing the header).
    pub fn ignore_batch_column(
        &self,
        draft_id: &str,
        column: &str,
        ignored: bool,
    ) -> Result<BatchPreview> {
        self.with_draft(draft_id, |d| {
            let column = column.trim().to_ascii_lowercase();
            d.ignored.retain(|c| *c != column);
            if ignored {
                d.ignored.push(column);
            }
            Ok(d.preview(draft_id))
        })
    }

    pub fn discard_batch_draft(&self, draft_id: &str) {
        lock(&self.batch_hub().drafts).remove(draft_id);
    }

    /// Store the previewed rows as a batch and start it. Refused while any row that is not
    /// skipped (or the header) has a problem: nothing is sent until they are fixed or skipped.
    pub async fn start_batch(&self, draft_id: &str, options: BatchOptions) -> Result<Batch> {
        let preview = self.batch_preview(draft_id)?;
        if let Some(first) = preview.problems().first() {
            return Err(CoreError::invalid(
                ErrorCode::BatchHasProblems,
                None,
                format!(
                    "{} problem(s) to fix or skip first; the first: {first}",
                    preview.problems().len()
                ),
            ));
        }
        if preview.ready == 0 {
            return Err(CoreError::invalid(
                ErrorCode::BatchEmpty,
                None,
                "No row to make a video from (every row is skipped)",
            ));
        }
        let now = now_unix();
        let source = PathBuf::from(&preview.source);
        let batch = Batch {
            id: uuid::Uuid::new_v4().simple().to_string(),
            name: source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "batch".into()),
            source: preview.source.clone(),
            headers: preview.headers.clone(),
            state: BatchState::Running,
            pause_reason: None,
            concurrency: options.concurrency.clamp(1, MAX_CONCURRENCY),
            guard: options.guard.clone(),
            output_dir: options.output_dir.clone(),
            created_at: now,
            started_at: Some(now),
            finished_at: None,
            updated_at: now,
        };
        let rows: Vec<BatchRow> = preview
            .rows
            .iter()
            .map(|r| BatchRow {
                row: r.row,
                cells: r.cells.clone(),
                request: r.request.clone(),
                title: r.title.clone(),
                output_name: r.output_name.clone(),
                skipped: r.skipped,
                job_id: None,
                retry_of: None,
                attempts: 0,
                error_code: None,
                error_message: None,
            })
            .collect();
        self.store().insert_batch(&batch, &rows)?;
        self.discard_batch_draft(draft_id);
        self.engine().events.send(StudioEvent::BatchState {
            batch_id: batch.id.clone(),
            state: BatchState::Running,
            reason: None,
        });
        self.ensure_batch_runner(&batch.id);
        Ok(batch)
    }

    /// Start the runner task of a running batch unless one runs already. Callers set the batch
    /// `running` first: a runner that is about to stop sees that and goes on instead.
    fn ensure_batch_runner(&self, batch_id: &str) {
        self.ensure_tracker();
        let hub: &BatchHub = self.batch_hub();
        let mut runners = lock(&hub.runners);
        if !runners.insert(batch_id.to_string()) {
            return;
        }
        let runner = Runner::new(
            self.engine().clone(),
            self.schedule().clone(),
            batch_id.to_string(),
            hub.runners.clone(),
        );
        tokio::spawn(runner.run());
    }

    /// Startup: every batch that was running when the process ended runs again.
    pub(crate) fn resume_batches(&self) {
        match self.store().list_batches() {
            Ok(batches) => {
                for b in batches.iter().filter(|b| b.state == BatchState::Running) {
                    self.ensure_batch_runner(&b.id);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot resume batches"),
        }
    }

    /// A batch id from a unique prefix, or the newest batch for `None`.
    pub fn resolve_batch_id(&self, id: Option<&str>) -> Result<String> {
        let all = self.store().list_batches()?;
        let Some(id) = id else {
            return all
                .first()
                .map(|b| b.id.clone())
                .ok_or(CoreError::NotFound {
                    what: "batch",
                    id: "(latest)".into(),
                });
        };
        let matches: Vec<&Batch> = all.iter().filter(|b| b.id.starts_with(id)).collect();
        match matches.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(CoreError::NotFound {
                what: "batch",
                id: id.to_string(),
            }),
            _ if matches.iter().any(|b| b.id == id) => Ok(id.to_string()),
            _ => Err(CoreError::invalid(
                ErrorCode::AmbiguousId,
                Some("id"),
                format!("{id} matches several batches; give more characters"),
            )),
        }
    }

    pub fn batches(&self) -> Result<Vec<BatchStatus>> {
        self.store()
            .list_batches()?
            .into_iter()
            .map(|b| self.batch_status(&b.id))
            .collect()
    }

    /// Every row with its job (the Batches screen, the results file).
    pub fn batch_rows(&self, id: &str) -> Result<Vec<BatchRowView>> {
        let batch = self.store().batch(id)?;
        self.store()
            .batch_rows(id)?
            .into_iter()
            .map(|row| {
                let job = match &row.job_id {
                    Some(j) => self.store().get_job(j)?,
                    None => None,
                };
                Ok(BatchRowView {
                    state: row_state(&row, job.as_ref(), &batch),
                    row,
                    job,
                })
            })
            .collect()
    }

    /// Counts per state, time so far and an estimate of the time left.
    pub fn batch_status(&self, id: &str) -> Result<BatchStatus> {
        let batch = self.store().batch(id)?;
        let rows = self.store().batch_row_states(id)?;
        let mut c = BatchCounts {
            total: rows.len(),
            ..Default::default()
        };
        for r in &rows {
            c.creates_sent += u64::from(r.attempts);
            match r.job_state {
                _ if r.skipped => c.skipped += 1,
                None if r.error_code.is_some() => c.failed += 1,
                None => c.pending += 1,
                Some(JobState::Downloaded) => c.downloaded += 1,
                Some(JobState::Failed) => c.failed += 1,
                Some(JobState::Stopped | JobState::Cancelled) => c.cancelled += 1,
                Some(s) if holds_slot(s) => c.running += 1,
                // Completed or downloading: the video exists, its files are on their way.
                Some(_) => c.running += 1,
            }
        }
        let end = batch.finished_at.unwrap_or_else(now_unix);
        let elapsed = batch
            .started_at
            .map(|s| (end - s).max(0) as u64)
            .unwrap_or(0);
        let done = c.downloaded + c.failed + c.cancelled;
        let left = c.pending + c.running;
        let eta = (batch.state == BatchState::Running && done > 0 && elapsed > 0)
            .then(|| elapsed * left as u64 / done as u64);
        Ok(BatchStatus {
            batch,
            counts: c,
            elapsed_secs: elapsed,
            eta_secs: eta,
        })
    }

    fn announce(&self, batch: &Batch) {
        self.engine().events.send(StudioEvent::BatchState {
            batch_id: batch.id.clone(),
            state: batch.state,
            reason: batch.pause_reason.clone(),
        });
    }

    /// Stop sending new rows (the videos already being made go on).
    pub fn pause_batch(&self, id: &str) -> Result<Batch> {
        let batch =
            self.store()
                .set_batch_state(id, BatchState::Paused, Some(pause_reason::USER))?;
        self.announce(&batch);
        Ok(batch)
    }

    /// Go on sending rows (after a pause by the user, the ceiling or the balance). Raise the
    /// ceiling first with [`set_batch_guard`](Self::set_batch_guard) if it stopped the batch.
    pub fn resume_batch(&self, id: &str) -> Result<Batch> {
        let batch = self.store().batch(id)?;
        if batch.state.is_finished() {
            return Err(CoreError::invalid(
                ErrorCode::BatchFinished,
                None,
                format!(
                    "batch {id} is {}; retry its failed rows instead",
                    batch.state
                ),
            ));
        }
        // Rows a 402 refused (also one refused just after the pause) are sent again.
        for r in self.store().batch_row_states(id)? {
            if let (Some(job), Some(JobState::Failed)) = (&r.job_id, r.job_state) {
                if r.session_id.is_none() && is_credit_failure(r.failure_code.as_deref()) {
                    self.store().reopen_batch_row(id, r.row, job)?;
                }
            }
        }
        let batch = self
            .store()
            .set_batch_state(id, BatchState::Running, None)?;
        self.announce(&batch);
        self.ensure_batch_runner(id);
        self.wake_tracker();
        Ok(batch)
    }

    pub fn set_batch_concurrency(&self, id: &str, concurrency: u32) -> Result<Batch> {
        self.store()
            .set_batch_concurrency(id, concurrency.clamp(1, MAX_CONCURRENCY))
    }

    pub fn set_batch_guard(&self, id: &str, guard: &CostGuard) -> Result<Batch> {
        self.store().set_batch_guard(id, guard)
    }

    /// Cancel the batch: no more rows are sent, and the videos in the making are stopped on the
    /// server (or, not yet there, cancelled here).
    pub async fn cancel_batch(&self, id: &str) -> Result<Batch> {
        let batch =
            self.store()
                .set_batch_state(id, BatchState::Cancelled, Some(pause_reason::USER))?;
        self.announce(&batch);
        for r in self.store().batch_row_states(id)? {
            let (Some(job), Some(state)) = (r.job_id, r.job_state) else {
                continue;
            };
            if state.is_terminal() || !holds_slot(state) {
                continue;
            }
            if let Err(e) = self.stop(&job).await {
                tracing::warn!(job_id = %job, error = %e, "could not stop a batch job; cancelling it here");
                let _ = self.cancel(&job).await;
            }
        }
        self.store().batch(id)
    }

    /// Send the failed rows again (each as a new job that records the failed one); the rest is
    /// left alone. Returns how many rows were reopened.
    pub fn retry_failed_batch_rows(&self, id: &str) -> Result<usize> {
        let mut reopened = 0;
        for r in self.store().batch_row_states(id)? {
            if r.skipped {
                continue;
            }
            match (&r.job_id, r.job_state) {
                (Some(job), Some(JobState::Failed))
                    if self.store().reopen_batch_row(id, r.row, job)? =>
                {
                    reopened += 1;
                }
                (None, _) if r.error_code.is_some() => {
                    self.store().clear_batch_row_error(id, r.row)?;
                    reopened += 1;
                }
                _ => {}
            }
        }
        if reopened > 0 {
            let batch = self
                .store()
                .set_batch_state(id, BatchState::Running, None)?;
            self.announce(&batch);
            self.ensure_batch_runner(id);
        }
        Ok(reopened)
    }

    /// The results CSV: the input columns plus each row's job, state, failure, link and file.
    pub fn export_batch_results(&self, id: &str) -> Result<String> {
        let batch = self.store().batch(id)?;
        super::results::write_results(&batch, &self.batch_rows(id)?)
    }

    /// Wait until the batch is no longer running (finished, cancelled or paused); the runner
    /// and tracker must be running in this process (`resume`).
    pub async fn wait_batch(&self, id: &str) -> Result<BatchStatus> {
        let mut events = self.subscribe();
        loop {
            let status = self.batch_status(id)?;
            if status.batch.state != BatchState::Running {
                return Ok(status);
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
        }
    }

    /// The account's balance now (`users/me`), when the plan reports one.
    pub async fn balance(&self) -> Result<Option<heygen_api::models::Balance>> {
        Ok(self.test_key(None).await?.balance)
    }
}
