//! The HTTP surface: `/v3` API (authenticated), presigned uploads, the CDN, share pages and
//! `/__admin` (only when asked for, behind the agent's key). Layers: request id (outermost) →
//! faults → JSON errors → routing → stats → auth → hostile names → durable writes → idempotency.

pub mod assets;
pub mod catalog;
pub mod direct_uploads;
pub mod legacy_sessions;
pub mod oauth;
pub mod users;
pub mod video_agents;
pub mod videos;
pub mod views;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

/// JSON bodies may carry base64 files (≤ 20 of them).
const JSON_BODY_LIMIT: usize = 256 * 1024 * 1024;

fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/v3/video-agents",
            post(video_agents::create).get(video_agents::list),
        )
        .route("/v3/video-agents/styles", get(catalog::styles))
        .route("/v3/video-agents/sessions", post(legacy_sessions::create))
        .route("/v3/video-agents/sessions/{id}", get(legacy_sessions::get))
        .route(
            "/v3/video-agents/sessions/{id}/messages",
            post(legacy_sessions::message),
        )
        .route(
            "/v3/video-agents/sessions/{id}/resources",
            get(legacy_sessions::resources),
        )
        .route(
            "/v3/video-agents/sessions/{id}/stop",
            post(legacy_sessions::stop),
        )
        .route(
            "/v3/video-agents/{session_id}",
            get(video_agents::get).post(video_agents::message),
        )
        .route(
            "/v3/video-agents/{session_id}/stop",
            post(video_agents::stop),
        )
        .route(
            "/v3/video-agents/{session_id}/videos",
            get(video_agents::videos),
        )
        .route(
            "/v3/video-agents/{session_id}/resources/{resource_id}",
            get(video_agents::resource),
        )
        .route("/v3/brand-kits", get(catalog::brand_kits))
        .route(
            "/v3/assets",
            post(assets::upload)
                .get(assets::list)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/v3/assets/direct-uploads",
            post(direct_uploads::create_direct),
        )
        .route("/v3/assets/statuses", get(direct_uploads::statuses))
        .route(
            "/v3/assets/{asset_id}/complete",
            post(direct_uploads::complete),
        )
        .route("/v3/videos", get(videos::list))
        .route(
            "/v3/videos/{video_id}",
            get(videos::get).delete(videos::delete),
        )
        .route("/v3/avatars", get(catalog::avatars))
        .route("/v3/avatars/looks", get(catalog::looks))
        .route("/v3/voices", get(catalog::voices))
        .route("/v3/users/me", get(users::me))
        .route(
            "/v3/webhooks/endpoints",
            post(webhooks::create).get(webhooks::list),
        )
        .route(
            "/v3/webhooks/endpoints/{id}",
            axum::routing::patch(webhooks::patch).delete(webhooks::delete),
        )
        .route(
            "/v3/webhooks/endpoints/{id}/rotate-secret",
            post(webhooks::rotate),
        )
        .route("/v3/webhooks/event-types", get(webhooks::event_types))
        .route("/v3/webhooks/events", get(webhooks::events))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::idempotency::layer,
        ))
        // Outside idempotency, so the stored replay is on disk with the session it created.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::middleware::durable_writes,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::hostile::layer,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_key,
        ))
}

fn public() -> Router<AppState> {
    Router::new()
        .route(
            "/uploads/{asset_id}",
            put(direct_uploads::put_upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/cdn/v/{video_id}/{file}", get(crate::cdn::video_file))
        .route("/cdn/a/{asset_id}/{name}", get(crate::cdn::asset_file))
        .route("/cdn/blobs/{name}", get(crate::cdn::blob_file))
        .route("/cdn/styles/{id}/{file}", get(crate::media::style_file))
        .route("/cdn/avatars/{id}/{file}", get(crate::media::avatar_file))
        .route("/cdn/voices/{id}/{file}", get(crate::media::voice_file))
        .route("/share/{video_id}", get(videos::share_page))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_decide),
        )
        .route("/v1/oauth/token", post(oauth::token))
        .route("/v1/oauth/revoke", post(oauth::revoke))
}

fn admin() -> Router<AppState> {
    use crate::admin::*;
    Router::new()
        .route(
            "/__admin/faults",
            get(get_faults).post(set_faults).delete(clear_faults),
        )
        .route("/__admin/stats", get(stats))
        .route("/__admin/videos/{video_id}", get(video_files))
        .route("/__admin/blobs", post(create_blob))
        .route("/__admin/limits", post(set_limits))
        .route("/__admin/account", post(set_account))
        .route("/__admin/behaviour", get(get_behaviour).post(set_behaviour))
        .route("/__admin/sessions", get(sessions))
        .route(
            "/__admin/oauth",
            get(oauth::admin_get).post(oauth::admin_set),
        )
}

/// The whole surface; `/__admin/*` only when `admin` (and then behind the agent's key).
pub fn router(state: AppState, admin_routes: bool) -> Router {
    let mut router = Router::new().merge(api(&state)).merge(public());
    if admin_routes {
        router = router.merge(admin().route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_agent_key,
        )));
    }
    router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::middleware::count_requests,
        ))
        .fallback(|| async { ApiError::not_found("not_found", "no such route").into_response() })
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::json_errors::layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::faults::layer,
        ))
        .layer(axum::middleware::from_fn(crate::middleware::request_id))
        .with_state(state)
}
