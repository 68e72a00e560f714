//! Assets as HeyGen handles them (issue 11 item 4), against the local agent in HeyGen mode: a
//! completed direct upload stays `processing` for a while and a create naming it is refused with
//! `asset_not_available`; `GET /v3/assets/statuses` says when it is ready; an upload whose
//! presigned URL expired is renewed with a fresh URL instead of replaying the expired one.

mod common;

use std::time::Duration;

use common::{write_wav, Harness};
use heygen_api::models::{AssetInput, AssetReadiness, CreateVideoAgentRequest};
use heygen_api::{UploadMethod, UploadOptions};
use serde_json::json;

#[tokio::test]
async fn a_processing_asset_is_refused_until_its_status_says_completed() {
    let h = Harness::start_with(|c| c.simple_upload_max_bytes = 64 * 1024).await;
    let wav = h.work.join("music.wav");
    write_wav(&wav, 6);
    let uploaded = h
        .client
        .upload_file(&wav, &UploadOptions::default())
        .await
        .expect("direct upload");
    assert_eq!(uploaded.method, UploadMethod::Direct);
    let id = uploaded.asset.asset_id.clone();
    let statuses = h
        .client
        .asset_statuses(std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(statuses.status_of(&id), Some(&AssetReadiness::Processing));
    let mut request = CreateVideoAgentRequest::new("A 2-second clip with the attached music.");
    request.files = vec![AssetInput::asset_id(&id)];
    let refused = h
        .client
        .create_video_agent(&request, None)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "asset_not_available", "{refused:?}");
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let s = h
                .client
                .asset_statuses(std::slice::from_ref(&id))
                .await
                .unwrap();
            if s.status_of(&id).is_some_and(AssetReadiness::is_ready) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the asset becomes ready");
    h.client
        .create_video_agent(&request, None)
        .await
        .expect("accepted once completed");
    let unknown = h
        .client
        .asset_statuses(&["asset_missing".to_string()])
        .await
        .unwrap();
    assert_eq!(
        unknown.status_of("asset_missing"),
        Some(&AssetReadiness::NotFound)
    );
    h.shutdown().await;
}

#[tokio::test]
async fn an_expired_upload_url_is_renewed_not_replayed() {
    let h = Harness::start_with(|c| c.simple_upload_max_bytes = 64 * 1024).await;
    let wav = h.work.join("voice.wav");
    write_wav(&wav, 6);
    // The presigned PUT answers 403 as an expired URL does; asking again with the same key
    // would replay the same URL (the server keeps keys for 24 h).
    h.faults(json!({"rules": [
        {"route": "PUT /uploads/*", "kind": "status", "status": 403, "count": 1},
    ]}))
    .await;
    let options = UploadOptions {
        idempotency_key: Some("vas-upload-expiry-test".into()),
        ..Default::default()
    };
    let uploaded = h
        .client
        .upload_file(&wav, &options)
        .await
        .expect("the upload succeeds with a fresh URL");
    assert_eq!(uploaded.method, UploadMethod::Direct);
    let stats = h.admin_get("/__admin/stats").await;
    assert_eq!(
        stats["requests"]["POST /v3/assets/direct-uploads"], 2,
        "a second direct upload was asked for: {stats}"
    );
    h.shutdown().await;
}
