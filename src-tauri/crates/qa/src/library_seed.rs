//! A large library for the UI benchmark: N jobs written into the app's real SQLite database
//! through studio-core's own store (`Store::insert_job`), with varied titles, prompts, ages and
//! states, and real files in the library folder for the downloaded ones (a PNG thumbnail and a
//! short MP4 each; hard links into a small pool of distinct files, so 10,000 jobs cost no disk).
//!
//! Only terminal states are seeded (downloaded, failed, stopped, cancelled): a live job would
//! make the app's tracker poll a session that does not exist, which is the tracking benchmark's
//! business, not the library screen's. Nor drafts: a draft in the database is one a dead process
//! never sent, and the app sends it at start-up (`Studio::resume`), so seeded drafts had the UI
//! benchmark's app create ~500 videos and the local agent render them beside the measurement.

use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use studio_core::downloads::names::file_stem;
use studio_core::{Job, JobOutputs, JobRequest, JobState, Mode, Orientation, Studio, StudioConfig};

use crate::error::{QaError, QaResult};

#[derive(Debug, Clone)]
pub struct SeedConfig {
    /// The app's data folder (`VAS_DATA_DIR`); `studio.db` is created or extended there.
    pub data_dir: PathBuf,
    pub jobs: usize,
    /// Makes titles, states and ages reproducible.
    pub seed: u64,
    /// Saved as the library-folder setting; default `<data_dir>/library`.
    pub library_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    pub jobs: usize,
    pub by_state: BTreeMap<&'static str, usize>,
    pub library_dir: PathBuf,
    pub db_path: PathBuf,
    pub total_jobs_in_db: u64,
    pub seconds: f64,
}

const POOL_THUMBNAILS: usize = 24;

const SUBJECTS: &[&str] = &[
    "Quarterly results",
    "Onboarding for new hires",
    "Product launch teaser",
    "How our API handles retries",
    "Sunflowers that follow the sun",
    "A recipe for lemon tart",
    "Customer story: Greenleaf",
    "Safety briefing",
    "Tides and the moon",
    "Paper planes, explained",
    "Weekly team update",
    "The history of typography",
    "Release notes 4.2",
    "Welcome to the studio",
    "Why sleep matters",
    "Three tips for better slides",
];
const ANGLES: &[&str] = &[
    "in 60 seconds",
    "for beginners",
    "with a narrator",
    "as a short explainer",
    "for social media",
    "in a calm tone",
    "with charts",
    "for the all-hands",
];
const FAILURES: &[(&str, &str)] = &[
    (
        "video_generation_failed",
        "The agent could not render one of the scenes.",
    ),
    (
        "insufficient_credit",
        "Not enough credits to generate this video.",
    ),
    (
        "invalid_parameter",
        "The attached file type is not supported.",
    ),
];

/// The state of job number `i` (a fixed mix: mostly finished videos).
fn state_for(rng: &mut StdRng) -> JobState {
    match rng.gen_range(0..100) {
        0..=74 => JobState::Downloaded,
        75..=86 => JobState::Failed,
        87..=94 => JobState::Stopped,
        _ => JobState::Cancelled,
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> QaError {
    let context = context.into();
    move |e| QaError::io(context, e)
}

/// A `w`×`h` RGB PNG: a diagonal gradient in hue `n` of `of`, with a darker lower third.
fn write_thumbnail(path: &Path, n: usize, of: usize, w: u32, h: u32) -> QaResult<()> {
    let hue = n as f32 / of as f32;
    let base = [
        (hue * 255.0) as u8,
        ((1.0 - hue) * 200.0) as u8 + 30,
        ((hue * 3.0).fract() * 200.0) as u8 + 40,
    ];
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let t = (x + y) as f32 / (w + h) as f32;
            let shade = if y > h * 2 / 3 { 0.55 } else { 1.0 };
            for c in base {
                px.push(((c as f32 * (0.6 + 0.4 * t)) * shade) as u8);
            }
        }
    }
    let file = std::fs::File::create(path).map_err(io(path.display().to_string()))?;
    let mut enc = png::Encoder::new(BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| QaError::Protocol(format!("png: {e}")))?;
    writer
        .write_image_data(&px)
        .map_err(|e| QaError::Protocol(format!("png: {e}")))?;
    writer
        .finish()
        .map_err(|e| QaError::Protocol(format!("png: {e}")))
}

