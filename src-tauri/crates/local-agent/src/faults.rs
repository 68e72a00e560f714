//! Fault injection: added latency, error statuses (with/without envelope, both `Retry-After`
//! forms), HTML gateway pages, connections reset mid-body, requests processed and then dropped
//! without an answer, truncated JSON, forced URL expiry and sessions stuck in `thinking`. Set at start (`Config::faults`, CLI flags) or at run time via
//! `POST /__admin/faults`.

use std::sync::Mutex;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::state::AppState;

/// The active fault set. Every field is optional in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Added to every API and CDN request.
    pub latency_ms: u64,
    /// Checked in order; the first rule that matches and fires applies.
    pub rules: Vec<FaultRule>,
    /// Every signed download URL answers 403, as if expired.
    pub expire_urls: bool,
    /// Newly signed URLs expire after this many seconds (default 7 days).
    pub url_ttl_seconds: Option<u64>,
    /// Sessions stay in `thinking` while this is set.
    pub stuck_thinking: bool,
    /// Sessions that `stuck_thinking` does not hold (e.g. the one job a benchmark lets finish
    /// among hundreds held live).
    pub stuck_thinking_except: Vec<String>,
    /// Seed for `rate` draws, so random faults are reproducible.
    pub seed: u64,
}

/// One route fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `"METHOD /path"`: method or `*`; path is a glob where `*` matches anything
    /// (e.g. `"GET /v3/videos/*"`, `"POST /v3/video-agents"`, `"* /cdn/*"`).
    pub route: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire only for the next N matching requests (deterministic). Absent = unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Probability (0–1) that a matching request is hit. Absent = 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryAfterFormat {
    #[default]
    Seconds,
    HttpDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status without running the handler. `envelope: false` → empty body.
    Status {
        status: u16,
        #[serde(default = "yes")]
        envelope: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<u64>,
        #[serde(default)]
        retry_after_format: RetryAfterFormat,
    },
    /// A 502 HTML page as a gateway/WAF would send.
    HtmlGateway,
    /// Run the handler, send `after_bytes` of the body (default: half), then drop the connection.
    Reset {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_bytes: Option<u64>,
    },
    /// Run the handler and send only the first half of the body (with a matching length).
    TruncatedJson,
    /// Run the handler to the end (what it changed is committed), then close the connection
    /// without writing a single byte of the answer: the client cannot know what happened.
    ProcessThenDrop,
    /// Delay this request.
    Latency { ms: u64 },
}

fn yes() -> bool {
    true
}

pub struct FaultState {
    inner: Mutex<(FaultConfig, rand::rngs::StdRng)>,
}

