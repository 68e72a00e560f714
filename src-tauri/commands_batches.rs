//! Batch commands: import a CSV (picked in Rust's dialog or dropped on the window — never a
//! path the web view names), fix or skip rows in the preview, run, pause, resume, cancel, retry
//! the failed rows, and write the results file. Behaviour lives in `studio_core::batch`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use studio_core::batch::{BatchOptions, CostGuard};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::commands_desktop::off_main_thread;
use crate::error::{CommandError, ErrorCode};
use crate::received::ReceivedPaths;
use crate::studio_handle::StudioHandle;
use crate::views_batch::{BatchOptionsInput, BatchPreviewView, BatchRowItem, BatchView};

/// "Import CSV…": Rust's file dialog, then the checked preview (None when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_batch_csv<R: Runtime>(
    app: AppHandle<R>,
    handle: State<'_, StudioHandle>,
    template: Option<String>,
) -> Result<Option<BatchPreviewView>, CommandError> {
    let studio = handle.studio()?;
    let picked = off_main_thread(|| {
        rfd::FileDialog::new()
            .set_title("Import a CSV of videos")
            .add_filter("CSV", &["csv", "txt"])
            .pick_file()
    })
    .await?;
    let Some(path) = picked else { return Ok(None) };
    app.state::<ReceivedPaths>().add([path.clone()]);
    let preview = studio.import_batch(&path, template).await?;
    Ok(Some((&preview).into()))
}

/// A CSV dropped on the window: accepted only if Rust received the path (the window's drop
/// event, registered in `ReceivedPaths`).
#[tauri::command]
#[specta::specta]
pub async fn import_dropped_batch(
    handle: State<'_, StudioHandle>,
    received: State<'_, ReceivedPaths>,
    path: String,
    template: Option<String>,
) -> Result<BatchPreviewView, CommandError> {
    let path = PathBuf::from(path);
    if !received.contains(&path) {
        return Err(CommandError::new(
            ErrorCode::PathNotReceived,
            "Only a CSV dropped on the window or picked with Import CSV… can be imported.",
        ));
    }
    let preview = handle.studio()?.import_batch(&path, template).await?;
    Ok((&preview).into())
}

/// Fix one cell of the preview; the row is checked again.
#[tauri::command]
#[specta::specta]
pub fn edit_batch_cell(
    handle: State<'_, StudioHandle>,
    draft_id: String,
    row: u32,
    column: String,
    value: String,
) -> Result<BatchPreviewView, CommandError> {
    let preview = handle
        .studio()?
        .edit_batch_cell(&draft_id, row as usize, &column, &value)?;
    Ok((&preview).into())
}

/// Leave a row out (or take it back in).
#[tauri::command]
#[specta::specta]
pub fn skip_batch_row(
    handle: State<'_, StudioHandle>,
    draft_id: String,
    row: u32,
    skipped: bool,
) -> Result<BatchPreviewView, CommandError> {
    let preview = handle
        .studio()?
        .skip_batch_row(&draft_id, row as usize, skipped)?;
    Ok((&preview).into())
}

/// Ignore a column the app does not know.
#[tauri::command]
#[specta::specta]
pub fn ignore_batch_column(
    handle: State<'_, StudioHandle>,
    draft_id: String,
    column: String,
    ignored: bool,
) -> Result<BatchPreviewView, CommandError> {
    let preview = handle
        .studio()?
        .ignore_batch_column(&draft_id, &column, ignored)?;
    Ok((&preview).into())
}

/// Run the previewed rows (refused while a problem is left).
#[tauri::command]
#[specta::specta]
pub async fn start_batch(
    handle: State<'_, StudioHandle>,
    draft_id: String,
    options: BatchOptionsInput,
) -> Result<BatchView, CommandError> {
    let studio = handle.studio()?;
    let batch = studio
        .start_batch(
            &draft_id,
            BatchOptions {
                concurrency: options.concurrency,
                guard: CostGuard {
                    max_videos: options.max_videos,
                    min_balance: options.min_balance,
                },
                output_dir: None,
            },
        )
        .await?;
    Ok((&studio.batch_status(&batch.id)?).into())
}

/// Every batch, newest first, with counts, elapsed time and ETA.
#[tauri::command]
#[specta::specta]
pub fn list_batches(handle: State<'_, StudioHandle>) -> Result<Vec<BatchView>, CommandError> {
    Ok(handle.studio()?.batches()?.iter().map(Into::into).collect())
}

/// One batch's rows (one per video).
#[tauri::command]
#[specta::specta]
pub fn batch_rows(
    handle: State<'_, StudioHandle>,
    batch_id: String,
) -> Result<Vec<BatchRowItem>, CommandError> {
    Ok(handle
        .studio()?
        .batch_rows(&batch_id)?
        .iter()
        .map(Into::into)
        .collect())
}

/// What the Batches screen's buttons do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum BatchControl {
    Pause,
    Resume,
    Cancel,
    RetryFailed,
}

/// Pause, resume, cancel, or send the failed rows again.
#[tauri::command]
#[specta::specta]
pub async fn control_batch(
    handle: State<'_, StudioHandle>,
    batch_id: String,
    action: BatchControl,
) -> Result<BatchView, CommandError> {
    let studio = handle.studio()?;
    match action {
        BatchControl::Pause => {
            studio.pause_batch(&batch_id)?;
        }
        BatchControl::Resume => {
            studio.resume_batch(&batch_id)?;
        }
        BatchControl::Cancel => {
            studio.cancel_batch(&batch_id).await?;
        }
        BatchControl::RetryFailed => {
            studio.retry_failed_batch_rows(&batch_id)?;
        }
    }
    Ok((&studio.batch_status(&batch_id)?).into())
}

/// How many rows may be in the making at once.
#[tauri::command]
#[specta::specta]
pub fn set_batch_concurrency(
    handle: State<'_, StudioHandle>,
    batch_id: String,
    concurrency: u32,
) -> Result<BatchView, CommandError> {
    let studio = handle.studio()?;
    studio.set_batch_concurrency(&batch_id, concurrency)?;
    Ok((&studio.batch_status(&batch_id)?).into())
}

/// Write the results CSV next to the imported one (`<name>-results.csv`); returns its path.
#[tauri::command]
#[specta::specta]
pub fn export_batch_results(
    handle: State<'_, StudioHandle>,
    batch_id: String,
) -> Result<String, CommandError> {
    let studio = handle.studio()?;
    let batch = studio.batch_status(&batch_id)?.batch;
    let csv = studio.export_batch_results(&batch_id)?;
    let source = PathBuf::from(&batch.source);
    let dir = source
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| studio.settings().effective_library_dir());
    let path = dir.join(format!("{}-results.csv", batch.name));
    std::fs::write(&path, csv).map_err(|e| CommandError::new(ErrorCode::IoError, e.to_string()))?;
    Ok(path.display().to_string())
}
