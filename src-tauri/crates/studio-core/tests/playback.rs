//! Playback over real parts: a real MP4 made by ffmpeg, GStreamer's real pipeline in our
//! process, and the checked lookup over a real store. The player hands over frames as pixels
//! scaled to the box asked for, reports its position, seeks and pauses, ends, and reports a
//! file it cannot play in words.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use studio_core::playback::{
    job_file, FrameBox, PlayerControl, PlayerState, Players, VideoFrame, MAX_PLAYERS,
};
use studio_core::store::Store;
use studio_core::{Job, JobOutputs, JobRequest, JobState};
use tokio::sync::watch;

struct Library {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: Arc<Store>,
}

fn job(id: &str, outputs: JobOutputs) -> Job {
    let request = JobRequest {
        prompt: "A test video".into(),
        ..Default::default()
    };
    Job {
        state: JobState::Downloaded,
        outputs,
        ..Job::draft(id, request, format!("vas-{id}"), 1)
    }
}

/// Job 1 has a video; job 2 has a captioned video; job 3's stored
/// video is a symlink to a file outside the library folder.
fn library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("library");
    std::fs::create_dir_all(&root).unwrap();
    let store = Arc::new(Store::open(&dir.path().join("studio.db")).unwrap());
    let video = root.join("one.mp4");
    std::fs::write(&video, b"job one's video").unwrap();
    let captioned = root.join("two-captioned.mp4");
    std::fs::write(&captioned, b"job two's captioned video").unwrap();
    let secret = dir.path().join("private.txt");
    std::fs::write(&secret, b"not a library file").unwrap();
    let link = root.join("three.mp4");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let with = |video: Option<&Path>, captioned: Option<&Path>| JobOutputs {
        video: video.map(Path::to_path_buf),
        captioned_video: captioned.map(Path::to_path_buf),
        ..Default::default()
    };
    store
        .insert_job(&job("job-1", with(Some(&video), None)))
        .unwrap();
    store
        .insert_job(&job("job-2", with(None, Some(&captioned))))
        .unwrap();
    store
        .insert_job(&job("job-3", with(Some(&link), None)))
        .unwrap();
    Library {
        _dir: dir,
        root,
        store,
    }
}

/// The server with the app's resolver: the store, through the checked lookup.
/// A 4-second 320×240 H.264/AAC MP4 (ffmpeg's test pattern and a tone).
fn real_mp4(dir: &Path) -> PathBuf {
    let out = dir.join("real.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args([
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=4",
        ])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=4"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25"])
        .args(["-c:a", "aac", "-shortest"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (installed by .ci/setup)");
    assert!(status.success());
    out
}

/// Waits (up to 20 s) until the player's state passes `check`; returns that state.
async fn until(
    state: &mut watch::Receiver<PlayerState>,
    what: &str,
    check: impl Fn(&PlayerState) -> bool,
) -> PlayerState {
    let waited = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let now = state.borrow_and_update().clone();
            if check(&now) {
                return now;
            }
            state.changed().await.expect("the player is still open");
        }
    });
    match waited.await {
        Ok(s) => s,
        Err(_) => panic!("timed out waiting for {what}; state: {:?}", *state.borrow()),
    }
}

