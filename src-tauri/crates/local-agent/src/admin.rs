//! `/__admin/*` (mounted with `Config::admin`, behind the agent's key): faults, stats, rendered-file details, big blobs for download
//! benchmarks, limits and account balance.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::faults::FaultConfig;
use crate::json_input::Body;
use crate::state::AppState;

/// `GET /__admin/faults`
pub async fn get_faults(State(state): State<AppState>) -> Json<FaultConfig> {
    Json(state.faults.get())
}

/// `POST /__admin/faults` — replaces the active set.
pub async fn set_faults(
    State(state): State<AppState>,
    body: Bytes,
) -> ApiResult<Json<FaultConfig>> {
    let cfg: FaultConfig = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("invalid fault config: {e}")))?;
    state.faults.replace(cfg.clone());
    Ok(Json(cfg))
}

/// `DELETE /__admin/faults`
pub async fn clear_faults(State(state): State<AppState>) -> Json<FaultConfig> {
    state.faults.replace(FaultConfig::default());
    Json(FaultConfig::default())
}

/// `GET /__admin/stats`
pub async fn stats(State(state): State<AppState>) -> Json<Value> {
    let requests = state
        .stats
        .requests
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let db = state.db();
    Json(json!({
        "creates": state.stats.creates.load(Ordering::SeqCst),
        "requests": requests,
        "bytes_served": state.stats.bytes_served.load(Ordering::Relaxed),
        "active_jobs": db.active_jobs(),
        "max_active_jobs": state.max_active_jobs(),
        "sessions": db.sessions.len(),
        "videos": db.videos.len(),
        "espeak_available": state.espeak_available,
    }))
}

async fn file_info(path: std::path::PathBuf) -> Value {
    let p2 = path.clone();
    let r = tokio::task::spawn_blocking(move || -> std::io::Result<(u64, String)> {
        use sha2::Digest;
        use std::io::Read;
        let mut f = std::fs::File::open(&p2)?;
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut n = 0u64;
        loop {
            let k = f.read(&mut buf)?;
            if k == 0 {
                break;
            }
            n += k as u64;
            h.update(&buf[..k]);
        }
        Ok((n, hex::encode(h.finalize())))
    })
    .await;
    match r {
        Ok(Ok((size, sha))) => {
            json!({"path": path.display().to_string(), "size_bytes": size, "sha256": sha})
        }
        _ => Value::Null,
    }
}

/// `GET /__admin/videos/{video_id}` — sizes and SHA-256 of the rendered files.
pub async fn video_files(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !state.db().videos.contains_key(&id) {
        return Err(ApiError::not_found("video_not_found", "video not found"));
    }
    let dir = state.videos_dir().join(crate::hostile::disk_name(&id));
    Ok(Json(json!({
        "video_id": id,
        "files": {
            "video": file_info(dir.join("video.mp4")).await,
            "thumbnail": file_info(dir.join("thumbnail.jpg")).await,
            "subtitles": file_info(dir.join("subtitles.srt")).await,
            "captioned_video": file_info(dir.join("captioned.mp4")).await,
        }
    })))
}

/// `POST /__admin/blobs {"size_bytes": N}` — a signed CDN URL serving N deterministic bytes
/// (byte i = i mod 251), generated on the fly so even 2 GB costs no disk and no memory.
pub async fn create_blob(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let size = b
        .opt_u64("size_bytes")?
        .ok_or_else(|| ApiError::invalid("size_bytes", "size_bytes is required"))?;
    // `path` is the CDN path (there is no file on disk).
    let path = format!("/cdn/blobs/blob_{size}.bin");
    let url = state.signed_url(&path);
    Ok(Json(json!({"url": url, "size_bytes": size, "path": path})))
}

/// `POST /__admin/limits {"max_active_jobs": n}`
pub async fn set_limits(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    if let Some(n) = b.opt_u64("max_active_jobs")? {
        state.max_active_jobs.store(n as usize, Ordering::SeqCst);
    }
    Ok(Json(json!({"max_active_jobs": state.max_active_jobs()})))
}

/// `POST /__admin/account {"remaining_balance": x}`
pub async fn set_account(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let v =
        b.0.get("remaining_balance")
            .and_then(|v| v.as_f64())
            .ok_or_else(|| {
                ApiError::invalid("remaining_balance", "remaining_balance must be a number")
            })?;
    state.update(|db| db.account.remaining_balance = v);
    Ok(Json(json!({"remaining_balance": v})))
}

/// `GET /__admin/behaviour` — the HeyGen-fidelity switches (see `behaviour.rs`).
pub async fn get_behaviour(State(state): State<AppState>) -> Json<crate::behaviour::Behaviour> {
    Json(state.behaviour())
}

/// `POST /__admin/behaviour` — a partial object: only the fields named change.
pub async fn set_behaviour(
    State(state): State<AppState>,
    body: Bytes,
) -> ApiResult<Json<crate::behaviour::Behaviour>> {
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("invalid JSON: {e}")))?;
    let b = state
        .behaviour()
        .patched(&patch)
        .map_err(|e| ApiError::invalid("body", e))?;
    state.set_behaviour(b.clone());
    Ok(Json(b))
}

/// `GET /__admin/sessions` — every session, oldest first, with its prompt (for soak checks
/// such as "exactly one session per prompt").
pub async fn sessions(State(state): State<AppState>) -> Json<Value> {
    let db = state.db();
    let mut all: Vec<_> = db.sessions.values().collect();
    all.sort_by_key(|s| db.seq_of(&s.id));
    let items: Vec<Value> = all
        .into_iter()
        .map(|s| {
            json!({
                "session_id": s.id,
                "prompt": s.params.prompt,
                "created_at": s.created_at,
                "status": s.status.as_str(),
                "video_id": s.video_id,
                "mode": match s.mode {
                    crate::store::Mode::Chat => "chat",
                    crate::store::Mode::Generate => "generate",
                },
            })
        })
        .collect();
    Json(json!({ "sessions": items }))
}
