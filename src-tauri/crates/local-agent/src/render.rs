//! Rendering a storyboard to files with ffmpeg (and espeak-ng for narration):
//! `video.mp4` (H.264/AAC), `captioned.mp4` (subtitles burned in), `thumbnail.jpg`,
//! `subtitles.srt`. Scenes are drawn with lavfi `color` + `drawtext` + `overlay`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use crate::planner::{Scene, Storyboard};

pub const FPS: u32 = 24;
const ESPEAK_RATE: u32 = 175;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot run {tool}: {source}")]
    Spawn {
        tool: &'static str,
        source: std::io::Error,
    },
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("render cancelled")]
    Cancelled,
}

pub struct RenderJob<'a> {
    pub storyboard: &'a Storyboard,
    pub out_dir: PathBuf,
    /// Attached images by asset id.
    pub images: HashMap<String, PathBuf>,
    /// Presenter figure (RGBA PNG).
    pub presenter: Option<PathBuf>,
    pub espeak: bool,
}

#[derive(Debug)]
pub struct RenderOutput {
    pub duration: f64,
    pub notes: Vec<String>,
}

/// Is espeak-ng installed? `LOCAL_AGENT_NO_ESPEAK=1` pretends it is not (tests, troubleshooting).
pub fn espeak_available() -> bool {
    if std::env::var_os("LOCAL_AGENT_NO_ESPEAK").is_some() {
        return false;
    }
    std::process::Command::new("espeak-ng")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Font files by typeface: (regular, bold). Missing files fall back to fontconfig's default.
pub fn fonts(typeface: &str) -> (Option<String>, Option<String>) {
    let dir = "/usr/share/fonts/truetype/dejavu";
    let (r, b) = match typeface {
        "serif" => ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
        "mono" => ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
        "condensed" => ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
        _ => ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    };
    let pick = |f: &str| {
        let p = format!("{dir}/{f}");
        Path::new(&p).exists().then_some(p)
    };
    let regular = pick(r).or_else(|| pick("DejaVuSans.ttf"));
    let bold = pick(b).or_else(|| regular.clone());
    (regular, bold)
}

/// Font option for drawtext (`fontfile=…:` or empty).
pub fn font_opt(file: &Option<String>) -> String {
    match file {
        Some(f) => format!("fontfile='{f}':"),
        None => String::new(),
    }
}

/// `a` blended towards `b` by `t` (hex RGB without `#`).
fn mix(a: &str, b: &str, t: f64) -> String {
    let ch = |h: &str, i: usize| {
        u8::from_str_radix(h.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128) as f64
    };
    (0..3)
        .map(|k| {
            let v = ch(a, k * 2) * (1.0 - t) + ch(b, k * 2) * t;
            format!("{:02x}", v.round().clamp(0.0, 255.0) as u8)
        })
        .collect()
}

/// A work file's name relative to the output dir (`work/<name>`).
fn rel(p: &Path) -> String {
    format!(
        "work/{}",
        p.file_name().and_then(|n| n.to_str()).unwrap_or_default()
    )
}

pub fn wrap(text: &str, max_chars: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > max_chars {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines.join("\n")
}

fn srt_time(t: f64) -> String {
    let ms = (t.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02},{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Captions: each scene's narration in chunks of ≤ 9 words over the time it is spoken.
pub fn srt(storyboard: &Storyboard, spoken: &[f64]) -> String {
    let mut out = String::new();
    let mut n = 1;
    for (i, scene) in storyboard.scenes.iter().enumerate() {
        let words: Vec<&str> = scene.narration.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let span = spoken
            .get(i)
            .copied()
            .filter(|s| *s > 0.2)
            .unwrap_or(scene.duration)
            .min(scene.duration);
        let chunks: Vec<&[&str]> = words.chunks(9).collect();
        let per_word = span / words.len() as f64;
        let mut t = scene.start;
        for c in chunks {
            let end = (t + per_word * c.len() as f64).min(scene.start + scene.duration);
            out.push_str(&format!(
                "{n}\n{} --> {}\n{}\n\n",
                srt_time(t),
                srt_time(end),
                c.join(" ")
            ));
            n += 1;
            t = end;
        }
    }
    out
}

fn wav_seconds(path: &Path) -> Option<f64> {
    let b = std::fs::read(path).ok()?;
    let fmt = b.windows(4).position(|w| w == b"fmt ")?;
    let byte_rate = u32::from_le_bytes(b.get(fmt + 16..fmt + 20)?.try_into().ok()?) as f64;
    let data = b.windows(4).position(|w| w == b"data")?;
    let len = (b.len() - (data + 8)) as f64;
    (byte_rate > 0.0).then(|| len / byte_rate)
}

async fn run(
    tool: &'static str,
    cmd: &mut Command,
    cancel: &CancellationToken,
) -> Result<(), RenderError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .map_err(|source| RenderError::Spawn { tool, source })?;
    let out = tokio::select! {
        out = child.wait_with_output() => out?,
        _ = cancel.cancelled() => return Err(RenderError::Cancelled),
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String = err.lines().rev().take(6).collect::<Vec<_>>().join(" | ");
        return Err(RenderError::Tool { tool, detail: tail });
    }
    Ok(())
}

/// Narrates one scene into `wav`, speeding up if the text would overrun the scene.
async fn narrate(
    voice: &str,
    text_file: &Path,
    wav: &Path,
    fit: f64,
    cancel: &CancellationToken,
) -> Result<f64, RenderError> {
    let mut rate = ESPEAK_RATE;
    for _ in 0..2 {
        run(
            "espeak-ng",
            Command::new("espeak-ng")
                .arg("-v")
                .arg(voice)
                .arg("-s")
                .arg(rate.to_string())
                .arg("-w")
                .arg(wav)
                .arg("-f")
                .arg(text_file),
            cancel,
        )
        .await?;
        let secs = wav_seconds(wav).unwrap_or(0.0);
        if secs <= fit || fit <= 0.5 {
            return Ok(secs);
        }
        rate = ((rate as f64) * secs / fit * 1.05).min(450.0) as u32;
    }
    Ok(wav_seconds(wav).unwrap_or(fit))
}

/// Renders all outputs into `job.out_dir`; calls `progress` with 0..1 while encoding. The
/// finished files appear only at the end (each renamed from its `.tmp` name).
pub async fn render(
    job: &RenderJob<'_>,
    progress: impl Fn(f64),
    cancel: &CancellationToken,
) -> Result<RenderOutput, RenderError> {
    let sb = job.storyboard;
    let dir = &job.out_dir;
    let work = dir.join("work");
    tokio::fs::create_dir_all(&work).await?;
    let mut notes = Vec::new();

    // 1. Narration per scene.
    let narration = narrate_scenes(job, &work, cancel).await?;
    if !job.espeak {
        notes.push("espeak-ng is not installed, so this video has a silent soundtrack. Install espeak-ng for narration.".to_string());
    }
    progress(0.1);

    // 2. Subtitles.
    tokio::fs::write(dir.join("subtitles.tmp.srt"), srt(sb, &narration.spoken)).await?;

    // 3. Both videos (plain and captioned) in one ffmpeg run.
    let inputs = Inputs::collect(job, &narration.wavs);
    let layout = Layout::for_frame(sb.width, sb.height);
    let graph = filter_graph(job, &inputs, &layout, &work).await?;
    let graph_file = work.join("graph.txt");
    tokio::fs::write(&graph_file, &graph).await?;
    encode(
        dir,
        &inputs.args,
        &graph_file,
        sb.duration,
        &progress,
        cancel,
    )
    .await?;

    // 4. Thumbnail from the rendered video.
    thumbnail(dir, sb.duration, cancel).await?;

    // 5. Publish the finished files.
    let duration = crate::probe::probe(&dir.join("video.tmp.mp4"))
        .await
        .map_or(sb.duration, |info| info.duration);
    for (tmp, fin) in [
        ("video.tmp.mp4", "video.mp4"),
        ("captioned.tmp.mp4", "captioned.mp4"),
        ("thumbnail.tmp.jpg", "thumbnail.jpg"),
        ("subtitles.tmp.srt", "subtitles.srt"),
    ] {
        tokio::fs::rename(dir.join(tmp), dir.join(fin)).await?;
    }
    // LOCAL_AGENT_KEEP_WORK=1 keeps the filter graph and narration for debugging.
    if std::env::var_os("LOCAL_AGENT_KEEP_WORK").is_none() {
        let _ = tokio::fs::remove_dir_all(&work).await;
    }
    progress(1.0);
    Ok(RenderOutput { duration, notes })
}

/// Each scene's narration: how long it is spoken, and its WAV (none without espeak-ng).
struct Narration {
    spoken: Vec<f64>,
    wavs: Vec<Option<PathBuf>>,
}

async fn narrate_scenes(
    job: &RenderJob<'_>,
    work: &Path,
    cancel: &CancellationToken,
) -> Result<Narration, RenderError> {
    let voice = crate::catalog::voice(&job.storyboard.voice_id)
        .map(|v| v.espeak)
        .unwrap_or("en-us");
    let mut narration = Narration {
        spoken: Vec::new(),
        wavs: Vec::new(),
    };
    for scene in &job.storyboard.scenes {
        if !job.espeak {
            narration.spoken.push(scene.duration);
            narration.wavs.push(None);
            continue;
        }
        let tf = work.join(format!("narration_{}.txt", scene.index));
        tokio::fs::write(&tf, &scene.narration).await?;
        let wav = work.join(format!("narration_{}.wav", scene.index));
        let secs = narrate(voice, &tf, &wav, scene.duration - 0.25, cancel).await?;
        narration.spoken.push(secs);
        narration.wavs.push(Some(wav));
    }
    Ok(narration)
}

/// ffmpeg's inputs in order (input 0 is the background colour) and which number each got.
struct Inputs {
    args: Vec<String>,
    presenter: Option<usize>,
    /// (scene index, input) for every scene with an attached image.
    images: Vec<(usize, usize)>,
    /// One per scene's narration, or a single silent source without espeak-ng.
    audio: Vec<usize>,
}

impl Inputs {
    fn collect(job: &RenderJob<'_>, wavs: &[Option<PathBuf>]) -> Inputs {
        let sb = job.storyboard;
        let mut inputs = Inputs {
            args: vec![
                "-f".into(),
                "lavfi".into(),
                "-i".into(),
                format!(
                    "color=c=0x{}:s={}x{}:r={FPS}:d={:.3}",
                    sb.palette.bg, sb.width, sb.height, sb.duration
                ),
            ],
            presenter: None,
            images: Vec::new(),
            audio: Vec::new(),
        };
        let mut next = 1;
        let mut add = |args: &mut Vec<String>, file: &Path| {
            args.extend(["-i".into(), file.display().to_string()]);
            next += 1;
            next - 1
        };
        if let Some(p) = &job.presenter {
            inputs.presenter = Some(add(&mut inputs.args, p));
        }
        for (si, scene) in sb.scenes.iter().enumerate() {
            if let Some(path) = scene_image(job, scene) {
                let input = add(&mut inputs.args, path);
                inputs.images.push((si, input));
            }
        }
        if job.espeak {
            for wav in wavs.iter().flatten() {
                let input = add(&mut inputs.args, wav);
                inputs.audio.push(input);
            }
        } else {
            inputs.args.extend([
                "-f".into(),
                "lavfi".into(),
                "-i".into(),
                "anullsrc=r=44100:cl=mono".into(),
            ]);
            inputs.audio.push(next);
        }
        inputs
    }
}

/// The attached image a scene shows, if it names one that was attached.
fn scene_image<'a>(job: &'a RenderJob<'_>, scene: &Scene) -> Option<&'a PathBuf> {
    scene
        .image_asset_id
        .as_ref()
        .and_then(|id| job.images.get(id))
}

/// A box on the frame, in pixels.
struct Rect {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

/// Where things go on a frame of one shape (landscape, portrait or 1:1), and text sizes.
struct Layout {
    image: Rect,
    presenter: Rect,
    head_size: u32,
    body_size: u32,
    /// Characters per line before a heading or body line wraps.
    head_chars: usize,
    body_chars: usize,
    head_y: u32,
    rule_y: u32,
    body_y: u32,
    /// How far a wrapped heading pushes its rule and body down.
    wrap_push: u32,
    sub_size: u32,
    /// libass measures margins on a 288-line canvas; in portrait, captions go above the presenter.
    sub_margin: u32,
}

impl Layout {
    fn for_frame(w: u32, h: u32) -> Layout {
        let portrait = h > w;
        // 1:1 styles and "make it square" requests: 720×720 with its own, tighter layout.
        let square = h == w;
        let pick = |p: u32, s: u32, l: u32| {
            if portrait {
                p
            } else if square {
                s
            } else {
                l
            }
        };
        let image = if portrait {
            Rect {
                x: 60,
                y: 600,
                w: 600,
                h: 340,
            }
        } else if square {
            Rect {
                x: 410,
                y: 150,
                w: 270,
                h: 250,
            }
        } else {
            Rect {
                x: 700,
                y: 150,
                w: 520,
                h: 300,
            }
        };
        let (pr_w, pr_h) = if square { (160, 256) } else { (200, 320) };
        let pr_x = if portrait {
            260
        } else {
            w - pr_w - if square { 30 } else { 40 }
        };
        let (head_size, body_size) = (pick(50, 44, 54), pick(34, 26, 32));
        let text_w = pick(600, 310, 580);
        let head_w = if portrait || square { 610.0 } else { 1100.0 };
        Layout {
            image,
            presenter: Rect {
                x: pr_x,
                y: h - pr_h,
                w: pr_w,
                h: pr_h,
            },
            head_size,
            body_size,
            head_chars: (head_w / (head_size as f64 * 0.6)) as usize,
            body_chars: ((text_w as f64) / (body_size as f64 * 0.56)) as usize,
            head_y: pick(110, 50, 60),
            rule_y: pick(230, 112, 140),
            body_y: pick(270, 145, 190),
            wrap_push: pick(0, 52, 64),
            sub_size: pick(12, 14, 16),
            sub_margin: if portrait { 84 } else { 24 },
        }
    }
}

/// The whole filter graph: the slides (background, images, presenter, each scene's text), a
/// copy with captions burnt in, and the soundtrack split for both outputs.
async fn filter_graph(
    job: &RenderJob<'_>,
    inputs: &Inputs,
    layout: &Layout,
    work: &Path,
) -> Result<String, RenderError> {
    let mut g = slides_base(job.storyboard, inputs, layout);
    let mut filters = Vec::new();
    for scene in &job.storyboard.scenes {
        filters.extend(scene_filters(job, scene, layout, work).await?);
    }
    filters.push("format=yuv420p".into());
    filters.push("split=2[vout][vcapin]".into());
    g.push_str(&filters.join(",\n"));
    g.push_str(";\n");
    g.push_str(&format!(
        "[vcapin]subtitles=filename='{}':force_style='FontName=DejaVu Sans,FontSize={},PrimaryColour=&H00FFFFFF,BackColour=&H80000000,BorderStyle=4,Outline=0,Shadow=0,MarginV={}'[vcap];\n",
        "subtitles.tmp.srt", layout.sub_size, layout.sub_margin
    ));
    g.push_str(&soundtrack(job, inputs));
    Ok(g)
}

/// The background with its accent bars, each scene's image while it shows, the presenter on
/// top; ends with the open label the scene text filters chain onto.
fn slides_base(sb: &Storyboard, inputs: &Inputs, layout: &Layout) -> String {
    let (w, h, accent) = (sb.width, sb.height, &sb.palette.accent);
    let mut g = format!(
        "[0:v]drawbox=x=0:y=0:w={w}:h=12:color=0x{accent}:t=fill,drawbox=x=0:y={}:w={w}:h=6:color=0x{accent}@0.6:t=fill[base];\n",
        h - 6
    );
    let mut last = "base".to_string();
    let Rect {
        x,
        y,
        w: img_w,
        h: img_h,
    } = layout.image;
    for (k, (si, input)) in inputs.images.iter().enumerate() {
        let s = &sb.scenes[*si];
        g.push_str(&format!(
            "[{input}:v]scale=w={img_w}:h={img_h}:force_original_aspect_ratio=decrease,format=rgba[img{k}];\n[{last}][img{k}]overlay=x={x}+({img_w}-overlay_w)/2:y={y}+({img_h}-overlay_h)/2:enable='between(t,{:.3},{:.3})'[im{k}];\n",
            s.start,
            s.start + s.duration
        ));
        last = format!("im{k}");
    }
    if let Some(pi) = inputs.presenter {
        let p = &layout.presenter;
        g.push_str(&format!(
            "[{pi}:v]scale={}:{},format=rgba[pr];\n[{last}][pr]overlay=x={}:y={}[withpr];\n",
            p.w, p.h, p.x, p.y
        ));
        last = "withpr".into();
    }
    g.push_str(&format!("[{last}]"));
    g
}

/// One scene's drawing while it shows: a numbered panel when it has no image, its heading,
/// rule, body text and "n / total" counter. Writes the texts to `work` (drawtext reads files,
/// so no text needs escaping).
async fn scene_filters(
    job: &RenderJob<'_>,
    s: &Scene,
    layout: &Layout,
    work: &Path,
) -> Result<Vec<String>, RenderError> {
    let sb = job.storyboard;
    let (font, bold) = fonts(&sb.typeface);
    let (fg, accent) = (&sb.palette.fg, &sb.palette.accent);
    let (a, b) = (s.start, s.start + s.duration);
    let enable = format!("enable='between(t,{a:.3},{b:.3})'");
    let hf = work.join(format!("heading_{}.txt", s.index));
    let bf = work.join(format!("body_{}.txt", s.index));
    let cf = work.join(format!("counter_{}.txt", s.index));
    tokio::fs::write(&hf, wrap(&s.heading, layout.head_chars)).await?;
    tokio::fs::write(&bf, wrap(&s.text, layout.body_chars)).await?;
    tokio::fs::write(&cf, format!("{} / {}", s.index + 1, sb.scenes.len())).await?;
    let mut filters = Vec::new();
    if scene_image(job, s).is_none() {
        // No picture for this scene: a tinted panel with the scene number keeps the layout whole.
        let nf = work.join(format!("number_{}.txt", s.index));
        tokio::fs::write(&nf, format!("{:02}", s.index + 1)).await?;
        // Opaque pre-mixed colours: alpha blending every frame costs noticeably more.
        let (fill, edge) = (
            mix(&sb.palette.bg, accent, 0.16),
            mix(&sb.palette.bg, accent, 0.6),
        );
        let Rect { x, y, w, h } = layout.image;
        filters.push(format!(
            "drawbox=x={x}:y={y}:w={w}:h={h}:color=0x{fill}:t=fill:{enable}"
        ));
        filters.push(format!(
            "drawbox=x={x}:y={y}:w={w}:h={h}:color=0x{edge}:t=3:{enable}"
        ));
        filters.push(format!(
            "drawtext={}textfile='{}':fontcolor=0x{accent}:fontsize={}:x={x}+({w}-text_w)/2:y={y}+({h}-text_h)/2:{enable}",
            font_opt(&bold),
            rel(&nf),
            h / 2
        ));
    }
    let push = if s.heading.len() > layout.head_chars {
        layout.wrap_push
    } else {
        0
    };
    filters.push(format!(
        "drawtext={}textfile='{}':fontcolor=0x{fg}:fontsize={}:x=60:y={}:line_spacing=8:{enable}",
        font_opt(&bold),
        rel(&hf),
        layout.head_size,
        layout.head_y
    ));
    filters.push(format!(
        "drawbox=x=60:y={}:w=120:h=6:color=0x{accent}:t=fill:{enable}",
        layout.rule_y + push
    ));
    filters.push(format!(
        "drawtext={}textfile='{}':fontcolor=0x{fg}:fontsize={}:x=60:y={}:line_spacing=12:{enable}",
        font_opt(&font),
        rel(&bf),
        layout.body_size,
        layout.body_y + push
    ));
    filters.push(format!(
        "drawtext={}textfile='{}':fontcolor=0x{fg}@0.7:fontsize=22:x=60:y={}:{enable}",
        font_opt(&font),
        rel(&cf),
        sb.height - 50
    ));
    Ok(filters)
}

/// Each scene's narration trimmed or padded to the scene, then concatenated (or the silent
/// source cut to length), split for the two outputs as `[a1]` and `[a2]`.
fn soundtrack(job: &RenderJob<'_>, inputs: &Inputs) -> String {
    let sb = job.storyboard;
    if !job.espeak {
        return format!(
            "[{}:a]atrim=end={:.3},asplit=2[a1][a2]\n",
            inputs.audio[0], sb.duration
        );
    }
    let mut g = String::new();
    for (k, input) in inputs.audio.iter().enumerate() {
        let d = sb.scenes[k].duration;
        g.push_str(&format!(
            "[{input}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=mono,atrim=end={d:.3},apad=whole_dur={d:.3}[sa{k}];\n"
        ));
    }
    for k in 0..inputs.audio.len() {
        g.push_str(&format!("[sa{k}]"));
    }
    g.push_str(&format!(
        "concat=n={}:v=0:a=1,asplit=2[a1][a2]\n",
        inputs.audio.len()
    ));
    g
}

/// One output's encoder settings: the graph's `video` and `audio` labels into `out`.
fn encoder_args(out: &str, video: &str, audio: &str, total: f64) -> Vec<String> {
    vec![
        "-map".into(),
        format!("[{video}]"),
        "-map".into(),
        format!("[{audio}]"),
        "-c:v".into(),
        "libx264".into(),
        // Slides are static: ultrafast costs ~25% less CPU than superfast for files that
        // are still small (≈0.5 MB per 30 s at 720p).
        "-preset".into(),
        "ultrafast".into(),
        "-crf".into(),
        "23".into(),
        "-pix_fmt".into(),
        "yuv420p".into(),
        "-c:a".into(),
        "aac".into(),
        "-b:a".into(),
        "96k".into(),
        "-t".into(),
        format!("{total:.3}"),
        "-movflags".into(),
        "+faststart".into(),
        out.into(),
    ]
}

/// Runs the one ffmpeg that writes `video.tmp.mp4` and `captioned.tmp.mp4`, reporting progress
/// from its `-progress` output (0.1 → 0.95) and killing it when cancelled.
async fn encode(
    dir: &Path,
    inputs: &[String],
    graph_file: &Path,
    total: f64,
    progress: &impl Fn(f64),
    cancel: &CancellationToken,
) -> Result<(), RenderError> {
    let mut args: Vec<String> = vec![
        "-hide_banner".into(),
        "-loglevel".into(),
        "error".into(),
        "-nostats".into(),
        "-y".into(),
        "-progress".into(),
        "pipe:1".into(),
    ];
    args.extend(inputs.iter().cloned());
    args.extend([
        "-filter_complex_script".into(),
        graph_file.display().to_string(),
    ]);
    let video = dir.join("video.tmp.mp4").display().to_string();
    let captioned = dir.join("captioned.tmp.mp4").display().to_string();
    args.extend(encoder_args(&video, "vout", "a1", total));
    args.extend(encoder_args(&captioned, "vcap", "a2", total));

    // Run inside the output dir so the graph refers to files by relative, quote-free names.
    let mut child = Command::new("ffmpeg")
        .current_dir(dir)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| RenderError::Spawn {
            tool: "ffmpeg",
            source,
        })?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_task = tokio::spawn(async move {
        let mut s = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut s).await;
        s
    });
    let mut lines = BufReader::new(stdout).lines();
    let status = loop {
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(l)) => {
                    if let Some(us) = l.strip_prefix("out_time_us=").and_then(|v| v.trim().parse::<f64>().ok()) {
                        progress(0.1 + 0.85 * (us / 1e6 / total).clamp(0.0, 1.0));
                    }
                }
                _ => break child.wait().await?,
            },
            _ = cancel.cancelled() => {
                let _ = child.kill().await;
                return Err(RenderError::Cancelled);
            }
        }
    };
    let stderr_text = err_task.await.unwrap_or_default();
    if !status.success() {
        let tail: String = stderr_text
            .lines()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .join(" | ");
        return Err(RenderError::Tool {
            tool: "ffmpeg",
            detail: tail,
        });
    }
    Ok(())
}

/// `thumbnail.tmp.jpg`: the rendered video's frame at 1 s (half-way through a shorter one).
async fn thumbnail(dir: &Path, total: f64, cancel: &CancellationToken) -> Result<(), RenderError> {
    run(
        "ffmpeg",
        Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-ss"])
            .arg(format!("{:.3}", (total / 2.0).min(1.0)))
            .arg("-i")
            .arg(dir.join("video.tmp.mp4"))
            .args(["-frames:v", "1", "-q:v", "3"])
            .arg(dir.join("thumbnail.tmp.jpg")),
        cancel,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_and_srt_times() {
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(srt_time(61.5), "00:01:01,500");
        assert_eq!(mix("000000", "ffffff", 0.5), "808080");
        assert_eq!(mix("000000", "ff0000", 1.0), "ff0000");
    }
}