/// Opens `file` in a 160×160 box, playing, and waits until it is past its first second; the
/// player's id, its state as it changes, and the state then.
async fn playing_past_one_second(
    players: &Players,
    file: &Path,
) -> (String, watch::Receiver<PlayerState>, PlayerState) {
    let box_ = FrameBox {
        width: 160,
        height: 160,
    };
    let (id, mut state) = players.open(file, box_, true).unwrap();
    let playing = until(&mut state, "playback past 1 s", |s| {
        s.playing && s.position > 1.0
    })
    .await;
    (id, state, playing)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plays_scaled_frames_seeks_pauses_and_ends() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Players::new();
    let (id, mut state, playing) = playing_past_one_second(&players, &file).await;
    let mut frames = players.frames(&id).unwrap();
    // Scaled into the box with the picture's 4:3 kept, never stretched.
    assert_eq!((playing.width, playing.height), (160, 120), "{playing:?}");
    assert!((playing.duration.unwrap() - 4.0).abs() < 0.2, "{playing:?}");
    frames.changed().await.unwrap();
    let frame = frames.borrow_and_update().clone().unwrap();
    assert_eq!((frame.width, frame.height, frame.stride), (160, 120, 640));
    assert!(frame.is_whole() && frame.pixels.len() == 640 * 120);
    assert_is_the_test_pattern(&frame);

    // Pause: the position stops.
    assert!(players.control(&id, PlayerControl::Pause));
    let paused = until(&mut state, "pause", |s| !s.playing).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!((state.borrow().position - paused.position).abs() < 0.05);

    // A seek while paused shows the frame there (a new frame arrives) and moves the position.
    frames.borrow_and_update();
    assert!(players.control(&id, PlayerControl::Seek { seconds: 3.0 }));
    tokio::time::timeout(Duration::from_secs(10), frames.changed())
        .await
        .expect("a seek while paused shows the frame it lands on")
        .unwrap();
    assert!((state.borrow().position - 3.0).abs() < 0.05);

    // Playing on from there reaches the end.
    assert!(players.control(&id, PlayerControl::Play));
    let ended = until(&mut state, "the end", |s| s.ended).await;
    assert!(
        !ended.playing && (ended.position - 4.0).abs() < 0.2,
        "{ended:?}"
    );
    // Play after the end starts over.
    assert!(players.control(&id, PlayerControl::Play));
    until(&mut state, "playing again from the start", |s| {
        s.playing && !s.ended && s.position < 2.0
    })
    .await;

    assert!(players.control(&id, PlayerControl::Volume { level: 7.0 }));
    assert!(players.control(&id, PlayerControl::Mute { muted: true }));
    let steered = until(&mut state, "volume and mute", |s| s.muted).await;
    assert_eq!(steered.volume, 1.0, "volume is clamped to 0–1");

    players.close(&id);
    assert!(players.frames(&id).is_none());
    assert!(!players.control(&id, PlayerControl::Play));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_video_is_an_error_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.mp4");
    std::fs::write(&file, vec![0x42u8; 64 * 1024]).unwrap();
    let players = Players::new();
    let (_, mut state) = players
        .open(
            &file,
            FrameBox {
                width: 640,
                height: 360,
            },
            true,
        )
        .unwrap();
    let failed = until(&mut state, "an error", |s| s.error.is_some()).await;
    assert!(!failed.playing && !failed.ready, "{failed:?}");
    assert!(failed.error.unwrap().len() > 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_a_few_players_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Players::new();
    let box_ = FrameBox {
        width: 64,
        height: 64,
    };
    let ids: Vec<String> = (0..MAX_PLAYERS + 2)
        .map(|_| players.open(&file, box_, false).unwrap().0)
        .collect();
    assert_eq!(players.len(), MAX_PLAYERS);
    // The oldest were closed; the newest are open.
    assert!(players.frames(&ids[0]).is_none() && players.frames(&ids[1]).is_none());
    assert!(ids[2..].iter().all(|id| players.frames(id).is_some()));

    // A page that went away: all of them close, and whoever follows their frames hears it.
    let mut frames = players.frames(&ids[2]).unwrap();
    players.close_all();
    assert!(players.is_empty());
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while frames.changed().await.is_ok() {}
    });
    ended.await.expect("a closed player's frames end");
}

/// A pixel as cairo's RGB24 reads it: the 32-bit word in the machine's order, red in bits
/// 16–23, green in 8–15, blue in 0–7.
fn rgb(frame: &VideoFrame, x: u32, y: u32) -> [u32; 3] {
    let at = (y * frame.stride + x * 4) as usize;
    let word = u32::from_ne_bytes(frame.pixels[at..at + 4].try_into().unwrap());
    [(word >> 16) & 0xFF, (word >> 8) & 0xFF, word & 0xFF]
}

/// The pixels are the picture (ffmpeg's `testsrc2` is never a few flat colours).
fn assert_is_the_test_pattern(frame: &VideoFrame) {
    let mut colours = std::collections::HashSet::new();
    for y in (0..frame.height).step_by(7) {
        for x in (0..frame.width).step_by(7) {
            colours.insert(rgb(frame, x, y));
        }
    }
    assert!(
        colours.len() > 20,
        "{} colours: not the picture",
        colours.len()
    );
}

/// The window paints the frames as they come, so their bytes must be in cairo's order: a red
/// video is red there, not blue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_are_laid_out_as_the_window_paints_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("red.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"])
        .args(["-i", "color=c=red:size=64x48:rate=25:duration=1"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&file)
        .status()
        .expect("ffmpeg runs (installed by .ci/setup)");
    assert!(status.success());
    let players = Players::new();
    let box_ = FrameBox {
        width: 640,
        height: 480,
    };
    let (id, mut state) = players.open(&file, box_, false).unwrap();
    until(&mut state, "the first frame", |s| s.ready).await;
    let frame = players.frames(&id).unwrap().borrow().clone().unwrap();
    // Never scaled up past the video's own size.
    assert_eq!((frame.width, frame.height), (64, 48));
    let [r, g, b] = rgb(&frame, 32, 24);
    assert!(r > 200 && g < 50 && b < 50, "red shows as {:?}", [r, g, b]);
}

