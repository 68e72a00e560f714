//! Downloads into the library folder: a resumable file fetch (`file`) written by its own thread
//! (`part_writer`), safe file names (`names`), names that never overwrite another file (`place`)
//! and the per-job pipeline (`job`).

mod failure;
pub mod file;
mod job;
pub mod names;
mod part_writer;
pub mod place;
