//! Playback over real parts: a real MP4 made by ffmpeg, GStreamer's real pipeline in our
//! process, the loopback frame server over HTTP, and the checked lookup over a real store. The
//! player shows frames scaled to the box asked for, reports its position, seeks and pauses,
//! ends, reports a file it cannot play in words, and the server gives a player's frames only
//! to a request with this launch's secret, our host name and that player's id.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use studio_core::playback::{
    job_file, FrameBox, PlaybackServer, PlaybackUrls, PlayerControl, PlayerState, Players,
    MAX_PLAYERS,
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
    let jpeg = frames.borrow_and_update().clone().unwrap();
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    assert!(jpeg.len() > 1_000 && jpeg.len() < 200_000, "{}", jpeg.len());

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_go_only_to_this_launchs_secret_host_and_player() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Arc::new(Players::new());
    let box_ = FrameBox {
        width: 320,
        height: 240,
    };
    let (origin, urls, id) = serving_a_paused_player(&players, &file, box_).await;

    // The paused player's picture comes at once, followed by the next part's opening: WebKit
    // draws a part only once the next part's headers arrive (the boundary alone is not enough).
    // The page says it keeps up with the frames, as it does while it shows them.
    assert!(players.control(&id, PlayerControl::Watching));
    let good = urls.frames(&id);
    let mut answer = reqwest::get(&good).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "multipart/x-mixed-replace; boundary=vas-frame"
    );
    let got = read_part(&mut answer, "the first part, without playing").await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with(PART_OPENING), "{text:.60}");
    let jpeg = &got[PART_OPENING.len()..got.len() - 2 - PART_OPENING.len()];
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    assert_eq!(&jpeg[jpeg.len() - 2..], &[0xFF, 0xD9], "the whole JPEG");

    // Closing the player ends the answer.
    players.close(&id);
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        while answer.chunk().await.ok().flatten().is_some() {}
    });
    rest.await.expect("the answer ends when its player closes");

    let (id, _state) = players.open(&file, box_, false).unwrap();
    let good = urls.frames(&id);
    let secret = good.split('/').nth(3).unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let client = reqwest::Client::new();
    for url in [
        format!("{origin}/frames/{id}"),
        format!("{origin}/{}/frames/{id}", "0".repeat(64)),
        format!("{origin}/{}/frames/{id}", &secret[..63]),
        format!("{origin}/{secret}/frames/{}", "0".repeat(32)),
        format!("{origin}/{secret}/frames/..%2F{id}"),
        format!("{origin}/{secret}/video/{id}"),
    ] {
        let answer = client.get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{url}");
    }
    // The same URL under another host name (DNS rebinding from a web page) is refused.
    let port = origin.rsplit(':').next().unwrap();
    let rebound = good.replace(&origin, &format!("http://localhost:{port}"));
    assert_eq!(client.get(&rebound).send().await.unwrap().status(), 404);
    // Bound to loopback only.
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_wait_while_the_page_does_not_keep_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = real_mp4(dir.path());
    let players = Arc::new(Players::new());
    let box_ = FrameBox {
        width: 160,
        height: 160,
    };
    let (_, urls, id) = serving_a_paused_player(&players, &file, box_).await;
    assert!(players.control(&id, PlayerControl::Watching));
    let mut answer = reqwest::get(&urls.frames(&id)).await.unwrap();
    read_part(&mut answer, "the paused picture").await;

    // The page stalls (it says nothing for more than a second): a seek's new frame is held back,
    // not sent into WebKit's queues.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    assert!(players.control(&id, PlayerControl::Seek { seconds: 2.0 }));
    let held = tokio::time::timeout(Duration::from_millis(1_500), answer.chunk()).await;
    assert!(
        held.is_err(),
        "a frame was sent to a page that did not keep up"
    );

    // It speaks again: the newest frame comes.
    assert!(players.control(&id, PlayerControl::Watching));
    let got = read_part(&mut answer, "the held frame").await;
    assert_eq!(&got[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
}

/// Serves `players` on a loopback frame server and opens a paused player on `file` in `box_`,
/// waiting for its first frame; the server's origin and URLs, and the player's id.
async fn serving_a_paused_player(
    players: &Arc<Players>,
    file: &Path,
    box_: FrameBox,
) -> (String, PlaybackUrls, String) {
    let server = PlaybackServer::bind().unwrap();
    let (origin, urls) = (server.origin(), server.urls());
    tokio::spawn(server.serve(players.clone()));
    let (id, mut state) = players.open(file, box_, false).unwrap();
    until(&mut state, "the first frame", |s| s.ready).await;
    (origin, urls, id)
}

/// Reads a frames answer until a frame and the next part's opening after it have arrived; fails
/// naming `what` when the answer ends or 10 s pass without a chunk.
async fn read_part(answer: &mut reqwest::Response, what: &str) -> Vec<u8> {
    let mut got = Vec::new();
    while !opens_the_next_part(&got) {
        let next = tokio::time::timeout(Duration::from_secs(10), answer.chunk()).await;
        let chunk = next.ok().and_then(Result::ok).flatten();
        got.extend_from_slice(&chunk.unwrap_or_else(|| panic!("{what} never came")));
    }
    got
}

/// The boundary and headers that open each part.
const PART_OPENING: &str = "--vas-frame\r\nContent-Type: image/jpeg\r\n\r\n";

/// Whether a frame and the next part's opening after it have arrived.
fn opens_the_next_part(got: &[u8]) -> bool {
    let after = format!("\r\n{PART_OPENING}");
    got.len() > PART_OPENING.len() + after.len() && got.ends_with(after.as_bytes())
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
