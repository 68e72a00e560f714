//! Turning HTTP responses (status, headers, body bytes) into values or [`ApiError`]s.
//!
//! Kept free of any network code so every mapping is unit-testable with plain bytes.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, ApiFailure};
use crate::models::lenient;

/// The request id header HeyGen sets on every response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// `X-Request-Id`, if present and printable (trimmed to 128 characters).
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?.to_str().ok()?.trim();
    if value.is_empty() {
        return None;
    }
    Some(
        value
            .chars()
            .filter(|c| !c.is_control())
            .take(128)
            .collect(),
    )
}

/// `Retry-After` from the headers, in either form, relative to now.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// Parses a `Retry-After` value: delay seconds (`"120"`) or an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`). A date in the past means "now" (zero). Fractional or
/// negative seconds are tolerated (rounded up / zero); anything else is `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() {
            return Some(Duration::from_secs(seconds.clamp(0.0, 1.0e9).ceil() as u64));
        }
        return None;
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: EnvelopeError,
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default, deserialize_with = "lenient::string")]
    code: String,
    #[serde(default, deserialize_with = "lenient::string")]
    message: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    param: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    doc_url: Option<String>,
}

/// The OAuth 2.0 error form (RFC 6749 §5.2): `{"error": "invalid_grant", "error_description": …}`.
#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    error_description: Option<String>,
}

/// Builds the error for a non-success response. Uses the envelope when the body has one;
/// otherwise describes the status (and says so when the body was an HTML page).
pub fn error_from_response(status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let request_id = request_id(headers);
    let retry_after = retry_after(headers);
    if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(body) {
        let EnvelopeError {
            code,
            message,
            param,
            doc_url,
        } = envelope.error;
        let message = if message.trim().is_empty() {
            status_phrase(status)
        } else {
            message
        };
        return ApiError::Api(Box::new(ApiFailure {
            status,
            code: sanitize_code(&code),
            message,
            param: param.filter(|p| !p.is_empty()),
            doc_url,
            request_id,
            retry_after,
        }));
    }
    if let Ok(oauth) = serde_json::from_slice::<OAuthErrorBody>(body) {
        let code = sanitize_code(&oauth.error);
        if !code.is_empty() {
            let message = oauth
                .error_description
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| format!("the sign-in server refused the request ({code})"));
            return ApiError::Api(Box::new(ApiFailure {
                status,
                code,
                message,
                param: None,
                doc_url: None,
                request_id,
                retry_after,
            }));
        }
    }
    let looks_html = is_html(headers, body);
    let mut message = format!(
        "the server answered HTTP {status} ({})",
        status_phrase(status)
    );
    if looks_html {
        message.push_str(" with an HTML page, likely from a gateway or proxy");
    } else if body.iter().all(u8::is_ascii_whitespace) {
        message.push_str(" with no details");
    }
    message.push_str(&advice(status));
    ApiError::Status {
        status,
        message,
        request_id,
        retry_after,
    }
}

/// Decodes a success body `{"data": ...}` (or, with `enveloped = false`, the body itself).
pub fn decode_success<T: DeserializeOwned>(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    serde_json::from_slice::<T>(body).map_err(|err| decode_error(status, headers, body, &err))
}

pub(crate) fn decode_error(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    err: &serde_json::Error,
) -> ApiError {
    let truncated = err.is_eof();
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        "the body was empty".to_owned()
    } else if truncated {
        "the JSON ended early (the response was cut off)".to_owned()
    } else if is_html(headers, body) {
        "expected JSON but got an HTML page".to_owned()
    } else if err.is_syntax() {
        format!("the body is not valid JSON ({err})")
    } else {
        format!("unexpected response shape ({err})")
    };
    ApiError::Decode {
        status,
        reason,
        truncated,
        request_id: request_id(headers),
    }
}

fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let declared = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("html"));
    if declared {
        return true;
    }
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

