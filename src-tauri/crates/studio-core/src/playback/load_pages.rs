//! Hands back the pages the dynamic loader touched to load the player's libraries.
//!
//! GStreamer's libav plugin links 177 shared libraries (libavfilter alone brings flite's voices,
//! LAPACK, libplacebo, Rubber Band; libavcodec every encoder). Debian builds them with
//! `BIND_NOW`, so loading the plugin reads every library's relocation and symbol tables and
//! leaves those pages mapped in our process: ~35 MB of file-backed pages of which playing a video
//! uses ~7 MB (measured with `examples/player_memory.rs`: file-backed PSS 43 → 7 MB after this,
//! and it stays there while playing and seeking). They are clean copies of files on disk, so the
//! kernel would drop them first under memory pressure; `MADV_PAGEOUT` drops them now. A page
//! the decoder needs again is read back on its first use.
//!
//! Only read-only mappings of shared libraries that were not mapped before the first player
//! opened, and without a private (copied-on-write) page, are handed back: never the libraries
//! the rest of the app had loaded, never relocated data (which has no copy on disk), never a
//! device or shared-memory mapping.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The files mapped before GStreamer's first use (the app's own libraries).
static BEFORE: OnceLock<HashSet<String>> = OnceLock::new();

/// Remember what is mapped now; call before the player's first use of GStreamer.
pub(super) fn note_mapped_before_player() {
    BEFORE.get_or_init(|| mappings().map(|m| m.path).collect());
}

/// Hand back the clean pages of the libraries loaded since [`note_mapped_before_player`].
/// Returns how many mappings were advised.
pub(super) fn release_library_load_pages() -> usize {
    let Some(before) = BEFORE.get() else {
        return 0;
    };
    let mut advised = 0;
    for mapping in mappings() {
        let library = mapping.path.contains(".so");
        if !library || mapping.writable || mapping.private_pages || before.contains(&mapping.path) {
            continue;
        }
        if page_out(mapping.start, mapping.end - mapping.start) {
            advised += 1;
        }
    }
    advised
}

struct Mapping {
    start: usize,
    end: usize,
    path: String,
    writable: bool,
    /// Pages of the mapping that were copied on write (relocated data): not on disk.
    private_pages: bool,
}

/// The process's file mappings, from `/proc/self/smaps` (empty where there is none).
fn mappings() -> impl Iterator<Item = Mapping> {
    let text = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
    parse_smaps(&text).into_iter()
}

fn parse_smaps(text: &str) -> Vec<Mapping> {
    let mut out: Vec<Mapping> = Vec::new();
    let mut current: Option<Mapping> = None;
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-').filter(|_| !first.ends_with(':')) {
            out.extend(current.take());
            let perms = fields.next().unwrap_or_default();
            // The path is the rest of the line (it may hold spaces); fields before it never
            // hold " /".
            let path = line.find(" /").map_or("", |at| line[at + 1..].trim_end());
            let parsed = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            );
            if let ((Ok(start), Ok(end)), true) = (parsed, path.starts_with('/')) {
                current = Some(Mapping {
                    start,
                    end,
                    path: path.to_string(),
                    writable: perms.contains('w'),
                    private_pages: false,
                });
            }
        } else if first == "Anonymous:" {
            if let Some(m) = current.as_mut() {
                m.private_pages = fields.next().is_some_and(|kb| kb != "0");
            }
        }
    }
    out.extend(current);
    out
}

fn page_out(start: usize, len: usize) -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: MADV_PAGEOUT only asks the kernel to reclaim the range's pages; the mapping stays
    // and its contents are unchanged (clean file pages are read back on the next access). The
    // range is one whole mapping taken from /proc/self/smaps.
    unsafe {
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_PAGEOUT) == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (start, len);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
7f0000000000-7f0000010000 r--p 00000000 fe:00 123 /usr/lib/libavcodec.so.59
Size:                 64 kB
Anonymous:             0 kB
7f0000010000-7f0000020000 r--p 00010000 fe:00 123 /usr/lib/libavcodec.so.59
Anonymous:             8 kB
7f0000020000-7f0000030000 rw-p 00020000 fe:00 123 /usr/lib/libavcodec.so.59
Anonymous:             0 kB
7f0000030000-7f0000040000 rw-p 00000000 00:00 0
Anonymous:            64 kB
7f0000040000-7f0000050000 r-xp 00000000 fe:00 124 /usr/lib/lib with space.so
Anonymous:             0 kB
";

    #[test]
    fn reads_file_mappings_with_their_private_pages() {
        let m = parse_smaps(SMAPS);
        assert_eq!(m.len(), 4, "the anonymous region is left out");
        assert_eq!((m[0].start, m[0].end), (0x7f0000000000, 0x7f0000010000));
        assert!(!m[0].writable && !m[0].private_pages);
        assert!(m[1].private_pages, "relocated (copied) pages");
        assert!(m[2].writable);
        assert_eq!(m[3].path, "/usr/lib/lib with space.so");
    }
}