impl FaultState {
    pub fn new(cfg: FaultConfig) -> Self {
        let rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
        FaultState {
            inner: Mutex::new((cfg, rng)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (FaultConfig, rand::rngs::StdRng)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn replace(&self, cfg: FaultConfig) {
        let rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
        *self.lock() = (cfg, rng);
    }

    pub fn get(&self) -> FaultConfig {
        self.lock().0.clone()
    }

    pub fn expire_urls(&self) -> bool {
        self.lock().0.expire_urls
    }

    pub fn url_ttl_seconds(&self) -> Option<u64> {
        self.lock().0.url_ttl_seconds
    }

    /// Whether `session_id` is held in `thinking` now.
    pub fn stuck_thinking(&self, session_id: &str) -> bool {
        let cfg = &self.lock().0;
        cfg.stuck_thinking && !cfg.stuck_thinking_except.iter().any(|s| s == session_id)
    }

    /// Global latency and the fault (if any) that fires for this request.
    fn draw(&self, method: &str, path: &str) -> (u64, Option<FaultKind>) {
        let mut guard = self.lock();
        let (cfg, rng) = &mut *guard;
        let latency = cfg.latency_ms;
        for rule in cfg.rules.iter_mut() {
            if rule.count == Some(0) || !route_matches(&rule.route, method, path) {
                continue;
            }
            if let Some(rate) = rule.rate {
                if rng.gen::<f64>() >= rate {
                    continue;
                }
            }
            if let Some(n) = rule.count.as_mut() {
                *n -= 1;
            }
            return (latency, Some(rule.kind.clone()));
        }
        (latency, None)
    }
}

/// `"GET /v3/videos/*"` against a method and a path.
pub fn route_matches(pattern: &str, method: &str, path: &str) -> bool {
    let (pm, pp) = match pattern.trim().split_once(char::is_whitespace) {
        Some((m, p)) => (m.trim(), p.trim()),
        None => ("*", pattern.trim()),
    };
    if pm != "*" && !pm.eq_ignore_ascii_case(method) {
        return false;
    }
    glob(pp, path)
}

fn glob(pattern: &str, text: &str) -> bool {
    // A route template (`/v3/videos/{video_id}`): each `{…}` matches exactly one segment.
    if pattern.contains('{') && !pattern.contains('*') {
        let (p, t): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), text.split('/').collect());
        return p.len() == t.len()
            && p.iter().zip(&t).all(|(ps, ts)| {
                if ps.starts_with('{') && ps.ends_with('}') {
                    !ts.is_empty()
                } else {
                    ps == ts
                }
            });
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn status_response(
    status: u16,
    envelope: bool,
    retry_after_seconds: Option<u64>,
    fmt: RetryAfterFormat,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = if envelope {
        let (code, message) = match status.as_u16() {
            429 => ("rate_limit_exceeded", "Too many requests (injected fault)"),
            401 => ("unauthorized", "unauthorized (injected fault)"),
            403 => ("forbidden", "forbidden (injected fault)"),
            404 => ("not_found", "not found (injected fault)"),
            409 => ("conflict", "conflict (injected fault)"),
            400 => ("invalid_parameter", "bad request (injected fault)"),
            _ => ("internal_error", "internal error (injected fault)"),
        };
        (
            status,
            axum::Json(crate::error::envelope(code, message, None)),
        )
            .into_response()
    } else {
        status.into_response()
    };
    let retry_after = retry_after_seconds.or(if status.as_u16() == 429 {
        Some(1)
    } else {
        None
    });
    if let Some(secs) = retry_after {
        let value = match fmt {
            RetryAfterFormat::Seconds => secs.to_string(),
            RetryAfterFormat::HttpDate => httpdate::fmt_http_date(
                std::time::SystemTime::now() + std::time::Duration::from_secs(secs),
            ),
        };
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

fn gateway_page() -> Response {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        html,
    )
        .into_response()
}

/// Sends `limit` bytes of the body, then fails the stream so the connection is dropped.
fn reset_after(resp: Response, after: Option<u64>) -> Response {
    let (parts, body) = resp.into_parts();
    let total = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = after.unwrap_or_else(|| total.map(|t| t / 2).unwrap_or(64));
    let cut = body.into_data_stream().scan(0u64, move |sent, chunk| {
        let item = match chunk {
            Err(e) => Some(Err(std::io::Error::other(e))),
            Ok(_) if *sent >= limit => None,
            Ok(c) => {
                let room = (limit - *sent) as usize;
                *sent += c.len() as u64;
                Some(Ok(if c.len() > room { c.slice(..room) } else { c }))
            }
        };
        futures::future::ready(item)
    });
    // Pause before failing so hyper flushes the headers and the partial body first; then the
    // error makes it drop the connection.
    let tail = futures::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err::<bytes::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    Response::from_parts(parts, Body::from_stream(cut.chain(tail)))
}

async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from_str(&cut.len().to_string()).unwrap_or(HeaderValue::from_static("0")),
    );
    Response::from_parts(parts, Body::from(cut))
}

/// Outer middleware applying the active faults to API, upload and CDN requests.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__admin") {
        return next.run(req).await;
    }
    let (latency, fault) = state.faults.draw(req.method().as_str(), &path);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    match fault {
        None => next.run(req).await,
        Some(FaultKind::Latency { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some(FaultKind::Status {
            status,
            envelope,
            retry_after_seconds,
            retry_after_format,
        }) => status_response(status, envelope, retry_after_seconds, retry_after_format),
        Some(FaultKind::HtmlGateway) => gateway_page(),
        Some(FaultKind::Reset { after_bytes }) => reset_after(next.run(req).await, after_bytes),
        Some(FaultKind::TruncatedJson) => truncate(next.run(req).await).await,
        Some(FaultKind::ProcessThenDrop) => {
            let conn = req
                .extensions()
                .get::<axum::extract::ConnectInfo<crate::conn::ConnHandle>>()
                .map(|c| c.0.clone());
            let resp = next.run(req).await;
            match conn {
                Some(c) => {
                    tracing::info!(peer = %c.remote, "process_then_drop: closing without an answer");
                    c.kill();
                    drop(resp);
                    // Never written: the connection fails on its first write.
                    StatusCode::NO_CONTENT.into_response()
                }
                // Not served through our listener (cannot happen in `start`): a reset is
                // the closest we can do.
                None => reset_after(resp, Some(0)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_methods_and_globs() {
        assert!(route_matches("GET /v3/videos/*", "GET", "/v3/videos/abc"));
        assert!(!route_matches("GET /v3/videos/*", "POST", "/v3/videos/abc"));
        assert!(!route_matches("GET /v3/videos/*", "GET", "/v3/videos"));
        assert!(route_matches(
            "POST /v3/video-agents",
            "POST",
            "/v3/video-agents"
        ));
        assert!(!route_matches(
            "POST /v3/video-agents",
            "POST",
            "/v3/video-agents/x"
        ));
        assert!(route_matches("* /cdn/*", "HEAD", "/cdn/v/a/video.mp4"));
        assert!(route_matches(
            "GET /v3/*/resources/*",
            "GET",
            "/v3/video-agents/s/resources/r"
        ));
    }

    #[test]
    fn count_limits_firing_deterministically() {
        let st = FaultState::new(FaultConfig {
            rules: vec![FaultRule {
                route: "GET /x".into(),
                kind: FaultKind::HtmlGateway,
                count: Some(2),
                rate: None,
            }],
            ..Default::default()
        });
        assert!(st.draw("GET", "/x").1.is_some());
        assert!(st.draw("GET", "/y").1.is_none());
        assert!(st.draw("GET", "/x").1.is_some());
        assert!(st.draw("GET", "/x").1.is_none());
    }

    #[test]
    fn rules_round_trip_as_json() {
        let json = r#"{"latency_ms":5,"rules":[{"route":"GET /v3/videos/*","kind":"status","status":429,"retry_after_seconds":2,"retry_after_format":"http_date","count":3}]}"#;
        let cfg: FaultConfig = serde_json::from_str(json).unwrap();
        assert_eq!(cfg.rules[0].count, Some(3));
        assert!(matches!(
            cfg.rules[0].kind,
            FaultKind::Status {
                status: 429,
                envelope: true,
                retry_after_seconds: Some(2),
                retry_after_format: RetryAfterFormat::HttpDate
            }
        ));
        let back: FaultConfig =
            serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
    }
}
