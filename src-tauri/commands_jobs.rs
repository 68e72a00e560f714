//! Job commands for Create and Library: submit, list, stop, retry, delete, and the saved draft.

use tauri::State;

use crate::engine::Engine;
use crate::error::CommandError;
use crate::views::{JobInput, JobPage, JobView};

/// Settings key under which Create's draft is kept between runs.
const DRAFT_KEY: &str = "ui.create_draft";

/// Validates, uploads and submits a job; the tracker follows it from there.
#[tauri::command]
#[specta::specta]
pub async fn submit_job(
    engine: State<'_, Engine>,
    input: JobInput,
) -> Result<JobView, CommandError> {
    let job = engine.studio()?.submit(input.to_request()).await?;
    Ok(JobView::from(&job))
}

/// A window of the job list, newest first (the Library asks only for what it shows).
/// Every command that touches the database is `async`: Tauri runs plain `fn` commands on the
/// main thread, where a slow disk would freeze the window.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(
    engine: State<'_, Engine>,
    offset: u32,
    limit: u32,
) -> Result<JobPage, CommandError> {
    let (jobs, total) = engine
        .studio()?
        .jobs_page(u64::from(offset), u64::from(limit.min(500)))?;
    Ok(JobPage {
        jobs: jobs.iter().map(JobView::from).collect(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn get_job(engine: State<'_, Engine>, id: String) -> Result<JobView, CommandError> {
    Ok(JobView::from(&engine.studio()?.job(&id)?))
}

/// Asks the server to stop the job (it ends `stopped`).
#[tauri::command]
#[specta::specta]
pub async fn stop_job(engine: State<'_, Engine>, id: String) -> Result<JobView, CommandError> {
    Ok(JobView::from(&engine.studio()?.stop(&id).await?))
}

/// Submits the same inputs again as a new job.
#[tauri::command]
#[specta::specta]
pub async fn retry_job(engine: State<'_, Engine>, id: String) -> Result<JobView, CommandError> {
    Ok(JobView::from(&engine.studio()?.retry(&id).await?))
}

/// Forgets a job; with `remove_files`, also deletes its downloaded files; with `on_server`, the
/// server's copy of the video first (the UI asks for confirmation before setting it).
#[tauri::command]
#[specta::specta]
pub async fn delete_job(
    engine: State<'_, Engine>,
    id: String,
    remove_files: bool,
    on_server: bool,
) -> Result<bool, CommandError> {
    let studio = engine.studio()?;
    if on_server {
        studio.delete_from_server(&id).await?;
    }
    Ok(studio.delete(&id, remove_files).await?)
}

/// The draft Create showed last time (empty when there is none).
#[tauri::command]
#[specta::specta]
pub async fn load_draft(engine: State<'_, Engine>) -> Result<JobInput, CommandError> {
    let draft: Option<JobInput> = engine.studio()?.store().get_setting(DRAFT_KEY)?;
    Ok(draft.unwrap_or_default())
}

/// Keeps Create's draft so it survives a restart.
#[tauri::command]
#[specta::specta]
pub async fn save_draft(engine: State<'_, Engine>, draft: JobInput) -> Result<(), CommandError> {
    engine.studio()?.store().set_setting(DRAFT_KEY, &draft)?;
    Ok(())
}
