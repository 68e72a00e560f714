//! `/v3/video-agents…`: create, list, get, follow-up messages, stop, videos, resources.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Credential;
use crate::behaviour::CreateAnswer;
use crate::catalog;
use crate::changes;
use crate::error::{ApiError, ApiResult};
use crate::jobs;
use crate::json_input::Body;
use crate::pagination::ListQuery;
use crate::routes::assets::resolve_files;
use crate::routes::views::{resource_json, session_json, session_summary, video_json};
use crate::state::AppState;
use crate::store::{Mode, Session, SessionParams, SessionStatus, Step};
use crate::util::{new_id, now_unix};

pub const MAX_TEXT: usize = 10_000;
pub const MAX_FILES: usize = 20;

/// Validates ids that name catalogue entries.
fn check_ids(b: &Body) -> ApiResult<(Option<String>, Option<String>, Option<String>)> {
    let avatar_id = b.opt_str("avatar_id", 200)?;
    if let Some(a) = &avatar_id {
        if catalog::look(a).is_none() {
            return Err(ApiError::not_found(
                "avatar_not_found",
                format!("avatar look {a} not found"),
            )
            .with_param("avatar_id"));
        }
        if let Some(why) = catalog::unavailable_reason(a) {
            return Err(ApiError::invalid(
                "avatar_id",
                format!("avatar look {a} cannot be used yet: {why}"),
            ));
        }
    }
    let voice_id = b.opt_str("voice_id", 200)?;
    if let Some(v) = &voice_id {
        if catalog::voice(v).is_none() {
            return Err(
                ApiError::not_found("voice_not_found", format!("voice {v} not found"))
                    .with_param("voice_id"),
            );
        }
    }
    let brand_kit_id = b.opt_str("brand_kit_id", 200)?;
    if let Some(k) = &brand_kit_id {
        if catalog::brand_kit(k).is_none() {
            return Err(ApiError::invalid(
                "brand_kit_id",
                format!("brand kit {k} not found"),
            ));
        }
    }
    Ok((avatar_id, voice_id, brand_kit_id))
}

fn limit_error(max: usize) -> ApiError {
    ApiError::rate_limited(
        5,
        format!("You have reached the limit of {max} concurrent video jobs. Try again later."),
    )
}

