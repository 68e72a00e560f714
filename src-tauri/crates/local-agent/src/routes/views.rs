//! JSON shapes of sessions, videos and resources, exactly as the spec names their fields.

use serde_json::{json, Value};

use crate::state::AppState;
use crate::store::{Db, Resource, Session, SessionStatus, Video, VideoStatus};

pub const MAX_MESSAGES: usize = 40;

impl AppState {
    pub fn video_file_url(&self, video_id: &str, file: &str) -> String {
        let dir = crate::hostile::disk_name(video_id);
        self.signed_url(&format!("/cdn/v/{dir}/{file}"))
    }

    pub fn asset_url(&self, asset_id: &str) -> Option<String> {
        let db = self.db();
        let a = db.assets.get(asset_id)?;
        let ext = crate::routes::assets::ext_for_mime(&a.mime_type);
        Some(self.signed_url(&format!("/cdn/a/{}/file.{ext}", a.id)))
    }
}

/// Status under the older `/sessions` routes (spec §2.7).
fn legacy_status(s: SessionStatus) -> &'static str {
    match s {
        SessionStatus::Thinking | SessionStatus::WaitingForInput => "processing",
        other => other.as_str(),
    }
}

pub fn session_json(s: &Session, legacy: bool) -> Value {
    let messages: Vec<Value> = s
        .messages
        .iter()
        .rev()
        .take(MAX_MESSAGES)
        .map(|m| {
            json!({
                "role": m.role,
                "content": m.content,
                "type": m.kind,
                "created_at": m.created_at,
                "resource_ids": m.resource_ids,
            })
        })
        .collect();
    json!({
        "session_id": s.id,
        "status": if legacy { legacy_status(s.status) } else { s.status.as_str() },
        "created_at": s.created_at,
        "progress": s.progress,
        "title": s.title,
        "video_id": s.video_id,
        "messages": messages,
    })
}

/// A list item: HeyGen's carry only `session_id`, `created_at` and `title`; `full` adds the
/// older local extras (status, progress, video id, mode).
pub fn session_summary(s: &Session, full: bool) -> Value {
    if !full {
        return json!({"session_id": s.id, "created_at": s.created_at, "title": s.title});
    }
    json!({
        "session_id": s.id,
        "status": s.status.as_str(),
        "created_at": s.created_at,
        "progress": s.progress,
        "title": s.title,
        "video_id": s.video_id,
        "mode": match s.mode { crate::store::Mode::Chat => "chat", crate::store::Mode::Generate => "generate" },
    })
}

pub fn video_json(state: &AppState, v: &Video) -> Value {
    let done = v.status == VideoStatus::Completed;
    let url = |f: &str| {
        if done {
            json!(state.video_file_url(&v.id, f))
        } else {
            Value::Null
        }
    };
    json!({
        "id": v.id,
        "status": v.status.as_str(),
        "title": v.title,
        "created_at": v.created_at,
        "completed_at": v.completed_at,
        "duration": v.duration,
        "video_url": url("video.mp4"),
        "captioned_video_url": url("captioned.mp4"),
        "subtitle_url": url("subtitles.srt"),
        "thumbnail_url": url("thumbnail.jpg"),
        "gif_url": Value::Null,
        "video_page_url": if done { json!(state.public_url(&format!("/share/{}", v.id))) } else { Value::Null },
        "folder_id": Value::Null,
        "output_language": "en",
        "failure_code": v.failure_code,
        "failure_message": v.failure_message,
    })
}

pub fn resource_json(state: &AppState, db: &Db, r: &Resource) -> Value {
    let (url, preview, thumb) = if let Some(vid) = &r.video_id {
        match db.videos.get(vid) {
            Some(v) if v.status == VideoStatus::Completed && !v.deleted => (
                json!(state.video_file_url(vid, "video.mp4")),
                json!(state.video_file_url(vid, "captioned.mp4")),
                json!(state.video_file_url(vid, "thumbnail.jpg")),
            ),
            _ => (Value::Null, Value::Null, Value::Null),
        }
    } else if let Some(aid) = &r.asset_id {
        let a = db.assets.get(aid);
        let url = a.map(|a| {
            let ext = crate::routes::assets::ext_for_mime(&a.mime_type);
            state.signed_url(&format!("/cdn/a/{}/file.{ext}", a.id))
        });
        let is_image = a
            .map(|a| a.mime_type.starts_with("image/"))
            .unwrap_or(false);
        (
            json!(url),
            json!(url),
            if is_image { json!(url) } else { Value::Null },
        )
    } else if r.resource_type == "draft" {
        // A storyboard has no file; its style's thumbnail gives the card a picture.
        let thumb = r
            .metadata
            .as_ref()
            .and_then(|m| m["style_id"].as_str())
            .map(|s| json!(state.public_url(&format!("/cdn/styles/{s}/thumbnail.jpg"))))
            .unwrap_or(Value::Null);
        (Value::Null, Value::Null, thumb)
    } else {
        (Value::Null, Value::Null, Value::Null)
    };
    json!({
        "resource_id": r.id,
        "resource_type": r.resource_type,
        "source_type": r.source_type,
        "url": url,
        "preview_url": preview,
        "thumbnail_url": thumb,
        "created_at": r.created_at,
        "metadata": r.metadata,
    })
}
