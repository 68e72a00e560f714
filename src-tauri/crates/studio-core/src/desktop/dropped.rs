//! A folder dropped or picked as an attachment stands for the files directly in it (what a user
//! dragging "the photos folder" means); files stay as they are.

use std::path::{Path, PathBuf};

/// `paths` with each folder replaced by the regular files directly inside it, sorted by name;
/// hidden files (`.name`) and subfolders are left out. A folder that cannot be read stays as
/// it is, so the user sees why it was not attached.
pub fn expand_folders(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut expanded = Vec::new();
    for path in paths {
        match folder_files(path) {
            Some(files) => expanded.extend(files),
            None => expanded.push(path.clone()),
        }
    }
    expanded
}

fn folder_files(path: &Path) -> Option<Vec<PathBuf>> {
    if !path.is_dir() {
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_becomes_the_files_directly_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("photos");
        std::fs::create_dir_all(folder.join("nested")).unwrap();
        for name in ["b.png", "a.png", ".hidden.png", "nested/c.png"] {
            std::fs::write(folder.join(name), b"png").unwrap();
        }
        let single = dir.path().join("talk.mp3");
        std::fs::write(&single, b"id3").unwrap();
        let expanded = expand_folders(&[folder.clone(), single.clone()]);
        assert_eq!(
            expanded,
            vec![folder.join("a.png"), folder.join("b.png"), single]
        );
    }

    #[test]
    fn missing_paths_are_kept_to_be_reported() {
        let missing = PathBuf::from("/no/such/folder");
        assert_eq!(
            expand_folders(std::slice::from_ref(&missing)),
            vec![missing]
        );
    }
}
