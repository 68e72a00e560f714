//! Rendering a storyboard to files with ffmpeg (and espeak-ng for narration):
//! `video.mp4` (H.264/AAC), `captioned.mp4` (subtitles burned in), `thumbnail.jpg`,
//! `subtitles.srt`. Scenes are drawn with lavfi `color` + `drawtext` + `overlay`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use crate::planner::Storyboard;

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

/// Renders all outputs into `job.out_dir`; calls `progress` with 0..1 while encoding.
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
    let total = sb.duration;
    let (w, h) = (sb.width, sb.height);
    let portrait = h > w;
    // 1:1 styles and "make it square" requests: 720×720 with its own, tighter layout.
    let square = h == w;

    // 1. Narration per scene.
    let voice = crate::catalog::voice(&sb.voice_id)
        .map(|v| v.espeak)
        .unwrap_or("en-us");
    let mut spoken = Vec::new();
    let mut wavs: Vec<Option<PathBuf>> = Vec::new();
    for scene in &sb.scenes {
        if !job.espeak {
            spoken.push(scene.duration);
            wavs.push(None);
            continue;
        }
        let tf = work.join(format!("narration_{}.txt", scene.index));
        tokio::fs::write(&tf, &scene.narration).await?;
        let wav = work.join(format!("narration_{}.wav", scene.index));
        let secs = narrate(voice, &tf, &wav, scene.duration - 0.25, cancel).await?;
        spoken.push(secs);
        wavs.push(Some(wav));
    }
    if !job.espeak {
        notes.push("espeak-ng is not installed, so this video has a silent soundtrack. Install espeak-ng for narration.".to_string());
    }
    progress(0.1);

    // 2. Subtitles.
    tokio::fs::write(dir.join("subtitles.tmp.srt"), srt(sb, &spoken)).await?;

    // 3. Filter graph.
    let (font, bold) = fonts(&sb.typeface);
    let (fg, accent) = (&sb.palette.fg, &sb.palette.accent);
    let mut inputs: Vec<String> = vec![
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        format!("color=c=0x{}:s={w}x{h}:r={FPS}:d={total:.3}", sb.palette.bg),
    ];
    let mut next_input = 1;
    let presenter_input = job.presenter.as_ref().map(|p| {
        inputs.extend(["-i".into(), p.display().to_string()]);
        next_input += 1;
        next_input - 1
    });
    let mut image_inputs: Vec<(usize, usize)> = Vec::new();
    for (si, scene) in sb.scenes.iter().enumerate() {
        if let Some(path) = scene
            .image_asset_id
            .as_ref()
            .and_then(|id| job.images.get(id))
        {
            inputs.extend(["-i".into(), path.display().to_string()]);
            image_inputs.push((si, next_input));
            next_input += 1;
        }
    }
    let mut audio_inputs = Vec::new();
    if job.espeak {
        for wav in wavs.iter().flatten() {
            inputs.extend(["-i".into(), wav.display().to_string()]);
            audio_inputs.push(next_input);
            next_input += 1;
        }
    } else {
        inputs.extend([
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            "anullsrc=r=44100:cl=mono".into(),
        ]);
        audio_inputs.push(next_input);
    }

    let mut g = String::new();
    // Layout boxes.
    let (img_x, img_y, img_w, img_h) = if portrait {
        (60, 600, 600, 340)
    } else if square {
        (410, 150, 270, 250)
    } else {
        (700, 150, 520, 300)
    };
    let (pr_w, pr_h) = if square { (160, 256) } else { (200, 320) };
    let (pr_x, pr_y) = if portrait {
        (260, h - pr_h)
    } else {
        (w - pr_w - if square { 30 } else { 40 }, h - pr_h)
    };
    let (head_size, body_size) = if portrait {
        (50, 34)
    } else if square {
        (44, 26)
    } else {
        (54, 32)
    };
    let text_w = if portrait {
        600
    } else if square {
        310
    } else {
        580
    };
    let head_w = if portrait || square { 610.0 } else { 1100.0 };
    let body_chars = ((text_w as f64) / (body_size as f64 * 0.56)) as usize;
    let head_chars = (head_w / (head_size as f64 * 0.6)) as usize;
    // Where the heading, its rule and the body go (a heading that wraps pushes the rest down).
    let (head_y, rule_y, body_y, wrap_push) = if portrait {
        (110, 230, 270, 0)
    } else if square {
        (50, 112, 145, 52)
    } else {
        (60, 140, 190, 64)
    };

    g.push_str(&format!(
        "[0:v]drawbox=x=0:y=0:w={w}:h=12:color=0x{accent}:t=fill,drawbox=x=0:y={}:w={w}:h=6:color=0x{accent}@0.6:t=fill[base];\n",
        h - 6
    ));
    let mut last = "base".to_string();
    for (k, (si, input)) in image_inputs.iter().enumerate() {
        let s = &sb.scenes[*si];
        g.push_str(&format!(
            "[{input}:v]scale=w={img_w}:h={img_h}:force_original_aspect_ratio=decrease,format=rgba[img{k}];\n[{last}][img{k}]overlay=x={img_x}+({img_w}-overlay_w)/2:y={img_y}+({img_h}-overlay_h)/2:enable='between(t,{:.3},{:.3})'[im{k}];\n",
            s.start,
            s.start + s.duration
        ));
        last = format!("im{k}");
    }
    if let Some(pi) = presenter_input {
        g.push_str(&format!(
            "[{pi}:v]scale={pr_w}:{pr_h},format=rgba[pr];\n[{last}][pr]overlay=x={pr_x}:y={pr_y}[withpr];\n"
        ));
        last = "withpr".into();
    }
    g.push_str(&format!("[{last}]"));
    let mut filters: Vec<String> = Vec::new();
    for s in &sb.scenes {
        let (a, b) = (s.start, s.start + s.duration);
        let enable = format!("enable='between(t,{a:.3},{b:.3})'");
        let hf = work.join(format!("heading_{}.txt", s.index));
        let bf = work.join(format!("body_{}.txt", s.index));
        let cf = work.join(format!("counter_{}.txt", s.index));
        tokio::fs::write(&hf, wrap(&s.heading, head_chars)).await?;
        tokio::fs::write(&bf, wrap(&s.text, body_chars)).await?;
        tokio::fs::write(&cf, format!("{} / {}", s.index + 1, sb.scenes.len())).await?;
        let has_image = s
            .image_asset_id
            .as_ref()
            .is_some_and(|id| job.images.contains_key(id));
        if !has_image {
            // No picture for this scene: a tinted panel with the scene number keeps the layout whole.
            let nf = work.join(format!("number_{}.txt", s.index));
            tokio::fs::write(&nf, format!("{:02}", s.index + 1)).await?;
            // Opaque pre-mixed colours: alpha blending every frame costs noticeably more.
            let (fill, edge) = (
                mix(&sb.palette.bg, accent, 0.16),
                mix(&sb.palette.bg, accent, 0.6),
            );
            filters.push(format!(
                "drawbox=x={img_x}:y={img_y}:w={img_w}:h={img_h}:color=0x{fill}:t=fill:{enable}"
            ));
            filters.push(format!(
                "drawbox=x={img_x}:y={img_y}:w={img_w}:h={img_h}:color=0x{edge}:t=3:{enable}"
            ));
            filters.push(format!(
                "drawtext={}textfile='{}':fontcolor=0x{accent}:fontsize={}:x={img_x}+({img_w}-text_w)/2:y={img_y}+({img_h}-text_h)/2:{enable}",
                font_opt(&bold),
                rel(&nf),
                img_h / 2
            ));
        }
        filters.push(format!(
            "drawtext={}textfile='{}':fontcolor=0x{fg}:fontsize={head_size}:x=60:y={}:line_spacing=8:{enable}",
            font_opt(&bold),
            rel(&hf),
            head_y
        ));
        filters.push(format!(
            "drawbox=x=60:y={}:w=120:h=6:color=0x{accent}:t=fill:{enable}",
            rule_y
                + if s.heading.len() > head_chars {
                    wrap_push
                } else {
                    0
                }
        ));
        filters.push(format!(
            "drawtext={}textfile='{}':fontcolor=0x{fg}:fontsize={body_size}:x=60:y={}:line_spacing=12:{enable}",
            font_opt(&font),
            rel(&bf),
            body_y + if s.heading.len() > head_chars { wrap_push } else { 0 }
        ));
        filters.push(format!(
            "drawtext={}textfile='{}':fontcolor=0x{fg}@0.7:fontsize=22:x=60:y={}:{enable}",
            font_opt(&font),
            rel(&cf),
            h - 50
        ));
    }
    filters.push("format=yuv420p".into());
    filters.push("split=2[vout][vcapin]".into());
    g.push_str(&filters.join(",\n"));
    g.push_str(";\n");
    let sub_size = if portrait {
        12
    } else if square {
        14
    } else {
        16
    };
    // libass measures margins on a 288-line canvas; in portrait, lift captions above the presenter.
    let sub_margin = if portrait { 84 } else { 24 };
    g.push_str(&format!(
        "[vcapin]subtitles=filename='{}':force_style='FontName=DejaVu Sans,FontSize={sub_size},PrimaryColour=&H00FFFFFF,BackColour=&H80000000,BorderStyle=4,Outline=0,Shadow=0,MarginV={sub_margin}'[vcap];\n",
        "subtitles.tmp.srt"
    ));
    // Audio: each scene's narration trimmed/padded to the scene, then concatenated.
    if job.espeak {
        for (k, input) in audio_inputs.iter().enumerate() {
            let d = sb.scenes[k].duration;
            g.push_str(&format!(
                "[{input}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=mono,atrim=end={d:.3},apad=whole_dur={d:.3}[sa{k}];\n"
            ));
        }
        for k in 0..audio_inputs.len() {
            g.push_str(&format!("[sa{k}]"));
        }
        g.push_str(&format!(
            "concat=n={}:v=0:a=1,asplit=2[a1][a2]\n",
            audio_inputs.len()
        ));
    } else {
        g.push_str(&format!(
            "[{}:a]atrim=end={total:.3},asplit=2[a1][a2]\n",
            audio_inputs[0]
        ));
    }
    let graph_file = work.join("graph.txt");
    tokio::fs::write(&graph_file, &g).await?;

    let video_tmp = dir.join("video.tmp.mp4");
    let cap_tmp = dir.join("captioned.tmp.mp4");
    let enc = |out: &Path, v: &str, a: &str| -> Vec<String> {
        vec![
            "-map".into(),
            format!("[{v}]"),
            "-map".into(),
            format!("[{a}]"),
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
            out.display().to_string(),
        ]
    };
    let mut args: Vec<String> = vec![
        "-hide_banner".into(),
        "-loglevel".into(),
        "error".into(),
        "-nostats".into(),
        "-y".into(),
        "-progress".into(),
        "pipe:1".into(),
    ];
    args.extend(inputs);
    args.extend([
        "-filter_complex_script".into(),
        graph_file.display().to_string(),
    ]);
    args.extend(enc(&video_tmp, "vout", "a1"));
    args.extend(enc(&cap_tmp, "vcap", "a2"));

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

    // 4. Thumbnail from the rendered video.
    let thumb_tmp = dir.join("thumbnail.tmp.jpg");
    run(
        "ffmpeg",
        Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-ss"])
            .arg(format!("{:.3}", (total / 2.0).min(1.0)))
            .arg("-i")
            .arg(&video_tmp)
            .args(["-frames:v", "1", "-q:v", "3"])
            .arg(&thumb_tmp),
        cancel,
    )
    .await?;

    let duration = probe_duration(&video_tmp).await.unwrap_or(total);
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

pub async fn probe_duration(path: &Path) -> Option<f64> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .await
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
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
