//! Issue 12 item 3: the API key never follows a redirect. API calls follow none; transfers
//! (downloads) and presigned uploads follow one only when the next hop passes the same URL policy
//! as the first URL (https, or plain http to the configured local agent).
//!
//! Two raw loopback servers: one answers every request with a redirect, the other ("thief")
//! records whatever reaches it. Nothing may reach the thief.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use heygen_api::models::DirectUpload;
use heygen_api::{Auth, Client, ClientConfig, RetryPolicy, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "redirect-test-key-9e1";

/// A tiny HTTP/1.1 server: `answer(request head)` gives the raw response; every request head
/// is recorded.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn serve(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                log.lock().unwrap().push(head.clone());
                let _ = socket.write_all(answer(&head).as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Server { port, seen }
}

fn redirect_to(location: String) -> impl Fn(&str) -> String + Send + Sync + 'static {
    move |_| {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }
}

async fn thief() -> Server {
    serve(|_| {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            .to_string()
    })
    .await
}

fn client(port: u16) -> Client {
    let mut config = ClientConfig::new(
        format!("http://127.0.0.1:{port}"),
        Auth::ApiKey(Secret::new(KEY)),
    );
    config.retry = RetryPolicy::none();
    config.timeouts.read = Duration::from_secs(5);
    Client::new(config).unwrap()
}

#[tokio::test]
async fn an_api_call_does_not_follow_a_redirect() {
    let thief = thief().await;
    let api = serve(redirect_to(format!(
        "http://127.0.0.1:{}/v3/users/me",
        thief.port
    )))
    .await;
    let result = client(api.port).get_current_user().await;
    assert!(result.is_err(), "a redirect answered the API call");
    assert_eq!(api.seen.lock().unwrap().len(), 1);
    let stolen = thief.seen.lock().unwrap().clone();
    assert!(
        stolen.is_empty(),
        "the API call followed the redirect (key sent along: {}): {stolen:?}",
        stolen.iter().any(|h| h.contains(KEY))
    );
}

#[tokio::test]
async fn a_download_does_not_follow_a_redirect_the_url_policy_refuses() {
    let thief = thief().await;
    let agent = serve(redirect_to(format!(
        "http://127.0.0.1:{}/video.mp4",
        thief.port
    )))
    .await;
    let client = client(agent.port);
    let url = format!("http://127.0.0.1:{}/cdn/v/x/video.mp4", agent.port);
    assert!(client.download(&url, 0).await.is_err());
    assert!(
        thief.seen.lock().unwrap().is_empty(),
        "the download followed a redirect to another loopback service"
    );
}

#[tokio::test]
async fn a_download_follows_a_redirect_within_the_policy() {
    let agent = serve(|head| {
        if head.starts_with("GET /cdn/first") {
            "HTTP/1.1 302 Found\r\nLocation: /cdn/second\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
        } else {
            "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_string()
        }
    })
    .await;
    let client = client(agent.port);
    let url = format!("http://127.0.0.1:{}/cdn/first", agent.port);
    let mut stream = client.download(&url, 0).await.unwrap();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next_chunk().await {
        body.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(body, b"hello");
}

#[tokio::test]
async fn a_presigned_upload_does_not_follow_a_redirect_the_url_policy_refuses() {
    let thief = thief().await;
    let store = serve(redirect_to(format!(
        "http://127.0.0.1:{}/upload",
        thief.port
    )))
    .await;
    let client = client(store.port);
    let upload: DirectUpload = serde_json::from_value(serde_json::json!({
        "asset_id": "asset_1",
        "upload_url": format!("http://127.0.0.1:{}/presigned/put", store.port),
        "upload_headers": {"Content-Type": "image/png"},
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.png");
    std::fs::write(&file, b"not really a png").unwrap();
    let _ = client.put_direct_upload(&upload, &file, None).await;
    assert!(
        thief.seen.lock().unwrap().is_empty(),
        "the presigned upload followed a redirect to another loopback service"
    );
}