#[test]
fn the_checked_lookup_is_the_one_open_and_reveal_use() {
    let lib = library();
    fn video(o: &JobOutputs) -> Option<&Path> {
        o.video.as_deref()
    }
    let found = job_file(&lib.store, "job-1", video).unwrap().unwrap();
    assert_eq!(
        found,
        std::fs::canonicalize(lib.root.join("one.mp4")).unwrap()
    );
    assert_eq!(job_file(&lib.store, "job-3", video).unwrap(), None);
    assert_eq!(job_file(&lib.store, "job-2", video).unwrap(), None);
    assert_eq!(job_file(&lib.store, "../job-1", video).unwrap(), None);
}

/// A seek to the very end (the seek bar dragged all the way, or a switch of captions resumed
/// where the last file ended) shows the last frame, rather than leaving the picture where it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seek_to_the_end_shows_the_last_frame() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Players::new();
    let box_ = FrameBox {
        width: 320,
        height: 240,
    };
    let (id, mut state) = players.open(&file, box_, false).unwrap();
    let ready = until(&mut state, "the first frame", |s| s.ready).await;
    let end = ready.duration.unwrap();
    let mut frames = players.frames(&id).unwrap();
    frames.borrow_and_update();
    assert!(players.control(&id, PlayerControl::Seek { seconds: end }));
    tokio::time::timeout(Duration::from_secs(10), frames.changed())
        .await
        .expect("a seek to the end shows the last frame")
        .unwrap();
    // Playing from there ends at once.
    assert!(players.control(&id, PlayerControl::Play));
    let ended = until(&mut state, "the end", |s| s.ended).await;
    assert!((ended.position - end).abs() < 0.1, "{ended:?}");
}

/// Resident kilobytes of this process's mappings of files whose name starts with `prefix` that
/// only this process maps and that are as read from the file (clean pages: relocated data,
/// copied on write, left out). Pages another process maps too (the other tests' processes under
/// nextest) are shared and are not the kernel's to hand back for us.
/// None when no such file is mapped.
fn resident_kb(prefix: &str) -> Option<u64> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut counting = false;
    let mut total = None;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or_default();
        if first.contains('-') && !first.ends_with(':') {
            counting = line
                .rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with(prefix) && line.contains(" /"));
        } else if counting && first == "Private_Clean:" {
            let kb = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok());
            *total.get_or_insert(0) += kb.unwrap_or(0);
        }
    }
    total
}

/// Loading GStreamer's libav plugin maps libavfilter (and 170-odd more libraries) and reads
/// their relocation and symbol tables; decoding never uses libavfilter. Once the first frame is
/// shown those load-time pages are handed back, and playing does not bring them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_decoders_libraries_keep_only_what_playing_uses() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Players::new();
    let (id, _state, _) = playing_past_one_second(&players, &file).await;
    let filter = resident_kb("libavfilter.so").expect("the libav plugin maps libavfilter");
    eprintln!("libavfilter's pages resident (ours alone) while playing: {filter} kB");
    assert!(
        filter < 256,
        "libavfilter: {filter} kB resident while playing"
    );
    players.close(&id);
}

/// Once a player has opened, large blocks (decoded frames, compressed samples) are mapped on
/// their own and unmapped when freed, even after a larger block was freed — glibc's sliding
/// threshold would otherwise move every later frame into the streaming threads' arenas, which
/// keep what the busiest moment needed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_blocks_stay_out_of_the_arenas_once_a_player_opened() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Players::new();
    let (id, _state, _) = playing_past_one_second(&players, &file).await;
    // Closed first, so no frame of its own comes or goes while the blocks are counted.
    players.close(&id);

    // A freed 4 MiB block: glibc's sliding threshold would rise to 4 MiB here.
    drop(std::hint::black_box(vec![1u8; 4 << 20]));
    // SAFETY: mallinfo2 only reads glibc's counters.
    let mapped = || unsafe { libc::mallinfo2() }.hblkhd;
    let before = mapped();
    let blocks: Vec<Vec<u8>> = (0..8)
        .map(|i| std::hint::black_box(vec![i as u8; 300 * 1024]))
        .collect();
    let grew = mapped().saturating_sub(before);
    assert!(
        grew >= 8 * 300 * 1024,
        "eight 300 KiB blocks added {grew} bytes of separate mappings (they went to an arena)"
    );
    drop(blocks);
    assert!(mapped() <= before, "freed blocks stayed mapped");
}
