//! Writes a download's bytes to its `.part` file on a blocking thread of its own, so the task
//! reading the socket never waits for the disk and the bytes are copied once (from the
//! network's buffers straight into the kernel, several chunks per `writev`).
//!
//! A finished download is fsynced before it is renamed into place; the writeback of a 2 GiB file
//! would otherwise all happen in that final fsync, after the last byte arrived. So the writer
//! starts the writeback of every `WRITEBACK_STEP` bytes as it goes (`sync_file_range`, Linux),
//! and the final fsync has only the tail left.

use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

/// Bytes waiting for the disk at most, in KiB (the memory a download may hold).
const QUEUED_KIB: usize = 8 * 1024;
/// Chunks waiting for the disk at most (the byte limit is the one that usually applies).
const QUEUED_CHUNKS: usize = 256;
/// Chunks gathered into one `writev`.
const CHUNKS_PER_WRITE: usize = 64;
/// Bytes after which the writeback of what was written so far is started.
const WRITEBACK_STEP: u64 = 32 << 20;

/// How the writer ends: `Durable` fsyncs (the bytes are resumable after a crash), `Cancelled`
/// only stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Durable,
    Cancelled,
}

/// A chunk and its share of the queue's bytes, given back once it is written.
type Queued = (Bytes, OwnedSemaphorePermit);

pub struct PartWriter {
    chunks: Option<mpsc::Sender<Queued>>,
    /// Permits are KiB of queued bytes: `write` waits while `QUEUED_KIB` are queued.
    room: Arc<Semaphore>,
    ending: Option<tokio::sync::oneshot::Sender<Ending>>,
    /// Taken when a failed write collected the thread's error.
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl PartWriter {
    /// Starts writing at the end of `file` (opened for appending, or new), whose length is `at`.
    pub fn start(file: File, at: u64) -> PartWriter {
        let (chunks, rx) = mpsc::channel(QUEUED_CHUNKS);
        let (ending, ending_rx) = tokio::sync::oneshot::channel();
        let thread = tokio::task::spawn_blocking(move || write_all_chunks(file, at, rx, ending_rx));
        PartWriter {
            chunks: Some(chunks),
            room: Arc::new(Semaphore::new(QUEUED_KIB)),
            ending: Some(ending),
            thread: Some(thread),
        }
    }

    /// Queues `bytes`; waits only while the queue is full. A failed write shows here (or in
    /// [`PartWriter::finish`]) as that write's error.
    pub async fn write(&mut self, bytes: Bytes) -> io::Result<()> {
        if let Some(sender) = &self.chunks {
            let kib = bytes.len().div_ceil(1024).clamp(1, QUEUED_KIB) as u32;
            let share = Arc::clone(&self.room)
                .acquire_many_owned(kib)
                .await
                .expect("the queue's semaphore is never closed");
            if sender.send((bytes, share)).await.is_ok() {
                return Ok(());
            }
        }
        // The thread stopped: it failed. Its error is the answer.
        self.chunks = None;
        self.join().await
    }

    async fn join(&mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(thread) => thread.await.map_err(io::Error::other)?,
            None => Err(io::Error::other("the download writer failed earlier")),
        }
    }

    /// Writes what is queued, then ends as asked.
    pub async fn finish(mut self, how: Ending) -> io::Result<()> {
        if let Some(ending) = self.ending.take() {
            let _ = ending.send(how);
        }
        self.chunks = None;
        self.join().await
    }
}

fn write_all_chunks(
    mut file: File,
    at: u64,
    mut rx: mpsc::Receiver<Queued>,
    mut ending: tokio::sync::oneshot::Receiver<Ending>,
) -> io::Result<()> {
    let mut written = at;
    let mut writeback_from = at;
    let mut batch: Vec<Queued> = Vec::with_capacity(CHUNKS_PER_WRITE);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < CHUNKS_PER_WRITE {
            match rx.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        written += write_batch(&mut file, &batch)?;
        batch.clear(); // gives the written bytes' room back
        if written - writeback_from >= WRITEBACK_STEP {
            start_writeback(&file, writeback_from, written - writeback_from);
            writeback_from = written;
        }
    }
    // The sender is gone: either `finish` (which said how first) or the download task dropped.
    match ending.try_recv() {
        Ok(Ending::Durable) => file.sync_all(),
        _ => Ok(()),
    }
}

/// Writes every chunk of `batch` (vectored, resumed after short writes); returns the bytes.
fn write_batch(file: &mut File, batch: &[Queued]) -> io::Result<u64> {
    let total: usize = batch.iter().map(|(b, _)| b.len()).sum();
    let mut slices: Vec<IoSlice<'_>> = batch.iter().map(|(b, _)| IoSlice::new(b)).collect();
    let mut left: &mut [IoSlice<'_>] = &mut slices;
    while !left.is_empty() {
        match file.write_vectored(left) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(total as u64)
}

/// Asks the kernel to start writing `len` bytes from `from` to disk, without waiting.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on a file descriptor this function borrows; no memory is passed.
    // Failure only means the final fsync does more of the work.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_every_chunk_in_order_after_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.part");
        std::fs::write(&path, b"head:").unwrap();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let mut writer = PartWriter::start(file, 5);
        let mut expected = b"head:".to_vec();
        for i in 0..500u32 {
            let chunk: Vec<u8> = (0..(i % 97 + 1)).map(|j| (i + j) as u8).collect();
            expected.extend_from_slice(&chunk);
            writer.write(Bytes::from(chunk)).await.unwrap();
        }
        writer.finish(Ending::Durable).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), expected);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_failing_disk_is_the_writes_error() {
        // /dev/full refuses every write with ENOSPC, like a full disk.
        let Ok(file) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            return;
        };
        let mut writer = PartWriter::start(file, 0);
        let mut error = None;
        for _ in 0..(QUEUED_CHUNKS * 4) {
            if let Err(e) = writer.write(Bytes::from_static(&[1; 4096])).await {
                error = Some(e);
                break;
            }
        }
        let error = match error {
            Some(e) => e,
            None => writer.finish(Ending::Durable).await.unwrap_err(),
        };
        assert_eq!(error.raw_os_error(), Some(libc::ENOSPC), "{error}");
    }
}
