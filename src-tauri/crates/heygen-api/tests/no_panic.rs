//! Property tests: no decoder and no error mapping panics on any input (issue 7 item 3).
//! Bounded to a few hundred cases each so the file runs in seconds.

use heygen_api::models::*;
use heygen_api::response::{decode_success, error_from_response, parse_retry_after};
use heygen_api::{parse_content_range, ApiError};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

/// Tries every response type on `body`, both bare and inside `{"data": …}` / as a list page.
fn decode_everything(body: &[u8]) {
    fn one<T: serde::de::DeserializeOwned>(body: &[u8]) {
        let headers = HeaderMap::new();
        let _ = decode_success::<T>(200, &headers, body);
        let _ = decode_success::<Page<T>>(200, &headers, body);
    }
    one::<CreateVideoAgentRequest>(body);
    one::<CreateVideoAgentResponse>(body);
    one::<Session>(body);
    one::<Message>(body);
    one::<SendMessageResponse>(body);
    one::<StopSessionResponse>(body);
    one::<Resource>(body);
    one::<Style>(body);
    one::<BrandKit>(body);
    one::<Asset>(body);
    one::<DirectUpload>(body);
    one::<Video>(body);
    one::<DeletedVideo>(body);
    one::<AvatarGroup>(body);
    one::<AvatarLook>(body);
    one::<Voice>(body);
    one::<User>(body);
    one::<OAuthTokenResponse>(body);
    one::<WebhookEndpoint>(body);
    one::<legacy::LegacySession>(body);
    one::<legacy::LegacySessionAck>(body);
    for status in [400u16, 429, 502] {
        let err: ApiError = error_from_response(status, &HeaderMap::new(), body);
        let report = err.report();
        assert!(!report.code.is_empty());
        assert!(!report.message.is_empty());
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z_:0-9 .-]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("completed"),
            Just("failed"),
            Just("assistant"),
            Just("16:9"),
            Just("pending_upload"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let keys = prop_oneof![
            Just("data".to_owned()),
            Just("error".to_owned()),
            Just("session_id".to_owned()),
            Just("status".to_owned()),
            Just("messages".to_owned()),
            Just("id".to_owned()),
            Just("video_id".to_owned()),
            Just("progress".to_owned()),
            Just("role".to_owned()),
            Just("has_more".to_owned()),
            Just("next_token".to_owned()),
            Just("code".to_owned()),
            Just("message".to_owned()),
            Just("upload_headers".to_owned()),
            Just("tags".to_owned()),
            Just("created_at".to_owned()),
            Just("wallet".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        decode_everything(&body);
        let wrapped = serde_json::to_vec(&serde_json::json!({"data": value, "error": value})).unwrap();
        decode_everything(&wrapped);
        // Cut-off versions of the same JSON.
        for cut in [1, body.len() / 2, body.len().saturating_sub(1)] {
            decode_everything(&body[..cut.min(body.len())]);
        }
    }

    #[test]
    fn headers_never_panic(retry_after in "\\PC{0,40}", request_id in "[ -~]{0,300}", range in "\\PC{0,40}") {
        let _ = parse_retry_after(&retry_after, std::time::SystemTime::now());
        let _ = parse_content_range(&range);
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&retry_after) { headers.insert("retry-after", v); }
        if let Ok(v) = HeaderValue::from_str(&request_id) { headers.insert("x-request-id", v); }
        let err = error_from_response(503, &headers, b"");
        if let Some(id) = err.request_id() { prop_assert!(id.chars().count() <= 128); }
    }
}
