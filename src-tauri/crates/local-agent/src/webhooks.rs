//! Webhook events: recorded in the event history and delivered to the session's inline
//! `callback_url` and to every enabled registered endpoint subscribed to the event type.
//!
//! Signature: header `X-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
//! plus `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`. The secret is the
//! endpoint's `whsec_…` secret; for an inline `callback_url` it is the API key (or bearer token)
//! that created the session — held in memory only, so after a restart such deliveries go unsigned.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::state::AppState;
use crate::store::WebhookEvent;
use crate::util::{new_id, now_unix};

/// Delivery history kept for `GET /v3/webhooks/events`.
const MAX_EVENTS: usize = 1000;

pub fn sign(secret: &str, ts: i64, body: &[u8]) -> (String, String) {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let v1 = hex::encode(mac.finalize().into_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(body);
    let raw = hex::encode(mac.finalize().into_bytes());
    (format!("t={ts},v1={v1}"), format!("sha256={raw}"))
}

/// Records and delivers `video_agent.success` / `video_agent.fail` for a video.
pub fn emit_for_video(state: &AppState, video_id: &str, success: bool) {
    let (data, callback) = {
        let db = state.db();
        let Some(v) = db.videos.get(video_id) else {
            return;
        };
        let s = db.sessions.get(&v.session_id);
        let callback_id = s.and_then(|s| s.params.callback_id.clone());
        let mut data = json!({
            "video_id": v.id,
            "session_id": v.session_id,
            "callback_id": callback_id,
        });
        if success {
            let url = state.video_file_url(&v.id, "video.mp4");
            data["url"] = json!(url);
            data["video_url"] = json!(url);
            data["thumbnail_url"] = json!(state.video_file_url(&v.id, "thumbnail.jpg"));
            data["subtitle_url"] = json!(state.video_file_url(&v.id, "subtitles.srt"));
            data["duration"] = json!(v.duration);
            data["title"] = json!(v.title);
        } else {
            data["msg"] = json!(v.failure_message);
            data["failure_code"] = json!(v.failure_code);
            data["failure_message"] = json!(v.failure_message);
        }
        let callback = s.and_then(|s| {
            s.params
                .callback_url
                .clone()
                .map(|u| (u, state.callback_secret(&s.id)))
        });
        (data, callback)
    };
    let event_type = if success {
        "video_agent.success"
    } else {
        "video_agent.fail"
    };
    emit(state, event_type, data, callback);
}

/// `callback`: an inline callback URL and its signing secret (None: deliver unsigned).
pub fn emit(
    state: &AppState,
    event_type: &str,
    data: serde_json::Value,
    callback: Option<(String, Option<String>)>,
) {
    let event_id = new_id("evt_");
    let created = now_unix();
    let targets: Vec<(String, Option<String>)> = state.update(|db| {
        // Keep the history bounded (newest kept).
        if db.webhook_events.len() >= MAX_EVENTS {
            let excess = db.webhook_events.len() + 1 - MAX_EVENTS;
            db.webhook_events.drain(..excess);
        }
        db.webhook_events.push(WebhookEvent {
            id: event_id.clone(),
            event_type: event_type.to_string(),
            event_data: data.clone(),
            created_at: created,
            deliveries: Vec::new(),
        });
        let mut t: Vec<(String, Option<String>)> = db
            .webhook_endpoints
            .values()
            .filter(|e| e.enabled && e.events.iter().any(|x| x == event_type || x == "*"))
            .map(|e| (e.url.clone(), Some(e.secret.clone())))
            .collect();
        if let Some(cb) = callback {
            t.push(cb);
        }
        t
    });
    let body = serde_json::to_vec(&json!({
        "event_id": event_id,
        "event_type": event_type,
        "event_data": data,
    }))
    .unwrap_or_default();
    for (url, secret) in targets {
        let st = state.clone();
        let body = body.clone();
        let eid = event_id.clone();
        tokio::spawn(async move {
            let outcome = deliver(&st, &url, secret.as_deref(), &body).await;
            st.update(|db| {
                if let Some(e) = db.webhook_events.iter_mut().find(|e| e.id == eid) {
                    e.deliveries.push(format!("{url} → {outcome}"));
                }
            });
        });
    }
}

/// Up to 3 attempts with 0.5 s, 1 s backoff; a 2xx ends it.
async fn deliver(state: &AppState, url: &str, secret: Option<&str>, body: &[u8]) -> String {
    let mut last = String::new();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(500 * (1 << (attempt - 1)))).await;
        }
        let ts = now_unix();
        let mut req = state
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("x-webhook-timestamp", ts.to_string());
        if let Some(secret) = secret {
            let (sig, sig256) = sign(secret, ts, body);
            req = req
                .header("x-webhook-signature", sig)
                .header("x-webhook-signature-256", sig256);
        }
        let res = req.body(body.to_vec()).send().await;
        match res {
            Ok(r) if r.status().is_success() => return r.status().as_u16().to_string(),
            Ok(r) => last = r.status().as_u16().to_string(),
            Err(e) => last = format!("error: {e}"),
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_of_timestamp_and_body() {
        let (sig, raw) = sign("whsec_x", 100, b"{}");
        assert!(sig.starts_with("t=100,v1="));
        assert_eq!(sig.len(), "t=100,v1=".len() + 64);
        assert!(raw.starts_with("sha256="));
        assert_ne!(sign("whsec_y", 100, b"{}").0, sig);
    }
}
