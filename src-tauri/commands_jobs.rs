//! Job commands for Create and Library: submit, list, stop, retry, delete, and the saved draft.

use tauri::State;

use crate::error::{CommandError, ErrorCode};
use crate::received::ReceivedPaths;
use crate::studio_handle::StudioHandle;
use crate::views::{JobInput, JobPage, JobView};

/// Settings key under which Create's draft is kept between runs.
const DRAFT_KEY: &str = "ui.create_draft";

/// Validates, uploads and submits a job; the tracker follows it from there.
#[tauri::command]
#[specta::specta]
pub async fn submit_job(
    handle: State<'_, StudioHandle>,
    received: State<'_, ReceivedPaths>,
    input: JobInput,
) -> Result<JobView, CommandError> {
    only_received(&received, &input.files)?;
    let job = handle.studio()?.submit(input.to_request()).await?;
    Ok(JobView::from(&job))
}

/// Attachments must be files Rust received (picker, drop, the stored draft): a path the web
/// view names is never uploaded.
pub fn only_received(
    received: &ReceivedPaths,
    files: &[impl AsRef<std::path::Path>],
) -> Result<(), CommandError> {
    if files.iter().all(|file| received.contains(file.as_ref())) {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::FileNotReceived,
        "Add files with \"Add files…\" or by dropping them on the window.",
    )
    .with_param("files"))
}

/// A window of the job list, newest first (the Library asks only for what it shows).
/// Every command that touches the database is `async`: Tauri runs plain `fn` commands on the
/// main thread, where a slow disk would freeze the window.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(
    handle: State<'_, StudioHandle>,
    offset: u32,
    limit: u32,
) -> Result<JobPage, CommandError> {
    let (jobs, total) = handle
        .studio()?
        .jobs_page(u64::from(offset), u64::from(limit.min(500)))?;
    Ok(JobPage {
        jobs: jobs.iter().map(JobView::from).collect(),
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn get_job(handle: State<'_, StudioHandle>, id: String) -> Result<JobView, CommandError> {
    Ok(JobView::from(&handle.studio()?.job(&id)?))
}

/// Asks the server to stop the job (it ends `stopped`).
#[tauri::command]
#[specta::specta]
pub async fn stop_job(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<JobView, CommandError> {
    Ok(JobView::from(&handle.studio()?.stop(&id).await?))
}

/// Submits the same inputs again as a new job.
#[tauri::command]
#[specta::specta]
pub async fn retry_job(
    handle: State<'_, StudioHandle>,
    id: String,
) -> Result<JobView, CommandError> {
    Ok(JobView::from(&handle.studio()?.retry(&id).await?))
}

/// Forgets a job; with `remove_files`, also deletes its downloaded files; with `on_server`, the
/// server's copy of the video first (the UI asks for confirmation before setting it).
#[tauri::command]
#[specta::specta]
pub async fn delete_job(
    handle: State<'_, StudioHandle>,
    id: String,
    remove_files: bool,
    on_server: bool,
) -> Result<bool, CommandError> {
    let studio = handle.studio()?;
    if on_server {
        studio.delete_from_server(&id).await?;
    }
    Ok(studio.delete(&id, remove_files).await?)
}

/// The draft Create showed last time (empty when there is none).
#[tauri::command]
#[specta::specta]
pub async fn load_draft(
    handle: State<'_, StudioHandle>,
    received: State<'_, ReceivedPaths>,
) -> Result<JobInput, CommandError> {
    let draft: Option<JobInput> = handle.studio()?.app_value(DRAFT_KEY)?;
    let draft = draft.unwrap_or_default();
    // The stored draft holds only paths Rust received before (see `save_draft`).
    received.add(draft.files.iter().map(std::path::PathBuf::from));
    Ok(draft)
}

/// Keeps Create's draft so it survives a restart.
#[tauri::command]
#[specta::specta]
pub async fn save_draft(
    handle: State<'_, StudioHandle>,
    received: State<'_, ReceivedPaths>,
    mut draft: JobInput,
) -> Result<(), CommandError> {
    // Only received paths are kept, so a restored draft cannot smuggle one in.
    draft.files = received.keep_received(&draft.files);
    handle.studio()?.set_app_value(DRAFT_KEY, &draft)?;
    Ok(())
}
