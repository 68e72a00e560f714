//! Every example payload from the spec decodes (copied into tests/fixtures), and odd inputs —
//! nulls, unknown enum values, extra fields, wrong scalar types — decode without failing.

use heygen_api::models::*;
use heygen_api::response::{decode_success, error_from_response};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(serde::Deserialize)]
struct Data<T> {
    data: T,
}

fn data<T: DeserializeOwned>(name: &str) -> T {
    decode_success::<Data<T>>(200, &HeaderMap::new(), &fixture(name))
        .unwrap()
        .data
}

#[test]
fn create_request_and_response() {
    let request: CreateVideoAgentRequest =
        serde_json::from_slice(&fixture("create-video-agent.request.json")).unwrap();
    assert_eq!(request.orientation, Some(Orientation::Landscape));
    assert_eq!(
        request.files,
        vec![AssetInput::url("https://example.com/q3-launch-deck.pdf")]
    );
    assert!(request.prompt.starts_with("Create a 45-second explainer"));
    // Round trip: optional fields left out rather than sent as null.
    let json = serde_json::to_value(&request).unwrap();
    assert!(json.get("mode").is_none() && json.get("avatar_id").is_none());
    assert_eq!(json["files"][0]["type"], "url");

    let response: CreateVideoAgentResponse = data("create-video-agent.response.json");
    assert_eq!(response.session_id, "sess_abc123");
    assert_eq!(response.status, SessionStatus::Generating);
    assert_eq!(response.video_id.as_deref(), Some("vid_xyz789"));
    assert_eq!(response.created_at, Some(1711382400));
}

#[test]
fn session_with_messages() {
    let session: Session = data("get-session.response.json");
    assert_eq!(session.status, SessionStatus::Completed);
    assert_eq!(session.progress, 100);
    assert_eq!(session.title.as_deref(), Some("Q3 Launch Teaser"));
    assert_eq!(session.messages.len(), 2);
    assert_eq!(session.messages[0].role, MessageRole::Model);
    assert_eq!(session.messages[0].kind, Some(MessageType::Text));
    assert!(session.messages[0].resource_ids.is_empty());
    let chrono: Vec<&str> = session
        .messages_chronological()
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(chrono, ["Make it punchier.", "Your video is ready."]);
}

#[test]
fn styles_page() {
    let page: Page<Style> = decode_success(
        200,
        &HeaderMap::new(),
        &fixture("list-styles.response.json"),
    )
    .unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.has_more);
    assert_eq!(
        page.next(),
        Some("eyJsYXN0X2lkIjoic3R5bGVfcmV0cm9fY3J0In0=")
    );
    assert_eq!(page.data[0].aspect_ratio, Some(AspectRatio::Landscape));
    assert_eq!(page.data[1].tags, ["retro-tech"]);
}

#[test]
fn follow_up_upload_webhook_oauth() {
    let sent: SendMessageResponse = data("send-message.response.json");
    assert_eq!(sent.run_id.as_deref(), Some("run_01"));
    let asset: Asset = data("upload-asset.response.json");
    assert_eq!(asset.size_bytes, Some(245760));
    assert_eq!(asset.mime_type.as_deref(), Some("image/png"));
    let endpoint: WebhookEndpoint = data("create-webhook-endpoint.response.json");
    assert_eq!(endpoint.events.len(), 2);
    assert_eq!(format!("{:?}", endpoint.secret), "Some(<redacted>)");
    let types: Page<WebhookEventType> = decode_success(
        200,
        &HeaderMap::new(),
        &fixture("list-webhook-event-types.response.json"),
    )
    .unwrap();
    assert_eq!(types.data[0].event_type, "video_agent.success");
    assert_eq!(types.next(), None);
    let token: OAuthTokenResponse =
        serde_json::from_slice(&fixture("oauth-token.response.json")).unwrap();
    assert_eq!(token.expires_in, Some(864000));
    assert_eq!(token.access_token.expose(), "…");
    assert!(!format!("{token:?}").contains('…'));
}

#[test]
fn error_fixtures() {
    let cases = [
        (
            "error-insufficient-credit.json",
            402,
            "insufficient_credit",
            Some("avatar_id"),
        ),
        (
            "error-invalid-parameter.json",
            400,
            "invalid_parameter",
            Some("avatar_id"),
        ),
        ("error-not-found.json", 404, "not_found", None),
    ];
    for (name, status, code, param) in cases {
        let err = error_from_response(status, &HeaderMap::new(), &fixture(name));
        assert_eq!(err.code(), code, "{name}");
        assert_eq!(err.param(), param, "{name}");
        assert_eq!(err.http_status(), Some(status));
        let heygen_api::ApiError::Api(failure) = &err else {
            panic!("{name}: {err:?}")
        };
        assert!(failure
            .doc_url
            .as_deref()
            .unwrap()
            .starts_with("https://developers.heygen.com/docs/error-codes#"));
    }
}

