//! The loopback playback server over a real store: streams a job's file with Range support
//! (open-ended and suffix ranges, HEAD, 416), and serves nothing without this
//! launch's secret, under another host name, for a path-ish id, for a file the job does not
//! have, or for a stored path that a symlink leads out of the library.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use studio_core::playback::{job_file, MediaKind, PlaybackServer, PlaybackUrls, Resolver};
use studio_core::store::Store;
use studio_core::{Job, JobOutputs, JobRequest, JobState};

const SIZE: usize = 9 * 1024 * 1024 + 123;

struct Library {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: Arc<Store>,
    bytes: Vec<u8>,
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

/// Job 1 has a video (9 MB of a counting pattern); job 2 has a captioned video; job 3's stored
/// video is a symlink to a file outside the library folder.
fn library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("library");
    std::fs::create_dir_all(&root).unwrap();
    let store = Arc::new(Store::open(&dir.path().join("studio.db")).unwrap());
    let bytes: Vec<u8> = (0..SIZE as u32).map(|i| (i % 251) as u8).collect();
    let video = root.join("one.mp4");
    std::fs::write(&video, &bytes).unwrap();
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
        bytes,
    }
}

/// The server with the app's resolver: the store, through the checked lookup.
async fn start(store: Arc<Store>) -> (String, PlaybackUrls) {
    let server = PlaybackServer::bind().unwrap();
    let origin = server.origin();
    let urls = server.urls();
    let resolver: Resolver = Arc::new(move |job_id: &str, kind: MediaKind| {
        job_file(&store, job_id, |outputs| kind.path_in(outputs))
            .ok()
            .flatten()
    });
    tokio::spawn(server.serve(resolver));
    (origin, urls)
}

#[tokio::test]
async fn serves_whole_files_and_ranges_from_disk() {
    let lib = library();
    let (origin, urls) = start(lib.store.clone()).await;
    let url = urls.url("job-1", MediaKind::Video);
    assert!(url.starts_with(&format!("{origin}/")), "{url}");
    let client = reqwest::Client::new();
    let bytes = &lib.bytes;

    let whole = client.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &bytes[..]);

    let part = client
        .get(&url)
        .header("Range", "bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 1000-1999/{SIZE}")
    );
    assert_eq!(part.headers()["content-length"], "1000");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[1000..2000]);

    // What a media player asks: "from here on" (the whole rest: WebKit's source takes a
    // shorter answer for the end of the file),
    // and a seek near the end in the suffix form.
    let rest = client
        .get(&url)
        .header("Range", "bytes=5000000-")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 206);
    assert_eq!(
        rest.headers()["content-range"],
        format!("bytes 5000000-{}/{SIZE}", SIZE - 1)
    );
    assert_eq!(rest.bytes().await.unwrap().as_ref(), &bytes[5_000_000..]);
    let tail = client
        .get(&url)
        .header("Range", "bytes=-100")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &bytes[SIZE - 100..]);

    // HEAD: the same headers, no body.
    let head = client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], SIZE.to_string());
    assert_eq!(head.headers()["accept-ranges"], "bytes");
    assert!(head.bytes().await.unwrap().is_empty());

    let past = client
        .get(&url)
        .header("Range", format!("bytes={SIZE}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), 416);
    assert_eq!(past.headers()["content-range"], format!("bytes */{SIZE}"));
}

#[tokio::test]
async fn refuses_anything_but_a_job_file_named_with_this_launchs_secret() {
    let lib = library();
    let (origin, urls) = start(lib.store.clone()).await;
    let client = reqwest::Client::new();
    let good = urls.url("job-1", MediaKind::Video);
    let secret = good
        .strip_prefix(&format!("{origin}/"))
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(secret.len(), 64);
    assert_eq!(client.get(&good).send().await.unwrap().status(), 200);
    // Job 2's own file is served; it is not job 1's.
    let two = urls.url("job-2", MediaKind::Captioned);
    assert_eq!(client.get(&two).send().await.unwrap().status(), 200);

    let root = lib.root.display().to_string();
    for url in [
        // No secret, another secret, a prefix of it.
        format!("{origin}/job-1/video"),
        format!("{origin}/{}/job-1/video", "0".repeat(64)),
        format!("{origin}/{}/job-1/video", &secret[..63]),
        // A file that is not the job's: job 1 has no captioned video (job 2's is not lent to
        // it), job 2 has no plain video, no job 4 exists.
        urls.url("job-1", MediaKind::Captioned),
        urls.url("job-2", MediaKind::Video),
        urls.url("job-4", MediaKind::Video),
        // Kinds that are not videos, or are paths.
        format!("{origin}/{secret}/job-1/subtitles"),
        format!("{origin}/{secret}/job-1/..%2Fvideo"),
        // Path-ish ids: traversal, an absolute path, a library file's own path.
        format!("{origin}/{secret}/..%2F..%2Fetc%2Fpasswd/video"),
        format!("{origin}/{secret}/..%2Fjob-1/video"),
        format!("{origin}/{secret}/%2Fetc%2Fpasswd/video"),
        format!(
            "{origin}/{secret}/{}/video",
            format!("{root}/one.mp4").replace('/', "%2F")
        ),
        // A job whose stored video is a symlink out of the library.
        urls.url("job-3", MediaKind::Video),
    ] {
        let answer = client.get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{url}");
        assert!(answer.bytes().await.unwrap().len() < 100, "{url}");
    }

    // Dot segments as sent by a raw client (HTTP libraries resolve them before sending).
    let host = origin.strip_prefix("http://").unwrap();
    for path in [
        format!("/{secret}/../video"),
        format!("/{secret}/job-1/../video"),
        format!("/{secret}/job-1/video/../../job-1/video"),
        format!("/{secret}/%2E%2E/video"),
        format!("/{secret}/..%2F..%2F..%2Fetc%2Fpasswd/video"),
    ] {
        assert_eq!(raw_status(host, &path).await, 404, "{path}");
    }
    assert_eq!(
        raw_status(host, &format!("/{secret}/job-1/video")).await,
        206
    );

    // The same URL under another host name (DNS rebinding from a web page) is refused.
    let port = origin.rsplit(':').next().unwrap();
    let rebound = good.replace(&origin, &format!("http://localhost:{port}"));
    let answer = client.get(&rebound).send().await.unwrap();
    assert_eq!(answer.status(), 404);

    // Bound to loopback only.
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
}

/// The status of `GET path` sent byte for byte as given.
async fn raw_status(host: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nRange: bytes=0-15\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    let line = String::from_utf8_lossy(&head).into_owned();
    line[9..12].parse().unwrap()
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
