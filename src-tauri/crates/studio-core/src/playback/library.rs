//! Which file of the library a job id names. One lookup for everything that hands a library file
//! to the web view or the desktop (the playback server, open and reveal): the path always comes
//! from the store, never from the page.

use std::path::{Path, PathBuf};

use crate::store::Store;
use crate::{JobOutputs, Result};

/// The file `pick` chooses among the outputs the engine stored for exactly `job_id`,
/// canonicalised. `None` when there is no such job or file, when it is not a regular file, or
/// when the stored path is (or passes through) a symlink that leads out of the folder the engine
/// wrote it to — a library file swapped for a link to `~/.ssh/id_rsa` is not served.
pub fn job_file(
    store: &Store,
    job_id: &str,
    pick: impl FnOnce(&JobOutputs) -> Option<&Path>,
) -> Result<Option<PathBuf>> {
    let Some(job) = store.get_job(job_id)? else {
        return Ok(None);
    };
    if job.id != job_id {
        return Ok(None);
    }
    let Some(stored) = pick(&job.outputs) else {
        return Ok(None);
    };
    Ok(contained(stored))
}

fn contained(stored: &Path) -> Option<PathBuf> {
    let folder = std::fs::canonicalize(stored.parent()?).ok()?;
    let file = std::fs::canonicalize(stored).ok()?;
    let is_file = std::fs::metadata(&file)
        .map(|m| m.is_file())
        .unwrap_or(false);
    (is_file && file.parent() == Some(folder.as_path())).then_some(file)
}
