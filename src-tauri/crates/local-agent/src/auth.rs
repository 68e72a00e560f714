//! `X-Api-Key` / `Authorization: Bearer` checking for the `/v3` API.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The credential a request authenticated with (used to scope idempotency keys and to sign
/// inline callbacks).
#[derive(Debug, Clone)]
pub struct Credential(pub String);

pub fn credential_from(headers: &HeaderMap) -> Option<String> {
    if let Some(k) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        let k = k.trim();
        if !k.is_empty() {
            return Some(k.to_string());
        }
    }
    let auth = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = auth.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

pub async fn require_key(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(cred) = credential_from(req.headers()) else {
        return ApiError::unauthorized().into_response();
    };
    if !state.api_keys.is_empty() && !state.api_keys.iter().any(|k| k == &cred) {
        return ApiError::unauthorized().into_response();
    }
    req.extensions_mut().insert(Credential(cred));
    next.run(req).await
}
