//! `X-Api-Key` / `Authorization: Bearer` checking for the `/v3` API: an API key, or an access
//! token this agent's OAuth server issued (checked for expiry and revocation).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::oauth::{OAuthServer, TokenProblem};
use crate::state::AppState;

/// The credential a request authenticated with (used to scope idempotency keys and to sign
/// inline callbacks). For OAuth it is the grant, which outlives each refreshed access token.
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

/// `/__admin/*`: one of the configured keys, exactly (never "any key"); the agent refuses to
/// start with admin routes and no key. A cross-site `text/plain` POST cannot carry the header.
pub async fn require_agent_key(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let known = credential_from(req.headers())
        .is_some_and(|cred| state.api_keys.iter().any(|k| k == &cred));
    if !known {
        return ApiError::unauthorized().into_response();
    }
    next.run(req).await
}

pub async fn require_key(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(cred) = credential_from(req.headers()) else {
        return ApiError::unauthorized().into_response();
    };
    let credential = if OAuthServer::is_access_token(&cred) {
        // Issued tokens are checked even when any API key is accepted: an expired or revoked
        // token must fail the way HeyGen's does, or clients never exercise their refresh.
        match state.oauth.check(&cred) {
            Ok(grant) => format!("oauth:{grant}"),
            Err(TokenProblem::Expired) => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "the access token has expired",
                )
                .into_response()
            }
            Err(TokenProblem::Unknown) => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "the access token is invalid or was revoked",
                )
                .into_response()
            }
        }
    } else {
        if !state.api_keys.is_empty() && !state.api_keys.iter().any(|k| k == &cred) {
            return ApiError::unauthorized().into_response();
        }
        cred
    };
    req.extensions_mut().insert(Credential(credential));
    next.run(req).await
}
