//! Property ("fuzz") tests on response decoding and the error-envelope parser (issue 7 item 3).
//! cargo-fuzz needs nightly, which this toolchain lacks; proptest runs on stable.
//!
//! heygen-api's own `no_panic.rs` feeds random bytes/JSON to every decoder at three statuses.
//! This adds what it does not cover: every status code, arbitrary header maps, mutations of the
//! spec's real example bodies (flipped, cut, spliced bytes), every model type including the
//! nested account types, and semantic properties of the error report (not just "no panic").
//! Bounded: a few hundred cases per property, a few seconds in all.

use std::time::{Duration, SystemTime};

use heygen_api::models::*;
use heygen_api::response::{decode_success, error_from_response, parse_retry_after};
use heygen_api::ApiError;
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// The spec's example bodies, as copied into heygen-api's fixtures.
fn fixtures() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../heygen-api/tests/fixtures");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("heygen-api fixtures")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| std::fs::read(e.path()).expect("fixture"))
        .collect();
    out.sort();
    assert!(
        out.len() >= 10,
        "expected the spec examples in {}",
        dir.display()
    );
    out
}

/// Every decoder a response can reach, bare and as a page; none may panic.
fn decode_all(status: u16, headers: &HeaderMap, body: &[u8]) {
    fn one<T: serde::de::DeserializeOwned>(status: u16, headers: &HeaderMap, body: &[u8]) {
        let _ = decode_success::<T>(status, headers, body);
        let _ = decode_success::<Page<T>>(status, headers, body);
    }
    one::<CreateVideoAgentResponse>(status, headers, body);
    one::<Session>(status, headers, body);
    one::<Message>(status, headers, body);
    one::<SendMessageResponse>(status, headers, body);
    one::<StopSessionResponse>(status, headers, body);
    one::<Resource>(status, headers, body);
    one::<Style>(status, headers, body);
    one::<BrandKit>(status, headers, body);
    one::<Asset>(status, headers, body);
    one::<DirectUpload>(status, headers, body);
    one::<Video>(status, headers, body);
    one::<DeletedVideo>(status, headers, body);
    one::<AvatarGroup>(status, headers, body);
    one::<AvatarLook>(status, headers, body);
    one::<Voice>(status, headers, body);
    one::<User>(status, headers, body);
    one::<Wallet>(status, headers, body);
    one::<Subscription>(status, headers, body);
    one::<OAuthTokenResponse>(status, headers, body);
    one::<WebhookEndpoint>(status, headers, body);
    one::<WebhookEventType>(status, headers, body);
    one::<legacy::LegacySession>(status, headers, body);
    one::<legacy::LegacySessionAck>(status, headers, body);
    one::<CreateVideoAgentRequest>(status, headers, body);
}

/// The error report must always be usable by the UI: a code, a message, a bounded request id,
/// and a Retry-After only when a header said so.
fn check_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), TestCaseError> {
    let err: ApiError = error_from_response(status, headers, body);
    let report = err.report();
    prop_assert!(!report.code.is_empty(), "empty code for {status}");
    prop_assert!(
        !report.message.trim().is_empty(),
        "empty message for {status}"
    );
    prop_assert!(
        report.code.len() <= 128,
        "code too long: {}",
        report.code.len()
    );
    if let Some(id) = err.request_id() {
        prop_assert!(id.chars().count() <= 128);
        prop_assert!(!id.chars().any(char::is_control));
    }
    if headers.get("retry-after").is_none() {
        prop_assert!(report.retry_after.is_none());
    }
    // Display and Debug never panic either.
    let _ = format!("{err} {err:?}");
    Ok(())
}

fn arb_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        Just("content-type".to_string()),
        Just("retry-after".to_string()),
        Just("x-request-id".to_string()),
        Just("content-length".to_string()),
        Just("content-range".to_string()),
        "[a-z][a-z0-9-]{0,15}",
    ];
    let value = prop_oneof![
        Just("application/json".to_string()),
        Just("text/html; charset=utf-8".to_string()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        "[0-9]{1,25}",
        "[ -~]{0,200}",
    ];
    prop::collection::vec((name, value), 0..6).prop_map(|pairs| {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(&v),
            ) {
                h.append(n, v);
            }
        }
        h
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
}