/// A one-second 320×180 H.264 clip made by ffmpeg.
fn write_video(path: &Path) -> QaResult<()> {
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg("testsrc=size=320x180:rate=25:duration=1")
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(path)
        .output()
        .map_err(io("running ffmpeg"))?;
    if !out.status.success() {
        return Err(QaError::Protocol(format!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// Writes `cfg.jobs` jobs into the app's database and their files into the library folder.
pub async fn seed_library(cfg: &SeedConfig) -> QaResult<SeedReport> {
    let started = Instant::now();
    let studio = Studio::open(StudioConfig {
        data_dir: Some(cfg.data_dir.clone()),
        offline: Some(false),
        ..StudioConfig::default()
    })
    .await?;
    let library = cfg
        .library_dir
        .clone()
        .unwrap_or_else(|| cfg.data_dir.join("library"));
    let mut settings = studio.settings();
    settings.library_dir = Some(library.clone());
    studio.update_settings(settings).await?;

    let pool = cfg.data_dir.join("seed-pool");
    for dir in [&pool, &library] {
        std::fs::create_dir_all(dir).map_err(io(dir.display().to_string()))?;
    }
    let thumbs: Vec<PathBuf> = (0..POOL_THUMBNAILS)
        .map(|n| pool.join(format!("thumbnail-{n:02}.png")))
        .collect();
    for (n, path) in thumbs.iter().enumerate() {
        write_thumbnail(path, n, POOL_THUMBNAILS, 320, 180)?;
    }
    let clip = pool.join("clip.mp4");
    write_video(&clip)?;

    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut by_state = BTreeMap::new();
    let now = studio_core::store::now_unix();
    // Newest first in the library: job 0 is the most recent, the rest spread over two years.
    let span = 2 * 365 * 24 * 3600;
    for i in 0..cfg.jobs {
        let id = format!("{:032x}", rng.gen::<u128>());
        let state = state_for(&mut rng);
        let subject = SUBJECTS[rng.gen_range(0..SUBJECTS.len())];
        let angle = ANGLES[rng.gen_range(0..ANGLES.len())];
        let title = format!("{subject} {angle} #{}", cfg.jobs - i);
        let created_at = now - (i as i64 * span / cfg.jobs.max(1) as i64) - rng.gen_range(0..600);
        let request = JobRequest {
            prompt: format!(
                "Make a video about {} {angle}. Keep it friendly and clear.",
                subject.to_lowercase()
            ),
            mode: if rng.gen_bool(0.15) {
                Mode::Chat
            } else {
                Mode::Generate
            },
            orientation: Some(if rng.gen_bool(0.7) {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            }),
            ..JobRequest::default()
        };
        let mut job = Job {
            state,
            updated_at: created_at + rng.gen_range(60..2_700),
            ..Job::draft(id.clone(), request, format!("vas-create-{id}"), created_at)
        };
        job.session_id = Some(format!("sess_seed_{}", &id[..16]));
        job.submitted_at = Some(created_at + 1);
        job.title = Some(title);
        match state {
            JobState::Downloaded => {
                let stem = file_stem(&job.id, job.title.as_deref());
                let thumb = library.join(format!("{stem}-thumbnail.png"));
                let video = library.join(format!("{stem}.mp4"));
                std::fs::hard_link(&thumbs[i % POOL_THUMBNAILS], &thumb)
                    .map_err(io(thumb.display().to_string()))?;
                std::fs::hard_link(&clip, &video).map_err(io(video.display().to_string()))?;
                job.video_id = Some(format!("vid_seed_{}", &id[..16]));
                job.progress = Some(100);
                job.outputs = JobOutputs {
                    video: Some(video),
                    thumbnail: Some(thumb),
                    ..JobOutputs::default()
                };
            }
            JobState::Failed => {
                let (code, message) = FAILURES[rng.gen_range(0..FAILURES.len())];
                job.failure_code = Some(code.to_string());
                job.failure_message = Some(message.to_string());
                job.progress = Some(rng.gen_range(0..90));
            }
            _ => {}
        }
        studio.store().insert_job(&job)?;
        *by_state.entry(state.as_str()).or_insert(0) += 1;
    }
    let total_jobs_in_db = studio.store().count_jobs()?;
    let db_path = studio.store().path().to_path_buf();
    studio.shutdown().await;
    Ok(SeedReport {
        jobs: cfg.jobs,
        by_state,
        library_dir: library,
        db_path,
        total_jobs_in_db,
        seconds: started.elapsed().as_secs_f64(),
    })
}
