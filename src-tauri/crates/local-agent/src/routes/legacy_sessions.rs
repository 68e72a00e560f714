//! The older interactive form under `/v3/video-agents/sessions` (spec §2.7), served on top of the
//! same sessions: `auto_proceed: true` runs straight through; otherwise it pauses like chat mode.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::Credential;
use crate::error::ApiResult;
use crate::json_input::Body;
use crate::routes::video_agents::{create_session, find_session, handle_message, stop_session};
use crate::routes::views::{resource_json, session_json};
use crate::state::AppState;
use crate::store::Mode;

/// `POST /v3/video-agents/sessions`
pub async fn create(
    State(state): State<AppState>,
    Extension(cred): Extension<Credential>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let auto = b.opt_bool("auto_proceed")?.unwrap_or(false);
    let mode = if auto { Mode::Generate } else { Mode::Chat };
    let s = create_session(&state, &cred, &b, mode, true).await?;
    Ok(Json(json!({ "data": session_json(&s, true) })))
}

/// `GET /v3/video-agents/sessions/{id}`
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let s = find_session(&state, &id)?;
    Ok(Json(json!({ "data": session_json(&s, true) })))
}

/// `POST /v3/video-agents/sessions/{id}/messages`
pub async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let auto = b.opt_bool("auto_proceed")?.unwrap_or(false);
    let (run_id, title) = handle_message(&state, &id, &b, auto).await?;
    Ok(Json(
        json!({"data": {"session_id": id, "run_id": run_id, "title": title}}),
    ))
}

/// Query of the older resources list: a `cursor` (the newer lists' `token` is accepted too).
#[derive(Debug, Default, serde::Deserialize)]
pub struct ResourcesQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub token: Option<String>,
}

/// `GET /v3/video-agents/sessions/{id}/resources` → `{"data": {"resources": [...],
/// "next_cursor": string|null}}` — this interim form paged with a cursor, not `has_more`.
pub async fn resources(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ResourcesQuery>,
) -> ApiResult<Json<Value>> {
    let list = format!("session-resources:{id}");
    let cursor = q.cursor.as_deref().or(q.token.as_deref());
    let page = crate::pagination::parse(q.limit.as_deref(), cursor, 20, 100, &list).map_err(
        |e| match (e.param.as_deref(), q.cursor.is_some()) {
            (Some("token"), true) => e.with_param("cursor"),
            _ => e,
        },
    )?;
    let s = find_session(&state, &id)?;
    let items: Vec<Value> = {
        let db = state.db();
        s.resource_ids
            .iter()
            .filter_map(|r| db.resources.get(r))
            .map(|r| resource_json(&state, &db, r))
            .collect()
    };
    let page = crate::pagination::envelope(items, page, &list);
    Ok(Json(json!({"data": {
        "resources": page["data"],
        "next_cursor": page["next_token"],
    }})))
}

/// `POST /v3/video-agents/sessions/{id}/stop`
pub async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    Body::parse(&body)?;
    stop_session(&state, &id)?;
    Ok(Json(json!({"data": {"session_id": id}})))
}
