//! Putting a finished download at a name no other file has: `<stem>.<ext>`, else
//! `<stem> (2).<ext>`, `<stem> (3).<ext>`, … The name is claimed atomically by a hard link from
//! the `.part` file, which the file system refuses when the name exists — so two jobs finishing
//! at the same moment cannot both take it, and nothing already there is ever overwritten.

use std::io;
use std::path::{Path, PathBuf};

/// Numbers tried before giving up (a folder with 10,000 files of one name is a bug elsewhere).
const MAX_NUMBER: u32 = 10_000;

/// The `n`th name for `preferred`: itself for 1, then `stem (n).ext`.
pub fn numbered(preferred: &Path, n: u32) -> PathBuf {
    if n <= 1 {
        return preferred.to_path_buf();
    }
    let stem = preferred
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match preferred.extension() {
        Some(ext) => format!("{stem} ({n}).{}", ext.to_string_lossy()),
        None => format!("{stem} ({n})"),
    };
    preferred.with_file_name(name)
}

/// True when both paths are the same file (hard links of one another).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// The name an earlier attempt already linked `part` to (it stopped before removing `part`):
/// finishing that attempt must not claim a second name for the same file.
pub fn already_placed(part: &Path, preferred: &Path) -> Option<PathBuf> {
    (1..=MAX_NUMBER)
        .map(|n| numbered(preferred, n))
        .take_while(|c| c.symlink_metadata().is_ok())
        .find(|c| same_file(part, c))
}

/// Move the finished `part` to the first free name of `preferred`'s series; returns that name.
pub fn place_unique(part: &Path, preferred: &Path) -> io::Result<PathBuf> {
    for n in 1..=MAX_NUMBER {
        let candidate = numbered(preferred, n);
        if same_file(part, &candidate) {
            std::fs::remove_file(part)?;
            return Ok(candidate);
        }
        match std::fs::hard_link(part, &candidate) {
            Ok(()) => {
                std::fs::remove_file(part)?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                // A file system without hard links: claim the name with an exclusive create
                // (also atomic), then rename the part onto our own claim.
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&candidate)
                {
                    Ok(_) => {
                        std::fs::rename(part, &candidate)?;
                        return Ok(candidate);
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name for {}", preferred.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_before_the_extension() {
        let p = Path::new("/v/lesson 1.mp4");
        assert_eq!(numbered(p, 1), p);
        assert_eq!(numbered(p, 2), Path::new("/v/lesson 1 (2).mp4"));
        assert_eq!(
            numbered(Path::new("/v/a-thumbnail.jpg"), 3),
            Path::new("/v/a-thumbnail (3).jpg")
        );
    }

    #[test]
    fn a_taken_name_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let preferred = dir.path().join("intro.mp4");
        std::fs::write(&preferred, "someone else's").unwrap();
        let part = dir.path().join("intro-0123abcd.mp4.part");
        std::fs::write(&part, "ours").unwrap();
        let placed = place_unique(&part, &preferred).unwrap();
        assert_eq!(placed, dir.path().join("intro (2).mp4"));
        assert_eq!(
            std::fs::read_to_string(&preferred).unwrap(),
            "someone else's"
        );
        assert_eq!(std::fs::read_to_string(&placed).unwrap(), "ours");
        assert!(!part.exists());
    }

    #[test]
    fn many_parts_finishing_at_once_get_distinct_names() {
        let dir = tempfile::tempdir().unwrap();
        let preferred = dir.path().join("same.mp4");
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let part = dir.path().join(format!("same-{i}.mp4.part"));
                std::fs::write(&part, format!("{i}")).unwrap();
                let preferred = preferred.clone();
                std::thread::spawn(move || (i, place_unique(&part, &preferred).unwrap()))
            })
            .collect();
        let mut names = std::collections::HashSet::new();
        for h in handles {
            let (i, placed) = h.join().unwrap();
            assert_eq!(std::fs::read_to_string(&placed).unwrap(), format!("{i}"));
            assert!(names.insert(placed));
        }
        assert_eq!(names.len(), 16);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            16,
            "no parts left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_interrupted_placement_is_finished_not_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let preferred = dir.path().join("a.mp4");
        let part = dir.path().join("a-1.mp4.part");
        std::fs::write(&part, "x").unwrap();
        // The earlier attempt linked the part and stopped before removing it.
        std::fs::hard_link(&part, &preferred).unwrap();
        assert_eq!(already_placed(&part, &preferred), Some(preferred.clone()));
        assert_eq!(place_unique(&part, &preferred).unwrap(), preferred);
        assert!(!part.exists());
        assert!(!dir.path().join("a (2).mp4").exists());
    }
}
