//! Proof for Video Agent Studio (issue 7): drivers for the `.ci/bench` benchmarks, the fault soak,
//! and helpers shared by the property and security tests in `tests/`.
//!
//! - [`transfer`]: 2 GB download / 1 GB direct upload vs curl, peak RSS growth, refetch after a cut.
//! - [`tracking`]: 200 live jobs under `vas watch`: requests/s and CPU.
//! - [`soak`]: N jobs, ~20 % faults, the engine SIGKILLed and restarted; invariants checked.
//! - [`startup`]: start-up to interactive UI and idle PSS, app vs hello-world.
//! - [`library_seed`]: thousands of jobs in the app's real database for the library benchmark.
//! - [`load`]: a busy-core load generator for measuring "under load".
//! - [`procfs`]: RSS, PSS, CPU time from `/proc`.
//! - [`policy`]: the documented allow-list the security tests hold the app's config to.

pub mod agent;
pub mod error;
pub mod files;
pub mod library_seed;
pub mod load;
pub mod policy;
pub mod procfs;
pub mod soak;
pub mod startup;
pub mod tracking;
pub mod transfer;

pub use error::{QaError, QaResult};

/// "ok" or "MISS" for a figure against its target.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISS"
    }
}
