//! `Idempotency-Key`: a repeat within 24 h replays the first response (marked with
//! `Idempotent-Replayed: true`); a repeat while the first is running gets 409 `request_in_progress`.
//! 429s and 5xx are not stored, since the request was not (fully) processed. Session creates
//! ignore the key unless `Behaviour::honour_create_idempotency` is set.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Credential;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::IdempotentResponse;

const TTL_SECS: i64 = 24 * 3600;
/// Simple uploads are at most 32 MB (plus multipart framing).
const MAX_FINGERPRINTED_BODY: usize = 40 * 1024 * 1024;

fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
}

struct InProgress<'a> {
    state: &'a AppState,
    key: String,
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        if let Ok(mut m) = self.state.idem_in_progress.lock() {
            m.remove(&self.key);
        }
    }
}

/// `POST /v3/video-agents` and the older `POST /v3/video-agents/sessions`.
fn is_session_create(method: &Method, path: &str) -> bool {
    method == Method::POST
        && matches!(
            path.trim_end_matches('/'),
            "/v3/video-agents" | "/v3/video-agents/sessions"
        )
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PATCH | Method::DELETE) {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get("idempotency-key") else {
        return next.run(req).await;
    };
    // HeyGen documents the key for uploads, videos and webhooks, not for session creates: by
    // default it is ignored there entirely (a repeat makes a second session).
    if is_session_create(req.method(), req.uri().path())
        && !state.behaviour().honour_create_idempotency
    {
        return next.run(req).await;
    }
    let Some(key) = raw
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_string)
    else {
        return ApiError::invalid(
            "Idempotency-Key",
            "Idempotency-Key must be 1-255 characters of A-Z a-z 0-9 _ - : .",
        )
        .into_response();
    };
    let cred = req
        .extensions()
        .get::<Credential>()
        .map(|c| crate::util::sha256_hex(c.0.as_bytes()))
        .unwrap_or_default();
    // Stored (and persisted) as a hash: neither the caller's credential nor its key is kept.
    let scope = crate::util::sha256_hex(
        format!("{cred}|{} {}|{key}", req.method(), req.uri().path()).as_bytes(),
    );
    // The body is fingerprinted: a key replays only the request it was first sent with.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FINGERPRINTED_BODY).await else {
        return ApiError::payload_too_large("request body too large").into_response();
    };
    let fingerprint = crate::util::sha256_hex(&bytes);
    let req = Request::from_parts(parts, Body::from(bytes));
    let now = crate::util::now_unix();
    let stored = state.db().idempotency.get(&scope).cloned();
    if let Some(r) = stored.filter(|r| now - r.created_at < TTL_SECS) {
        if !r.request_sha256.is_empty() && r.request_sha256 != fingerprint {
            return ApiError::conflict(
                "conflict",
                "this Idempotency-Key was already used with a different request",
            )
            .with_param("Idempotency-Key")
            .into_response();
        }
        let mut resp = Response::builder()
            .status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK))
            .header("idempotent-replayed", "true");
        if let Some(ct) = &r.content_type {
            resp = resp.header(header::CONTENT_TYPE, ct);
        }
        return resp.body(Body::from(r.body)).unwrap_or_default();
    }
    {
        let mut m = state
            .idem_in_progress
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !m.insert(scope.clone()) {
            return ApiError::conflict(
                "request_in_progress",
                "a request with this Idempotency-Key is still being processed",
            )
            .into_response();
        }
    }
    let _guard = InProgress {
        state: &state,
        key: scope.clone(),
    };
    let resp = next.run(req).await;
    let status = resp.status();
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return ApiError::internal("response too large to store for idempotency").into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    state.update(|db| {
        db.idempotency.retain(|_, r| now - r.created_at < TTL_SECS);
        db.idempotency.insert(
            scope,
            IdempotentResponse {
                request_sha256: fingerprint,
                status: status.as_u16(),
                content_type,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                created_at: now,
            },
        );
    });
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from_str(&bytes.len().to_string()).unwrap_or(HeaderValue::from_static("0")),
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_format() {
        assert!(super::valid_key("abc-123_x:y.z"));
        assert!(!super::valid_key(""));
        assert!(!super::valid_key("has space"));
        assert!(!super::valid_key(&"a".repeat(256)));
    }
}