/// Shared by the current create route and the older `/sessions` one.
pub async fn create_session(
    state: &AppState,
    cred: &Credential,
    b: &Body,
    mode: Mode,
    legacy: bool,
) -> ApiResult<Session> {
    let prompt = b.req_str("prompt", 1, MAX_TEXT)?;
    let (avatar_id, voice_id, brand_kit_id) = check_ids(b)?;
    let style_id = b.opt_str("style_id", 200)?;
    if let Some(s) = &style_id {
        if catalog::style(s).is_none() {
            return Err(ApiError::invalid(
                "style_id",
                format!("style {s} not found"),
            ));
        }
    }
    let orientation = b.opt_enum("orientation", &["landscape", "portrait"])?;
    let callback_url = b.opt_str("callback_url", 2048)?;
    if let Some(u) = &callback_url {
        if !crate::util::is_http_url(u) {
            return Err(ApiError::invalid(
                "callback_url",
                "callback_url must be an http(s) URL",
            ));
        }
    }
    let callback_id = b.opt_str("callback_id", 255)?;
    let incognito_mode = b.opt_bool("incognito_mode")?.unwrap_or(false);
    let files = b.opt_array("files", MAX_FILES)?.unwrap_or_default();
    if state.db().account.remaining_balance < 1.0 {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYMENT_REQUIRED,
            "insufficient_credit",
            "Your account has no credits left for a new video.",
        ));
    }
    // Refuse early (before fetching files) when at the limit; checked again atomically below.
    let max = state.max_active_jobs();
    if state.db().active_jobs() >= max {
        return Err(limit_error(max));
    }
    let attachments = resolve_files(state, files).await?;
    // HeyGen's own example answer to a one-shot create: `generating` with a `video_id`. The
    // video exists from now on (`pending`); the script is planned now and "thought about" by
    // the driver before rendering.
    let video_at_once = mode == Mode::Generate
        && !legacy
        && state.behaviour().create_answer == CreateAnswer::Generating;

    let id = crate::hostile::new_id("sess_", state.behaviour().hostile_names);
    let mut session = Session {
        id: id.clone(),
        mode,
        status: SessionStatus::Thinking,
        step: match mode {
            Mode::Generate => Step::Generate,
            // The older form has no `waiting_for_input`: it goes straight to a draft.
            Mode::Chat if voice_id.is_none() && !legacy => Step::AskQuestion,
            Mode::Chat => Step::Draft,
        },
        created_at: now_unix(),
        progress: 0,
        title: None,
        video_id: None,
        video_ids: Vec::new(),
        messages: Vec::new(),
        params: SessionParams {
            prompt: prompt.clone(),
            avatar_id,
            voice_id,
            style_id,
            brand_kit_id,
            orientation,
            attachments: attachments.clone(),
            callback_url,
            callback_id,
            incognito_mode,
        },
        revisions: Vec::new(),
        storyboard: None,
        resource_ids: Vec::new(),
        runs: 1,
        legacy,
        stop_requested: false,
    };
    session.push_message("user", "text", prompt);
    let planned = if video_at_once {
        Some(jobs::plan_for(state, &session.params, &[]).await)
    } else {
        None
    };
    let created = state.update(|db| {
        if db.active_jobs() >= max {
            return Err(limit_error(max));
        }
        for aid in &attachments {
            let rid = new_id("res_");
            db.next_seq(&rid);
            db.resources.insert(
                rid.clone(),
                crate::store::Resource {
                    id: rid.clone(),
                    session_id: id.clone(),
                    resource_type: db
                        .assets
                        .get(aid)
                        .map(|a| {
                            a.mime_type
                                .split('/')
                                .next()
                                .unwrap_or("file")
                                .replace("application", "document")
                        })
                        .unwrap_or_else(|| "file".into()),
                    source_type: Some("user_uploaded".into()),
                    // Which upload this is (HeyGen's metadata shape is unpublished: a hint).
                    metadata: Some(serde_json::json!({
                        "asset_id": aid,
                        "filename": db.assets.get(aid).map(|a| a.filename.clone()),
                    })),
                    asset_id: Some(aid.clone()),
                    video_id: None,
                    created_at: now_unix(),
                },
            );
            session.resource_ids.push(rid);
        }
        // The create's files belong to its first (user) message.
        if let Some(first) = session.messages.first_mut() {
            if !session.resource_ids.is_empty() {
                first.resource_ids = Some(session.resource_ids.clone());
            }
        }
        if let Some(sb) = planned {
            let vid = crate::hostile::new_id("", state.behaviour().hostile_names);
            db.next_seq(&vid);
            db.videos.insert(
                vid.clone(),
                crate::store::Video {
                    id: vid.clone(),
                    session_id: id.clone(),
                    title: None,
                    status: crate::store::VideoStatus::Pending,
                    created_at: now_unix(),
                    completed_at: None,
                    duration: None,
                    failure_code: None,
                    failure_message: None,
                    storyboard: sb,
                    deleted: false,
                },
            );
            session.status = SessionStatus::Generating;
            session.step = Step::Prepare;
            session.video_id = Some(vid.clone());
            session.video_ids.push(vid);
        }
        db.next_seq(&id);
        db.sessions.insert(id.clone(), session.clone());
        Ok(session.clone())
    })?;
    if created.params.callback_url.is_some() {
        state.remember_callback_secret(&id, &cred.0);
    }
    state.stats.creates.fetch_add(1, Ordering::SeqCst);
    jobs::spawn_driver(state, &id);
    Ok(created)
}

