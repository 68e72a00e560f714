//! Downloads into the library folder: a resumable file fetch (`file`), safe file names (`names`), names
//! that never overwrite another file (`place`)
//! and the per-job pipeline (`job`).

mod failure;
pub mod file;
mod job;
pub mod names;
pub mod place;