/// Codes are shown and matched on: keep them short and in the documented alphabet.
fn sanitize_code(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn status_phrase(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status")
        .to_owned()
}

fn advice(status: u16) -> String {
    let text = match status {
        401 => "; check the API key in Settings",
        402 => "; the account needs more credits",
        403 => "; the key is not allowed to do this",
        404 => "; the item does not exist (any more)",
        429 => "; too many requests or jobs, try again shortly",
        500..=599 => "; HeyGen or a proxy on the way is having trouble, try again shortly",
        _ => "",
    };
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1.5", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("-3", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }

    #[test]
    fn envelope_becomes_api_error() {
        let body = br#"{"error":{"code":"invalid_parameter","message":"prompt is required","param":"prompt","doc_url":"https://x/#invalid-parameter"}}"#;
        let err = error_from_response(400, &headers(&[("x-request-id", "req_1")]), body);
        assert_eq!(err.code(), "invalid_parameter");
        assert_eq!(err.param(), Some("prompt"));
        assert_eq!(err.request_id(), Some("req_1"));
        assert_eq!(err.http_status(), Some(400));
        assert!(!err.is_retryable());
        assert_eq!(err.to_string(), "prompt is required (parameter `prompt`)");
    }

    #[test]
    fn rate_limit_envelope_carries_retry_after() {
        let body = br#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#;
        let err = error_from_response(429, &headers(&[("retry-after", "7")]), body);
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert!(err.is_retryable() && err.is_rate_limited());
        let report = err.report();
        assert_eq!(report.retry_after, Some(7));
        assert_eq!(report.code, "rate_limit_exceeded");
    }

    #[test]
    fn oauth_error_form_is_understood() {
        let body =
            br#"{"error": "invalid_grant", "error_description": "The refresh token has expired."}"#;
        let err = error_from_response(400, &HeaderMap::new(), body);
        assert_eq!(err.code(), "invalid_grant");
        assert_eq!(err.to_string(), "The refresh token has expired.");
        let err = error_from_response(401, &HeaderMap::new(), br#"{"error": "invalid_client"}"#);
        assert_eq!(err.code(), "invalid_client");
    }

    #[test]
    fn html_gateway_page_has_status_code() {
        let body = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
        let err = error_from_response(502, &headers(&[("content-type", "text/html")]), body);
        assert_eq!(err.code(), "bad_gateway");
        assert_eq!(err.http_status(), Some(502));
        assert!(err.is_retryable());
        assert!(err.to_string().contains("HTML page"), "{err}");
        // Without a content type, the body sniff still recognises HTML.
        let err = error_from_response(503, &HeaderMap::new(), b"  <html>down</html>");
        assert!(err.to_string().contains("HTML page"), "{err}");
    }

    #[test]
    fn empty_and_garbage_error_bodies() {
        let err = error_from_response(500, &HeaderMap::new(), b"");
        assert_eq!(err.code(), "internal_error");
        assert!(err.to_string().contains("no details"));
        let err = error_from_response(418, &HeaderMap::new(), b"{\"error\": 5}");
        assert_eq!(err.code(), "http_error");
        let err = error_from_response(401, &HeaderMap::new(), b"{\"error\":{}}");
        assert_eq!(err.code(), "unauthorized");
        assert!(err.is_unauthorized());
    }

    #[test]
    fn truncated_and_empty_success_bodies_are_decode_errors() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Thing {
            id: String,
        }
        let err = decode_success::<Thing>(200, &HeaderMap::new(), br#"{"id": "ab"#).unwrap_err();
        assert!(
            matches!(
                err,
                ApiError::Decode {
                    truncated: true,
                    status: 200,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.code(), "decode_error");
        assert!(err.is_retryable());
        let err = decode_success::<Thing>(200, &HeaderMap::new(), b"").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = decode_success::<Thing>(200, &HeaderMap::new(), b"<html></html>").unwrap_err();
        assert!(err.to_string().contains("HTML"), "{err}");
        let err = decode_success::<Thing>(200, &HeaderMap::new(), br#"{"id": 5}"#).unwrap_err();
        assert!(!err.is_retryable());
        assert!(
            err.to_string().contains("unexpected response shape"),
            "{err}"
        );
    }
}
