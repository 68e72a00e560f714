//! Every error the server itself gives is the spec's JSON envelope — including the framework's
//! own rejections (malformed query string or path, body too large, unknown method), which axum
//! answers as `text/plain` or with an empty body. Injected faults sit outside this layer, so an
//! HTML gateway page or a deliberately bare status stays as the fault asked.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Longest framework message kept (they are one line).
const MAX_MESSAGE: usize = 4096;

/// The envelope's `code` and a fallback message for a bare status.
fn code_for(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 | 422 => ("invalid_parameter", "the request is malformed"),
        401 => ("unauthorized", "missing or invalid API key"),
        402 => ("insufficient_credit", "not enough credits"),
        403 => ("forbidden", "not permitted"),
        404 => ("not_found", "no such route"),
        405 => (
            "method_not_allowed",
            "this method is not allowed on this route",
        ),
        409 => ("conflict", "conflict"),
        413 => ("payload_too_large", "the request body is too large"),
        415 => (
            "unsupported_media_type",
            "unsupported Content-Type for this route",
        ),
        416 => (
            "range_not_satisfiable",
            "the requested range is not satisfiable",
        ),
        429 => ("rate_limit_exceeded", "too many requests"),
        s if s >= 500 => ("internal_error", "internal server error"),
        _ => ("invalid_request", "the request was not accepted"),
    }
}

/// JSON answers, and the OAuth consent pages' own HTML error pages, are left as they are.
fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"))
        .unwrap_or(false)
}

pub async fn layer(req: Request, next: Next) -> Response {
    let head = req.method() == Method::HEAD;
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&resp) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = match axum::body::to_bytes(body, MAX_MESSAGE).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let (code, fallback) = code_for(status);
    let message = if text.is_empty() { fallback } else { &text };
    let bytes =
        serde_json::to_vec(&crate::error::envelope(code, message, None)).unwrap_or_default();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len() as u64),
    );
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_a_snake_case_code() {
        for s in [400u16, 404, 405, 413, 415, 418, 500, 503] {
            let (code, msg) = code_for(StatusCode::from_u16(s).unwrap());
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!msg.is_empty());
        }
    }
}