#[test]
fn unknown_values_nulls_and_extra_fields() {
    let body = br#"{"data": {"session_id": "s1", "status": "dreaming", "progress": "42.6",
        "title": null, "video_id": null, "created_at": 1.7e9, "brand_new_field": {"x": 1},
        "messages": [
          {"role": "assistant", "content": null, "type": "storyboard", "created_at": null, "resource_ids": ["r1", 7]},
          {"role": "system", "content": 12, "type": null}
        ]}}"#;
    let session: Session = decode_success::<Data<Session>>(200, &HeaderMap::new(), body)
        .unwrap()
        .data;
    assert_eq!(session.status, SessionStatus::Other("dreaming".into()));
    assert!(!session.status.is_terminal());
    assert_eq!(session.progress, 43);
    assert_eq!(session.created_at, Some(1_700_000_000));
    assert_eq!(session.messages[0].role, MessageRole::Model);
    assert_eq!(
        session.messages[0].kind,
        Some(MessageType::Other("storyboard".into()))
    );
    assert_eq!(session.messages[0].resource_ids, ["r1"]);
    assert_eq!(
        session.messages[1].role,
        MessageRole::Other("system".into())
    );
    assert_eq!(session.messages[1].content, "12");
    // Unknown values serialize back verbatim.
    assert_eq!(serde_json::to_value(&session.status).unwrap(), "dreaming");

    let video: Video = serde_json::from_str(
        r#"{"video_id": "v1", "status": "waiting", "duration": "12.5", "video_url": null, "extra": []}"#,
    )
    .unwrap();
    assert_eq!(video.id, "v1");
    assert_eq!(video.status, VideoStatus::Waiting);
    assert_eq!(video.duration, Some(12.5));
    let both: Video =
        serde_json::from_str(r#"{"id": "v9", "video_id": "v9", "status": "completed"}"#).unwrap();
    assert_eq!(both.id, "v9");
    assert!(serde_json::from_str::<Video>(r#"{"status": "completed"}"#).is_err());
    let round: Video = serde_json::from_value(serde_json::to_value(&both).unwrap()).unwrap();
    assert_eq!(round, both);

    let user: User = serde_json::from_str(
        r#"{"username": "ana", "first_name": "Ana", "last_name": null, "billing_type": "subscription",
            "subscription": {"plan": "pro", "credits": {"premium_credits": {"remaining": 120, "resets_at": "2026-12-01T00:00:00Z"},
                              "add_on_credits": {"remaining": 5.5}}}}"#,
    )
    .unwrap();
    assert_eq!(user.display_name(), "Ana");
    let balance = user.balance().unwrap();
    assert_eq!(
        (balance.amount, balance.unit),
        (125.5, BalanceUnit::Credits)
    );
    let wallet: User = serde_json::from_str(
        r#"{"username": "bo", "billing_type": "wallet", "wallet": {"currency": "usd", "remaining_balance": 9.25, "auto_reload": {"enabled": true}}}"#,
    )
    .unwrap();
    assert_eq!(wallet.balance().unwrap().unit, BalanceUnit::Usd);
    let usage: User = serde_json::from_str(
        r#"{"username": "cy", "billing_type": "usage_based", "usage_based": {"remaining_credits": 3}}"#,
    )
    .unwrap();
    assert_eq!(usage.balance().unwrap().amount, 3.0);
    assert_eq!(usage.display_name(), "cy");
}

#[test]
fn page_skips_items_that_do_not_decode() {
    let body = br#"{"data": [{"voice_id": "v1", "name": "A", "type": "public", "support_pause": 1},
                              {"name": "no id"}, 42, null,
                              {"voice_id": "v2", "type": "cloned"}],
                    "next_token": "t2"}"#;
    let page: Page<Voice> = decode_success(200, &HeaderMap::new(), body).unwrap();
    let ids: Vec<&str> = page.data.iter().map(|v| v.voice_id.as_str()).collect();
    assert_eq!(ids, ["v1", "v2"]);
    assert!(page.data[0].support_pause);
    assert_eq!(
        page.data[1].voice_type,
        Some(VoiceType::Other("cloned".into()))
    );
    // has_more absent but a token present: there is a next page.
    assert_eq!(page.next(), Some("t2"));
    let empty: Page<Voice> = decode_success(200, &HeaderMap::new(), br#"{"data": null}"#).unwrap();
    assert!(empty.data.is_empty() && empty.next().is_none());
}

#[test]
fn direct_upload_and_resources() {
    let upload: DirectUpload = serde_json::from_str(
        r#"{"asset_id": "a1", "upload_url": "https://s3/x", "upload_headers": {"Content-Type": "video/mp4", "x-amz-meta-n": 5, "nested": {}},
            "expires_in_seconds": 900, "max_bytes": 5000000000, "status": "pending_upload"}"#,
    )
    .unwrap();
    assert_eq!(upload.upload_headers.len(), 2);
    assert_eq!(upload.upload_headers["x-amz-meta-n"], "5");
    assert_eq!(upload.status, Some(AssetStatus::PendingUpload));
    let resource: Resource = serde_json::from_str(
        r#"{"resource_id": "r1", "resource_type": "draft", "source_type": "generated",
            "metadata": {"scenes": [{"text": "Hi"}], "whatever": true}}"#,
    )
    .unwrap();
    assert!(resource.is_draft());
    assert_eq!(resource.metadata.unwrap()["scenes"][0]["text"], "Hi");
}

#[test]
fn legacy_session_shapes() {
    let session: legacy::LegacySession =
        serde_json::from_str(r#"{"session_id": "s", "status": "processing", "messages": null}"#)
            .unwrap();
    assert_eq!(session.status, legacy::LegacySessionStatus::Processing);
    let body = serde_json::to_value(legacy::LegacyCreateSessionRequest {
        prompt: "p".into(),
        auto_proceed: Some(true),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        body,
        serde_json::json!({"prompt": "p", "auto_proceed": true})
    );
}
