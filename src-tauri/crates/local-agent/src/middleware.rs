//! Cross-cutting layers: `X-Request-Id` on every response, per-route request counting, and
//! durable writes.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Outermost layer, so injected faults and 404s carry an id too.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("req_{}", crate::util::random_secret(10));
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// Route layer: counts requests per `"METHOD /route/{template}"` for `/__admin/stats`.
pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    if !template.starts_with("/__admin") {
        state.count_request(format!("{} {}", req.method(), template));
    }
    next.run(req).await
}

/// Route layer: what the client was told happened survives a crash. State is otherwise written
/// in batches ~30 ms after a change; a create answered in that window and then lost to a SIGKILL
/// would leave the client polling a session that no longer exists (and break the idempotency
/// promise), so a successful write is on disk before its answer leaves.
pub async fn durable_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if writes && resp.status().is_success() {
        state.persist_now().await;
    }
    resp
}