fn arb_mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let token = prop_oneof![
        Just(b"null".to_vec()),
        Just(b"{".to_vec()),
        Just(b"]".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"-1e999".to_vec()),
        Just(b"18446744073709551616".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(b"\\ud800".to_vec()),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    let m = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<usize>(), 1usize..32).prop_map(|(i, n)| Mutation::Remove(i, n)),
    ];
    prop::collection::vec(m, 1..5)
}

fn mutate(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = body.len().max(1);
        match m {
            Mutation::Flip(i, b) if !body.is_empty() => body[i % len] ^= b | 1,
            Mutation::Cut(i) => body.truncate(i % len),
            Mutation::Insert(i, t) => {
                let at = i % (body.len() + 1);
                body.splice(at..at, t.iter().copied());
            }
            Mutation::Remove(i, n) if !body.is_empty() => {
                let at = i % len;
                let end = (at + n).min(body.len());
                body.drain(at..end);
            }
            _ => {}
        }
    }
    body
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Real example bodies with a few byte-level mutations, at any status, with any headers.
    #[test]
    fn mutated_spec_examples_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in arb_mutations(),
        status in 100u16..1000,
        headers in arb_headers(),
    ) {
        let all = fixtures();
        let body = mutate(all[which.index(all.len())].clone(), &mutations);
        decode_all(status, &headers, &body);
        check_error(status, &headers, &body)?;
    }

    /// The envelope parser over arbitrary status, headers and near-envelope bodies.
    #[test]
    fn error_envelope_is_always_reportable(
        status in any::<u16>(),
        headers in arb_headers(),
        code in prop_oneof![Just(serde_json::Value::Null), any::<i64>().prop_map(Into::into), "\\PC{0,300}".prop_map(Into::into)],
        message in prop_oneof![Just(serde_json::Value::Null), Just(serde_json::json!([1, 2])), "\\PC{0,300}".prop_map(Into::into)],
        param in prop_oneof![Just(serde_json::Value::Null), "[a-z_.\\[\\]0-9]{0,40}".prop_map(Into::into)],
        wrap in 0u8..4,
    ) {
        let error = serde_json::json!({"code": code, "message": message, "param": param});
        let body = match wrap {
            0 => serde_json::json!({"error": error}),
            1 => serde_json::json!({"error": error, "data": null}),
            2 => serde_json::json!({"errors": [error]}),
            _ => error,
        };
        let bytes = serde_json::to_vec(&body).unwrap();
        check_error(status, &headers, &bytes)?;
        for cut in [0, bytes.len() / 3, bytes.len() - 1] {
            check_error(status, &headers, &bytes[..cut])?;
        }
    }

    /// Retry-After: seconds, fractions, dates, garbage — never a panic; whole seconds are taken
    /// as they are and dates never give more than the time until them.
    #[test]
    fn retry_after_parses_without_panics(value in prop_oneof![
        "[0-9]{1,30}", "-?[0-9]{0,5}\\.[0-9]{0,5}(e[+-]?[0-9]{1,4})?", "\\PC{0,60}",
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
    ]) {
        let now = SystemTime::now();
        let parsed = parse_retry_after(&value, now);
        if let Ok(secs) = value.trim().parse::<u64>() {
            prop_assert_eq!(parsed, Some(Duration::from_secs(secs)));
        } else if let Ok(at) = httpdate::parse_http_date(value.trim()) {
            prop_assert_eq!(parsed, Some(at.duration_since(now).unwrap_or(Duration::ZERO)));
        }
    }
}

#[test]
fn unmodified_spec_examples_decode_somewhere() {
    // Sanity for the mutation test: the originals are valid JSON.
    for body in fixtures() {
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    }
}
