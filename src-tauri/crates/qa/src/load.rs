//! A CPU load generator standing in for "the machine is busy with a parallel build": one thread
//! per core hashing a buffer larger than the caches (CPU and memory bandwidth, normal priority),
//! so that whatever is measured beside it competes for cores the way it does during a build.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Runs until dropped.
pub struct CpuLoad {
    stop: Arc<AtomicBool>,
    /// MiB hashed so far by all threads (lets a caller see the load is real).
    hashed_mib: Arc<AtomicU64>,
    threads: Vec<JoinHandle<u64>>,
}

impl CpuLoad {
    /// One busy thread per available core.
    pub fn per_core() -> CpuLoad {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        CpuLoad::start(cores)
    }

    pub fn start(threads: usize) -> CpuLoad {
        let stop = Arc::new(AtomicBool::new(false));
        let hashed_mib = Arc::new(AtomicU64::new(0));
        let threads = (0..threads)
            .map(|i| {
                let (stop, hashed_mib) = (stop.clone(), hashed_mib.clone());
                std::thread::spawn(move || busy(i as u8, &stop, &hashed_mib))
            })
            .collect();
        CpuLoad {
            stop,
            hashed_mib,
            threads,
        }
    }

    pub fn hashed_mib(&self) -> u64 {
        self.hashed_mib.load(Ordering::Relaxed)
    }

    pub fn threads(&self) -> usize {
        self.threads.len()
    }
}

impl Drop for CpuLoad {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Hashes a 32 MiB buffer over and over; returns the rounds done (so the work is not optimised
/// away).
fn busy(seed: u8, stop: &AtomicBool, hashed_mib: &AtomicU64) -> u64 {
    let buffer: Vec<u8> = (0..32u32 << 20).map(|i| (i as u8) ^ seed).collect();
    let mut rounds = 0u64;
    while !stop.load(Ordering::Relaxed) {
        for block in buffer.chunks(1 << 20) {
            let digest = Sha256::digest(block);
            rounds = rounds.wrapping_add(u64::from(digest[0]));
            hashed_mib.fetch_add(1, Ordering::Relaxed);
            if stop.load(Ordering::Relaxed) {
                break;
            }
        }
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_works_until_dropped_and_then_stops() {
        let load = CpuLoad::start(2);
        assert_eq!(load.threads(), 2);
        // Not timed (shared machines): only that the threads really hash, however slowly.
        while load.hashed_mib() < 4 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let hashed = load.hashed_mib.clone();
        drop(load); // joins every thread
        let after_drop = hashed.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(
            hashed.load(Ordering::Relaxed),
            after_drop,
            "no work after drop"
        );
    }
}
