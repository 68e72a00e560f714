//! Webhook endpoints (create/list/patch/delete/rotate), event types and event history.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

use crate::catalog::WEBHOOK_EVENT_TYPES;
use crate::error::{ApiError, ApiResult};
use crate::json_input::Body;
use crate::pagination::{envelope, ListQuery};
use crate::state::AppState;
use crate::store::WebhookEndpoint;
use crate::util::{iso8601, new_id, now_unix, random_secret};

fn endpoint_json(e: &WebhookEndpoint, with_secret: bool) -> Value {
    let mut j = json!({
        "endpoint_id": e.id,
        "url": e.url,
        "events": e.events,
        "status": if e.enabled { "enabled" } else { "disabled" },
        "created_at": iso8601(e.created_at),
    });
    if with_secret {
        j["secret"] = json!(e.secret);
    }
    j
}

fn check_url(u: &str) -> ApiResult<()> {
    if crate::util::is_http_url(u) {
        Ok(())
    } else {
        Err(ApiError::invalid("url", "url must be an http(s) URL"))
    }
}

fn check_events(events: &[String]) -> ApiResult<()> {
    if events.is_empty() {
        return Err(ApiError::invalid(
            "events",
            "events must name at least one event type",
        ));
    }
    for e in events {
        if !WEBHOOK_EVENT_TYPES.iter().any(|(t, _)| t == e) {
            return Err(ApiError::invalid(
                "events",
                format!("unknown event type {e}"),
            ));
        }
    }
    Ok(())
}

/// `POST /v3/webhooks/endpoints`
pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let url = b.req_str("url", 1, 2048)?;
    check_url(&url)?;
    let events = b.opt_str_array("events", 50)?.unwrap_or_else(|| {
        WEBHOOK_EVENT_TYPES
            .iter()
            .map(|(t, _)| t.to_string())
            .collect()
    });
    check_events(&events)?;
    let e = WebhookEndpoint {
        id: new_id("ep_"),
        url,
        events,
        enabled: true,
        created_at: now_unix(),
        secret: format!("whsec_{}", random_secret(24)),
    };
    state.update(|db| {
        db.next_seq(&e.id);
        db.webhook_endpoints.insert(e.id.clone(), e.clone());
    });
    Ok(Json(json!({ "data": endpoint_json(&e, true) })))
}

/// `GET /v3/webhooks/endpoints`
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(10, 100, "webhook-endpoints")?;
    let items = {
        let db = state.db();
        let mut v: Vec<&WebhookEndpoint> = db.webhook_endpoints.values().collect();
        v.sort_by_key(|e| std::cmp::Reverse(db.seq_of(&e.id)));
        v.into_iter().map(|e| endpoint_json(e, false)).collect()
    };
    Ok(Json(envelope(items, page, "webhook-endpoints")))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("not_found", format!("webhook endpoint {id} not found"))
}

/// `PATCH /v3/webhooks/endpoints/{id}` — `url`, `events`, `status`.
pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = Body::parse(&body)?;
    let url = b.opt_str("url", 2048)?;
    if let Some(u) = &url {
        check_url(u)?;
    }
    let events = b.opt_str_array("events", 50)?;
    if let Some(e) = &events {
        check_events(e)?;
    }
    let status = b.opt_enum("status", &["enabled", "disabled"])?;
    let e = state.update(|db| {
        let e = db.webhook_endpoints.get_mut(&id)?;
        if let Some(u) = url {
            e.url = u;
        }
        if let Some(ev) = events {
            e.events = ev;
        }
        if let Some(s) = status {
            e.enabled = s == "enabled";
        }
        Some(e.clone())
    });
    let e = e.ok_or_else(|| not_found(&id))?;
    Ok(Json(json!({ "data": endpoint_json(&e, false) })))
}

/// `DELETE /v3/webhooks/endpoints/{id}`
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let removed = state.update(|db| db.webhook_endpoints.remove(&id));
    removed.ok_or_else(|| not_found(&id))?;
    Ok(Json(json!({"data": {"endpoint_id": id, "deleted": true}})))
}

/// `POST /v3/webhooks/endpoints/{id}/rotate-secret`
pub async fn rotate(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let e = state.update(|db| {
        let e = db.webhook_endpoints.get_mut(&id)?;
        e.secret = format!("whsec_{}", random_secret(24));
        Some(e.clone())
    });
    let e = e.ok_or_else(|| not_found(&id))?;
    Ok(Json(json!({ "data": endpoint_json(&e, true) })))
}

/// `GET /v3/webhooks/event-types`
pub async fn event_types(Query(q): Query<ListQuery>) -> ApiResult<Json<Value>> {
    let page = q.page(20, 100, "event-types")?;
    let items = WEBHOOK_EVENT_TYPES
        .iter()
        .map(|(t, d)| json!({"event_type": t, "description": d}))
        .collect();
    Ok(Json(envelope(items, page, "event-types")))
}

/// `GET /v3/webhooks/events` — delivery history, newest first.
pub async fn events(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(10, 100, "webhook-events")?;
    let items = state
        .db()
        .webhook_events
        .iter()
        .rev()
        .map(|e| {
            json!({
                "event_id": e.id,
                "event_type": e.event_type,
                "event_data": e.event_data,
                "created_at": iso8601(e.created_at),
            })
        })
        .collect();
    Ok(Json(envelope(items, page, "webhook-events")))
}
