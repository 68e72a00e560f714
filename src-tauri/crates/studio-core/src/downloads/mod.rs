//! Downloads into the library folder: a resumable file fetch (`file`), safe file names (`names`)
//! and the per-job pipeline (`job`).

mod failure;
pub mod file;
mod job;
pub mod names;
