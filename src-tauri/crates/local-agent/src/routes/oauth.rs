//! OAuth routes at the paths HeyGen uses (on one host here): `GET/POST /oauth/authorize` (the
//! consent page), `POST /v1/oauth/token`, `POST /v1/oauth/revoke`. Token answers are plain
//! OAuth JSON, not the v3 `data` envelope. Logic lives in `crate::oauth`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;

use crate::oauth::{Issued, OAuthError};
use crate::state::AppState;

type Params = HashMap<String, String>;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}}\
         .card{{border:1px solid #ddd;border-radius:12px;padding:24px}}button{{font:inherit;padding:8px 20px;border-radius:8px;border:1px solid #bbb;margin-right:8px}}\
         #approve{{background:#4f46e5;color:#fff;border-color:#4f46e5}}dt{{color:#666;font-size:.85em}}dd{{margin:0 0 8px}}</style>\
         </head><body><div class=\"card\">{body}</div></body></html>",
        t = html_escape(title),
    );
    let mut resp = (status, Html(html)).into_response();
    // The consent page must not be framed (clickjacking) nor cached.
    resp.headers_mut().insert(
        "x-frame-options",
        axum::http::HeaderValue::from_static("DENY"),
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.get(k).map(String::as_str)
}

/// `GET /oauth/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&…`
pub async fn authorize_page(State(state): State<AppState>, Query(q): Query<Params>) -> Response {
    let begun = state.oauth.begin(
        get(&q, "response_type"),
        get(&q, "client_id"),
        get(&q, "redirect_uri"),
        get(&q, "state"),
        get(&q, "code_challenge"),
        get(&q, "code_challenge_method"),
    );
    let consent = match begun {
        Ok(id) => id,
        Err(e) => {
            return page(
                StatusCode::BAD_REQUEST,
                "Sign-in request refused",
                &format!(
                    "<h1>This sign-in request cannot be used</h1><p id=\"error\">{}: {}</p>",
                    e.error,
                    html_escape(&e.description)
                ),
            )
        }
    };
    // The same account `GET /v3/users/me` answers with.
    let (username, email) = (crate::routes::users::USERNAME, crate::routes::users::EMAIL);
    let client = get(&q, "client_id").unwrap_or_default();
    page(
        StatusCode::OK,
        "Sign in to the local Video Agent",
        &format!(
            "<h1>Allow access?</h1>\
             <p><strong id=\"client\">{client}</strong> wants to use the local Video Agent as you.</p>\
             <dl><dt>Account</dt><dd id=\"account\">{username} ({email})</dd>\
             <dt>It will be able to</dt><dd>create videos, read your sessions, videos and balance</dd></dl>\
             <form method=\"post\" action=\"/oauth/authorize\">\
             <input type=\"hidden\" name=\"consent\" value=\"{consent}\">\
             <button id=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
             <button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
             </form>",
            client = html_escape(client),
        ),
    )
}

/// `POST /oauth/authorize` (the consent form): back to the app's redirect URI with a code, or
/// with `error=access_denied`.
pub async fn authorize_decide(State(state): State<AppState>, Form(f): Form<Params>) -> Response {
    let approve = get(&f, "decision") == Some("approve");
    let Some((consent, code)) = get(&f, "consent").and_then(|id| state.oauth.decide(id, approve))
    else {
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "<h1>This sign-in page has expired</h1><p id=\"error\">Start the sign-in again from the app.</p>",
        );
    };
    let Ok(mut target) = url::Url::parse(&consent.redirect_uri) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Bad redirect",
            "<h1>Bad redirect URI</h1>",
        );
    };
    {
        let mut pairs = target.query_pairs_mut();
        match &code {
            Some(code) => pairs.append_pair("code", code),
            None => pairs
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The user denied access"),
        };
        if let Some(s) = &consent.state {
            pairs.append_pair("state", s);
        }
    }
    Redirect::to(target.as_str()).into_response()
}

fn oauth_error(e: OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (
        status,
        axum::Json(json!({"error": e.error, "error_description": e.description})),
    )
        .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

fn token_answer(issued: Issued) -> Response {
    let mut body = json!({
        "token_type": "Bearer",
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
    });
    if let Some(r) = issued.refresh_token {
        body["refresh_token"] = json!(r);
    }
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `POST /v1/oauth/token` (form-encoded).
pub async fn token(State(state): State<AppState>, Form(f): Form<Params>) -> Response {
    let field = |k: &str| get(&f, k).unwrap_or_default();
    let result = match field("grant_type") {
        "authorization_code" => state.oauth.exchange(
            field("code"),
            field("client_id"),
            field("redirect_uri"),
            field("code_verifier"),
        ),
        "refresh_token" => state
            .oauth
            .refresh(field("refresh_token"), field("client_id")),
        other => Err(OAuthError {
            status: 400,
            error: "unsupported_grant_type",
            description: format!("grant_type {other:?} is not supported"),
        }),
    };
    match result {
        Ok(issued) => token_answer(issued),
        Err(e) => oauth_error(e),
    }
}

/// `POST /v1/oauth/revoke` (form-encoded `token`): 200 whether or not the token was known.
pub async fn revoke(State(state): State<AppState>, Form(f): Form<Params>) -> Response {
    if let Some(token) = get(&f, "token") {
        state.oauth.revoke(token);
    }
    axum::Json(json!({})).into_response()
}

/// `GET /__admin/oauth` — counters; `POST /__admin/oauth` `{"expire_access_tokens": true,
/// "revoke_refresh_tokens": true, "rotate_refresh_tokens": bool, "access_ttl_secs": n}`.
pub async fn admin_get(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    let s = state.oauth.settings();
    axum::Json(json!({
        "stats": state.oauth.stats(),
        "client_id": s.client_id,
        "access_ttl_secs": s.access_ttl_secs,
        "rotate_refresh_tokens": s.rotate_refresh_tokens,
    }))
}

pub async fn admin_set(
    State(state): State<AppState>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> axum::Json<serde_json::Value> {
    let mut settings = state.oauth.settings();
    if let Some(b) = body["rotate_refresh_tokens"].as_bool() {
        settings.rotate_refresh_tokens = b;
    }
    if let Some(n) = body["access_ttl_secs"].as_u64() {
        settings.access_ttl_secs = n;
    }
    state.oauth.configure(settings);
    let expired = if body["expire_access_tokens"].as_bool() == Some(true) {
        state.oauth.expire_access_tokens()
    } else {
        0
    };
    let revoked = if body["revoke_refresh_tokens"].as_bool() == Some(true) {
        state.oauth.revoke_refresh_tokens()
    } else {
        0
    };
    axum::Json(json!({"expired": expired, "revoked": revoked, "stats": state.oauth.stats()}))
}
