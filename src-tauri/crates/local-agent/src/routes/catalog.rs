//! Catalogue endpoints: styles, brand kits, avatars, avatar looks, voices.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog::{self, AVATAR_GROUPS, BRAND_KITS, LOOKS, VOICES};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{envelope, parse};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct CatalogQuery {
    pub limit: Option<String>,
    pub token: Option<String>,
    pub tag: Option<String>,
    pub ownership: Option<String>,
    pub group_id: Option<String>,
    pub avatar_type: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub language: Option<String>,
    pub gender: Option<String>,
}

fn check_enum(name: &str, v: &Option<String>, allowed: &[&str]) -> ApiResult<()> {
    match v {
        // An empty value is not one of them either.
        Some(x) if !allowed.contains(&x.as_str()) => Err(ApiError::invalid(
            name,
            format!("{name} must be one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// `GET /v3/video-agents/styles`
pub async fn styles(
    State(state): State<AppState>,
    Query(q): Query<CatalogQuery>,
) -> ApiResult<Json<Value>> {
    let page = parse(
        q.limit.as_deref(),
        q.token.as_deref(),
        20,
        100,
        &format!("styles:{}", q.tag.as_deref().unwrap_or("")),
    )?;
    let items: Vec<Value> = catalog::listed_styles(state.extra_styles())
        .filter(|s| match q.tag.as_deref() {
            Some(t) if !t.is_empty() => s.tags.contains(&t),
            _ => true,
        })
        .map(|s| {
            // Synthetic styles' thumbnails are drawn in-process as PNG (no ffmpeg each).
            let thumbnail = if crate::synthetic_styles::index(s.id).is_some() {
                "thumbnail.png"
            } else {
                "thumbnail.jpg"
            };
            catalog::style_json(
                s,
                state.public_url(&format!("/cdn/styles/{}/{thumbnail}", s.id)),
                state.public_url(&format!("/cdn/styles/{}/preview.mp4", s.id)),
            )
        })
        .collect();
    Ok(Json(envelope(
        items,
        page,
        &format!("styles:{}", q.tag.as_deref().unwrap_or("")),
    )))
}

/// `GET /v3/brand-kits`
pub async fn brand_kits(Query(q): Query<CatalogQuery>) -> ApiResult<Json<Value>> {
    let page = parse(
        q.limit.as_deref(),
        q.token.as_deref(),
        20,
        100,
        "brand-kits",
    )?;
    let items = BRAND_KITS
        .iter()
        .map(|b| json!({"brand_kit_id": b.id, "name": b.name, "colors": b.colors, "logo_url": Value::Null}))
        .collect();
    Ok(Json(envelope(items, page, "brand-kits")))
}

/// `GET /v3/avatars` — avatar groups.
pub async fn avatars(
    State(state): State<AppState>,
    Query(q): Query<CatalogQuery>,
) -> ApiResult<Json<Value>> {
    check_enum("ownership", &q.ownership, &["public", "private"])?;
    let list = format!("avatars:{}", q.ownership.as_deref().unwrap_or(""));
    let page = parse(q.limit.as_deref(), q.token.as_deref(), 20, 50, &list)?;
    let items = AVATAR_GROUPS
        .iter()
        .filter(|g| match q.ownership.as_deref() {
            Some("public") => !g.private,
            Some("private") => g.private,
            _ => true,
        })
        .map(|g| {
            json!({
                "id": g.id,
                "name": g.name,
                "created_at": g.created_at,
                "looks_count": LOOKS.iter().filter(|l| l.group_id == g.id).count(),
                "gender": g.gender,
                "preview_image_url": state.public_url(&format!("/cdn/avatars/{}/preview.png", g.id)),
                "preview_video_url": Value::Null,
                "default_voice_id": g.default_voice_id,
            })
        })
        .collect();
    Ok(Json(envelope(items, page, &list)))
}

/// `GET /v3/avatars/looks` — a look's `id` is what `avatar_id` takes.
pub async fn looks(
    State(state): State<AppState>,
    Query(q): Query<CatalogQuery>,
) -> ApiResult<Json<Value>> {
    check_enum("ownership", &q.ownership, &["public", "private"])?;
    check_enum(
        "avatar_type",
        &q.avatar_type,
        &["studio_avatar", "digital_twin", "photo_avatar"],
    )?;
    let list = format!(
        "looks:{}:{}:{}",
        q.group_id.as_deref().unwrap_or(""),
        q.avatar_type.as_deref().unwrap_or(""),
        q.ownership.as_deref().unwrap_or("")
    );
    let page = parse(q.limit.as_deref(), q.token.as_deref(), 20, 50, &list)?;
    let items = LOOKS
        .iter()
        .filter(|l| q.group_id.as_deref().map(|g| g.is_empty() || g == l.group_id).unwrap_or(true))
        .filter(|l| q.avatar_type.as_deref().map(|t| t.is_empty() || t == l.avatar_type).unwrap_or(true))
        .filter(|l| {
            let private = catalog::group(l.group_id).map(|g| g.private).unwrap_or(false);
            match q.ownership.as_deref() {
                Some("public") => !private,
                Some("private") => private,
                _ => true,
            }
        })
        .map(|l| {
            let g = catalog::group(l.group_id);
            json!({
                "id": l.id,
                "name": l.name,
                "avatar_type": l.avatar_type,
                "group_id": l.group_id,
                "gender": g.map(|g| g.gender),
                "preview_image_url": state.public_url(&format!("/cdn/avatars/{}/preview.png", l.id)),
                "preview_video_url": Value::Null,
                "default_voice_id": g.map(|g| g.default_voice_id),
                "preferred_orientation": l.orientation,
                "image_width": 400,
                "image_height": 400,
                "supported_api_engines": ["local"],
                "tags": [l.avatar_type],
                "status": catalog::readiness(l.id).0,
                "consent_status": catalog::readiness(l.id).1,
            })
        })
        .collect();
    Ok(Json(envelope(items, page, &list)))
}

/// `GET /v3/voices`
pub async fn voices(
    State(state): State<AppState>,
    Query(q): Query<CatalogQuery>,
) -> ApiResult<Json<Value>> {
    check_enum("type", &q.kind, &["public", "private"])?;
    let list = format!(
        "voices:{}:{}:{}",
        q.kind.as_deref().unwrap_or(""),
        q.language.as_deref().unwrap_or(""),
        q.gender.as_deref().unwrap_or("")
    );
    let page = parse(q.limit.as_deref(), q.token.as_deref(), 20, 100, &list)?;
    let items = VOICES
        .iter()
        .filter(|v| match q.kind.as_deref() {
            Some("public") => !v.private,
            Some("private") => v.private,
            _ => true,
        })
        .filter(|v| {
            q.language
                .as_deref()
                .map(|l| {
                    l.is_empty()
                        || l.eq_ignore_ascii_case(v.language)
                        || l.eq_ignore_ascii_case(v.locale)
                })
                .unwrap_or(true)
        })
        .filter(|v| {
            q.gender
                .as_deref()
                .map(|g| g.is_empty() || g.eq_ignore_ascii_case(v.gender))
                .unwrap_or(true)
        })
        .map(|v| {
            json!({
                "voice_id": v.id,
                "name": v.name,
                "language": v.language,
                "gender": v.gender,
                "support_pause": true,
                "support_locale": v.locale != v.language,
                "type": if v.private { "private" } else { "public" },
                "preview_audio_url": state.public_url(&format!("/cdn/voices/{}/preview.mp3", v.id)),
                "locale": v.locale,
            })
        })
        .collect();
    Ok(Json(envelope(items, page, &list)))
}
