//! The local agent's render speed: one 30 s 720p video, from create to `completed`, with the
//! agent's simulated waits shrunk to nothing (start it with a huge `--time-scale`), vs the
//! video's real duration as `ffprobe` reads it.

use std::time::{Duration, Instant};

use heygen_api::models::{CreateVideoAgentRequest, VideoStatus};

use crate::error::{QaError, QaResult};
use crate::transfer::client_for;

#[derive(Debug)]
pub struct RenderReport {
    pub render_seconds: f64,
    pub video_seconds: f64,
    pub width: u64,
    pub height: u64,
}

impl RenderReport {
    /// How many times faster than real time.
    pub fn speed(&self) -> f64 {
        self.video_seconds / self.render_seconds.max(1e-9)
    }
}

/// `ffprobe` width, height and duration of a file.
pub fn probe(path: &std::path::Path) -> QaResult<(u64, u64, f64)> {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=width,height:format=duration", "-of", "json"])
        .arg(path)
        .output()
        .map_err(|e| QaError::io("running ffprobe", e))?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| QaError::Protocol(format!("ffprobe output: {e}")))?;
    let s = &v["streams"][0];
    let duration = v["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    Ok((
        s["width"].as_u64().unwrap_or(0),
        s["height"].as_u64().unwrap_or(0),
        duration,
    ))
}

pub async fn render_bench(base_url: &str, work: &std::path::Path) -> QaResult<RenderReport> {
    let client = client_for(base_url, "qa-render")?;
    let request = CreateVideoAgentRequest {
        prompt: "A 30-second landscape video about how honey bees pollinate crops.".into(),
        ..Default::default()
    };
    let started = Instant::now();
    let created = client.create_video_agent(&request, None).await?;
    let video_id = loop {
        let s = client.get_video_agent_session(&created.session_id).await?;
        if let Some(v) = s.video_id {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let video = loop {
        let v = client.get_video(&video_id).await?;
        match v.status {
            VideoStatus::Completed => break v,
            VideoStatus::Failed => {
                return Err(QaError::Protocol(format!(
                    "render failed: {:?}",
                    v.failure_message
                )))
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let render_seconds = started.elapsed().as_secs_f64();
    let url = video
        .video_url
        .ok_or_else(|| QaError::Protocol("completed video without a URL".into()))?;
    let dest = work.join("render-30s.mp4");
    let mut stream = client.download(&url, 0).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next_chunk().await {
        bytes.extend_from_slice(&chunk?);
    }
    std::fs::write(&dest, &bytes).map_err(|e| QaError::io("saving the render", e))?;
    let (width, height, video_seconds) = probe(&dest)?;
    Ok(RenderReport {
        render_seconds,
        video_seconds,
        width,
        height,
    })
}