/// `POST /v3/video-agents`
pub async fn create(
    State(state): State<AppState>,
    Extension(cred): Extension<Credential>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let mode = match b.opt_enum("mode", &["generate", "chat"])?.as_deref() {
        Some("chat") => Mode::Chat,
        _ => Mode::Generate,
    };
    let s = create_session(&state, &cred, &b, mode, false).await?;
    Ok(Json(json!({"data": {
        "session_id": s.id,
        "status": s.status.as_str(),
        "video_id": s.video_id,
        "created_at": s.created_at,
    }})))
}

/// `GET /v3/video-agents`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(20, 100, "video-agents")?;
    let items: Vec<Value> = {
        let db = state.db();
        let mut v: Vec<&Session> = db.sessions.values().collect();
        v.sort_by_key(|s| std::cmp::Reverse(db.seq_of(&s.id)));
        let full = state.behaviour().full_list_items;
        v.into_iter().map(|s| session_summary(s, full)).collect()
    };
    Ok(Json(crate::pagination::envelope(
        items,
        page,
        "video-agents",
    )))
}

pub fn find_session(state: &AppState, id: &str) -> ApiResult<Session> {
    state
        .db()
        .sessions
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("not_found", format!("session {id} not found")))
}

/// `GET /v3/video-agents/{session_id}`
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let s = find_session(&state, &id)?;
    Ok(Json(json!({ "data": session_json(&s, false) })))
}

/// Applies a user's chat message; returns the run id.
pub async fn handle_message(
    state: &AppState,
    id: &str,
    b: &Body,
    force_approve: bool,
) -> ApiResult<(String, Option<String>)> {
    let message = b.req_str("message", 1, MAX_TEXT)?;
    let (avatar_id, voice_id, brand_kit_id) = check_ids(b)?;
    let files = b.opt_array("files", MAX_FILES)?.unwrap_or_default();
    let s = find_session(state, id)?;
    if s.mode != Mode::Chat {
        return Err(ApiError::conflict(
            "conflict",
            "follow-up messages are only accepted by chat sessions (mode: chat)",
        ));
    }
    match s.status {
        SessionStatus::Thinking | SessionStatus::Generating => {
            return Err(ApiError::conflict(
                "conflict",
                "the agent is still working on this session; wait until it asks for input",
            ))
        }
        SessionStatus::Failed => {
            return Err(ApiError::conflict(
                "conflict",
                "this session has failed or was stopped",
            ))
        }
        _ => {}
    }
    let has_overrides =
        avatar_id.is_some() || voice_id.is_some() || brand_kit_id.is_some() || !files.is_empty();
    let new_files = resolve_files(state, files).await?;
    // (run id, title, whether the agent starts working on it)
    let run = state.update(|db| {
        let s = db.sessions.get_mut(id)?;
        if let Some(a) = avatar_id {
            s.params.avatar_id = Some(a);
        }
        if let Some(v) = voice_id {
            s.params.voice_id = Some(v);
        }
        if let Some(k) = brand_kit_id {
            s.params.brand_kit_id = Some(k);
        }
        s.params.attachments.extend(new_files);
        s.push_message("user", "text", message.clone());
        s.runs += 1;
        match s.status {
            SessionStatus::WaitingForInput => {
                // The answer names a voice by word ("Finn, please"; not "Aria" in "variant"),
                // or leaves it to the agent.
                let answer = changes::interpret(&message);
                if let Some(v) = answer.voice_id {
                    s.params.voice_id = Some(v.to_string());
                } else if s.params.voice_id.is_none() {
                    s.params.voice_id = Some(catalog::DEFAULT_VOICE.to_string());
                }
                // It may ask for more ("Finn, and make it vertical"): the draft applies that too.
                let more = changes::ChangeRequest {
                    voice_id: None,
                    ..answer
                };
                if more.has_edits() {
                    s.revisions.push(message.clone());
                }
                s.step = Step::Draft;
            }
            SessionStatus::Reviewing if force_approve || jobs::is_approval(&message) => {
                s.step = Step::Generate
            }
            SessionStatus::Reviewing => {
                s.revisions.push(message.clone());
                s.step = Step::Draft;
            }
            _ => {
                // After completion: a change request makes a new video in the same session; a
                // message with nothing to change ("thanks!") is answered, not rendered again as
                // an identical video.
                if !has_overrides && !changes::interpret(&message).has_edits() {
                    s.push_message("model", "text", NOTHING_TO_REVISE);
                    return Some((format!("run_{:02}", s.runs), s.title.clone(), false));
                }
                s.revisions.push(message.clone());
                s.step = Step::Generate;
            }
        }
        // Progress restarts only for a new video; answering a question keeps it.
        if s.status == SessionStatus::Completed {
            s.progress = 0;
        }
        s.status = SessionStatus::Thinking;
        Some((format!("run_{:02}", s.runs), s.title.clone(), true))
    });
    let (run_id, title, working) =
        run.ok_or_else(|| ApiError::not_found("not_found", "session not found"))?;
    if working {
        jobs::spawn_driver(state, id);
    }
    Ok((run_id, title))
}

