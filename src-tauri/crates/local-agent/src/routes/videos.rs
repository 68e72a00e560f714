//! `/v3/videos`: get (re-signs URLs on every call), list, delete; plus the share page.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::pagination::parse;
use crate::routes::views::video_json;
use crate::state::AppState;
use crate::store::{Video, VideoStatus};

fn find(state: &AppState, id: &str) -> ApiResult<Video> {
    state
        .db()
        .videos
        .get(id)
        .filter(|v| !v.deleted)
        .cloned()
        .ok_or_else(|| ApiError::not_found("video_not_found", format!("Video {id} not found")))
}

/// `GET /v3/videos/{video_id}`
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let v = find(&state, &id)?;
    Ok(Json(json!({ "data": video_json(&state, &v) })))
}

#[derive(Debug, Default, Deserialize)]
pub struct VideoListQuery {
    pub limit: Option<String>,
    pub token: Option<String>,
    pub title: Option<String>,
}

/// `GET /v3/videos` — newest first, optional `title` substring filter; items are Video objects
/// (or bare, or fewer, per `Behaviour::video_list_bare` / `video_list_reach`).
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<VideoListQuery>,
) -> ApiResult<Json<Value>> {
    let name = format!("videos:{}", q.title.as_deref().unwrap_or(""));
    let page = parse(q.limit.as_deref(), q.token.as_deref(), 10, 100, &name)?;
    let needle = q.title.as_deref().unwrap_or("").to_lowercase();
    let items: Vec<Value> = {
        let db = state.db();
        let mut v: Vec<&Video> = db
            .videos
            .values()
            .filter(|v| !v.deleted)
            .filter(|v| {
                needle.is_empty()
                    || v.title
                        .as_deref()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(&needle)
            })
            .collect();
        v.sort_by_key(|v| std::cmp::Reverse(db.seq_of(&v.id)));
        let behaviour = state.behaviour();
        if behaviour.video_list_reach > 0 {
            v.truncate(behaviour.video_list_reach);
        }
        v.into_iter()
            .map(|v| match behaviour.video_list_bare {
                true => json!({"id": v.id, "title": v.title, "created_at": v.created_at}),
                false => video_json(&state, v),
            })
            .collect()
    };
    Ok(Json(crate::pagination::envelope(items, page, &name)))
}

/// `DELETE /v3/videos/{video_id}`
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let v = find(&state, &id)?;
    if matches!(v.status, VideoStatus::Pending | VideoStatus::Processing) {
        return Err(ApiError::conflict(
            "conflict",
            "the video is still rendering; stop its session first",
        ));
    }
    state.update(|db| {
        if let Some(v) = db.videos.get_mut(&id) {
            v.deleted = true;
        }
    });
    let _ = tokio::fs::remove_dir_all(state.videos_dir().join(&id)).await;
    Ok(Json(json!({"data": {"id": id, "deleted": true}})))
}

/// `GET /share/{video_id}` — the `video_page_url` target: a minimal player page.
pub async fn share_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Html<String>> {
    let v = find(&state, &id)?;
    if v.status != VideoStatus::Completed {
        return Err(ApiError::not_found("video_not_found", "video is not ready"));
    }
    let title = v.title.unwrap_or_default().replace('<', "&lt;");
    let src = state.video_file_url(&id, "video.mp4").replace('&', "&amp;");
    Ok(Html(format!(
        "<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><video controls width=960 src=\"{src}\"></video>"
    )))
}
