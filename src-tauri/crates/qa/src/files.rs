//! Every file under a folder, for the tests that scan what an app run left on disk (leaked
//! secrets, downloads outside the library).

use std::path::{Path, PathBuf};

/// Every regular file under `dir`, at any depth (an unreadable folder is skipped).
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