/// The answer to a message after completion that asks for nothing the agent can change.
const NOTHING_TO_REVISE: &str = "I did not find anything to change in that, so the video stays as \
     it is. For a new version, tell me what to change: for example “make it shorter”, “make it \
     vertical” or “use Finn's voice”.";

/// `POST /v3/video-agents/{session_id}`
pub async fn message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let (run_id, title) = handle_message(&state, &id, &b, false).await?;
    Ok(Json(
        json!({"data": {"session_id": id, "run_id": run_id, "title": title}}),
    ))
}

pub fn stop_session(state: &AppState, id: &str) -> ApiResult<()> {
    let s = find_session(state, id)?;
    if s.status.is_terminal() {
        return Ok(());
    }
    state.update(|db| {
        if let Some(s) = db.sessions.get_mut(id) {
            s.stop_requested = true;
        }
    });
    if s.status.is_active() {
        jobs::cancel_driver(state, id);
    }
    // Paused sessions (or a driver that already ended) are finished here.
    let paused = matches!(
        s.status,
        SessionStatus::WaitingForInput | SessionStatus::Reviewing
    );
    let has_driver = state
        .drivers
        .lock()
        .map(|d| d.contains_key(id))
        .unwrap_or(false);
    if paused || !has_driver {
        jobs::finish_stopped(state, id);
    }
    Ok(())
}

/// `POST /v3/video-agents/{session_id}/stop`
pub async fn stop(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    Body::parse(&body)?;
    stop_session(&state, &id)?;
    Ok(Json(json!({"data": {"session_id": id}})))
}

/// `GET /v3/video-agents/{session_id}/videos`
pub async fn videos(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(20, 100, &format!("session-videos:{id}"))?;
    let s = find_session(&state, &id)?;
    let items: Vec<Value> = {
        let db = state.db();
        s.video_ids
            .iter()
            .rev()
            .filter_map(|v| db.videos.get(v))
            .filter(|v| !v.deleted)
            .map(|v| video_json(&state, v))
            .collect()
    };
    Ok(Json(crate::pagination::envelope(
        items,
        page,
        &format!("session-videos:{id}"),
    )))
}

/// `GET /v3/video-agents/{session_id}/resources/{resource_id}`
pub async fn resource(
    State(state): State<AppState>,
    Path((id, rid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    find_session(&state, &id)?;
    let db = state.db();
    let r = db
        .resources
        .get(&rid)
        .filter(|r| r.session_id == id)
        .ok_or_else(|| ApiError::not_found("not_found", format!("resource {rid} not found")))?;
    Ok(Json(json!({ "data": resource_json(&state, &db, r) })))
}
