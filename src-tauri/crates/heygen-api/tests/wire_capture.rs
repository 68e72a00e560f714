//! What goes over the wire, checked with a tiny recording HTTP server on loopback: exactly one
//! auth header (and none to presigned URLs), the exact upload headers, Content-Length on a
//! streamed PUT, User-Agent, Idempotency-Key, and that a configured proxy is really used.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use heygen_api::models::{AssetStatus, CreateVideoAgentRequest, DirectUpload};
use heygen_api::{Auth, Client, ClientConfig, RetryPolicy, Secret};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
struct Recorded {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Answers every request with `status` and `body` and records what it received.
struct Recorder {
    base_url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    async fn start(status: u16, body: &'static str) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let sink = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    let Some(recorded) = read_request(&mut reader).await else {
                        return;
                    };
                    sink.lock().unwrap().push(recorded);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_cap\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = write.write_all(reply.as_bytes()).await;
                    let _ = write.shutdown().await;
                });
            }
        });
        Recorder { base_url, seen }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> Option<Recorded> {
    let mut request_line = String::new();
    reader.read_line(&mut request_line).await.ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).await.ok()?;
    } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line).await.ok()?;
            let size = usize::from_str_radix(size_line.trim(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await.ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(Recorded {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    })
}

fn client(base_url: &str, auth: Auth) -> Client {
    let mut config = ClientConfig::new(base_url, auth);
    config.retry = RetryPolicy::none();
    Client::new(config).unwrap()
}

const USER: &str = r#"{"data": {"username": "rec"}}"#;

#[tokio::test]
async fn api_calls_carry_exactly_one_auth_header_and_the_user_agent() {
    let recorder = Recorder::start(200, USER).await;
    client(&recorder.base_url, Auth::ApiKey(Secret::new("key-abc")))
        .get_current_user()
        .await
        .unwrap();
    client(&recorder.base_url, Auth::Bearer(Secret::new("tok-xyz")))
        .get_current_user()
        .await
        .unwrap();
    let requests = recorder.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].request_line, "GET /v3/users/me HTTP/1.1");
    assert_eq!(requests[0].header("x-api-key"), ["key-abc"]);
    assert!(requests[0].header("authorization").is_empty());
    assert_eq!(requests[1].header("authorization"), ["Bearer tok-xyz"]);
    assert!(requests[1].header("x-api-key").is_empty());
    let agent = format!("VideoAgentStudio/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(requests[0].header("user-agent"), [agent.as_str()]);
}

#[tokio::test]
async fn create_sends_json_body_and_idempotency_key() {
    let recorder = Recorder::start(
        200,
        r#"{"data": {"session_id": "s1", "status": "thinking", "video_id": null}}"#,
    )
    .await;
    let api = client(&recorder.base_url, Auth::ApiKey(Secret::new("k")));
    let mut request = CreateVideoAgentRequest::new("A 10-second clip.");
    request.style_id = Some("style_a".into());
    let created = api
        .create_video_agent(&request, Some("job_1:attempt.a-b"))
        .await
        .unwrap();
    assert_eq!(created.video_id, None);
    let recorded = &recorder.requests()[0];
    assert_eq!(recorded.request_line, "POST /v3/video-agents HTTP/1.1");
    assert_eq!(recorded.header("idempotency-key"), ["job_1:attempt.a-b"]);
    assert_eq!(recorded.header("content-type"), ["application/json"]);
    let body: serde_json::Value = serde_json::from_slice(&recorded.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"prompt": "A 10-second clip.", "style_id": "style_a"})
    );
}

#[tokio::test]
async fn presigned_put_sends_exact_headers_length_and_no_auth() {
    let storage = Recorder::start(200, "").await;
    // Plain-http transfer URLs are accepted only from the configured (loopback) API's origin.
    let api = client(&storage.base_url, Auth::ApiKey(Secret::new("key-secret-1")));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let upload = DirectUpload {
        asset_id: "a1".into(),
        upload_url: format!("{}/bucket/a1?X-Sig=abc", storage.base_url),
        upload_headers: BTreeMap::from([
            (
                "Content-Type".to_owned(),
                "application/octet-stream".to_owned(),
            ),
            ("x-upload-token".to_owned(), "tok123".to_owned()),
        ]),
        expires_in_seconds: Some(900),
        max_bytes: Some(1_000_000),
        status: Some(AssetStatus::PendingUpload),
    };
    api.put_direct_upload(&upload, &path, None)
        .await
        .expect("put");
    let put = &storage.requests()[0];
    assert_eq!(put.request_line, "PUT /bucket/a1?X-Sig=abc HTTP/1.1");
    assert_eq!(put.header("content-type"), ["application/octet-stream"]);
    assert_eq!(put.header("x-upload-token"), ["tok123"]);
    assert_eq!(put.header("content-length"), ["700000"]);
    assert!(put.header("transfer-encoding").is_empty());
    assert!(put.header("x-api-key").is_empty() && put.header("authorization").is_empty());
    assert!(put.body == data);

    // Larger than the upload allows: refused before sending.
    let small = DirectUpload {
        max_bytes: Some(10),
        ..upload
    };
    let err = api
        .put_direct_upload(&small, &path, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_request");
    assert_eq!(storage.requests().len(), 1);
}

#[tokio::test]
async fn downloads_send_no_auth_and_only_https_or_loopback() {
    let cdn = Recorder::start(200, "0123456789").await;
    let api = client(&cdn.base_url, Auth::ApiKey(Secret::new("key-secret-2")));
    let mut download = api
        .download(&format!("{}/v/video.mp4?sig=1", cdn.base_url), 0)
        .await
        .unwrap();
    let chunk = download.next_chunk().await.unwrap().unwrap();
    assert_eq!(&chunk[..], b"0123456789");
    let get = &cdn.requests()[0];
    assert!(get.header("x-api-key").is_empty() && get.header("authorization").is_empty());
    assert!(get.header("range").is_empty());
    let _ = api
        .download(&format!("{}/v/video.mp4", cdn.base_url), 5)
        .await
        .unwrap();
    assert_eq!(cdn.requests()[1].header("range"), ["bytes=5-"]);

    let other_local_service = "http://127.0.0.1:6379/";
    for refused in [
        "http://cdn.example.com/v.mp4",
        other_local_service,
        "ftp://127.0.0.1/v.mp4",
        "file:///etc/hosts",
        "nonsense",
    ] {
        let err = api.download(refused, 0).await.unwrap_err();
        assert_eq!(err.code(), "invalid_url", "{refused}");
    }
    assert_eq!(cdn.requests().len(), 2);
}

#[tokio::test]
async fn a_configured_proxy_carries_the_requests() {
    let proxy = Recorder::start(200, USER).await;
    // A remote API host (it does not exist; only the proxy sees the request). Loopback hosts
    // bypass the proxy (the offline agent's traffic and key never go to a proxy), so the host
    // here must not be one.
    let mut config =
        ClientConfig::new("https://api.heygen.invalid", Auth::ApiKey(Secret::new("k")));
    config.proxy = Some(proxy.base_url.clone());
    config.retry = RetryPolicy::none();
    // HTTPS through an HTTP proxy is a CONNECT tunnel; the recorder is no TLS server, so the
    // call fails after the proxy was asked for the tunnel.
    let _ = Client::new(config).unwrap().get_current_user().await;
    let requests = proxy.requests();
    assert!(
        requests.first().is_some_and(|r| r
            .request_line
            .starts_with("CONNECT api.heygen.invalid:443 ")),
        "{:?}",
        requests.iter().map(|r| &r.request_line).collect::<Vec<_>>()
    );

    let mut bad = ClientConfig::new("http://127.0.0.1:9", Auth::ApiKey(Secret::new("k")));
    bad.proxy = Some("::not a proxy::".into());
    assert_eq!(Client::new(bad).unwrap_err().code(), "invalid_config");
}

#[test]
fn config_debug_never_shows_the_key() {
    let config = ClientConfig::with_api_key(Secret::new("sk-very-secret"));
    let text = format!("{config:?}");
    assert!(!text.contains("sk-very-secret"), "{text}");
    assert!(text.contains("<redacted>"));
    let client = Client::new(config).unwrap();
    assert!(!format!("{client:?}").contains("sk-very-secret"));
}

#[tokio::test]
async fn a_huge_error_page_is_read_only_in_part() {
    let page: &'static str =
        Box::leak(format!("<html>{}</html>", "x".repeat(4 * 1024 * 1024)).into_boxed_str());
    let gateway = Recorder::start(502, page).await;
    let err = client(&gateway.base_url, Auth::ApiKey(Secret::new("k")))
        .get_current_user()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "bad_gateway");
    assert!(err.to_string().contains("HTML"), "{err}");
    assert_eq!(err.request_id(), Some("req_cap"));
}

fn oauth_client(server: &str) -> heygen_api::oauth::OAuthClient {
    let mut config =
        heygen_api::oauth::OAuthConfig::new("app_42", "http://127.0.0.1:53682/callback");
    config.token_url = format!("{server}/v1/oauth/token");
    config.revoke_url = format!("{server}/v1/oauth/revoke");
    config.retry = RetryPolicy::none();
    heygen_api::oauth::OAuthClient::new(config).unwrap()
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[tokio::test]
async fn oauth_code_exchange_refresh_and_revoke() {
    let server = Recorder::start(
        200,
        r#"{"token_type": "Bearer", "access_token": "at-1", "expires_in": 864000, "refresh_token": "rt-1"}"#,
    )
    .await;
    let oauth = oauth_client(&server.base_url);
    let request = oauth.authorization_request();
    let tokens = oauth
        .exchange_code("code-9", &request.code_verifier)
        .await
        .unwrap();
    assert_eq!(tokens.access_token.expose(), "at-1");
    assert_eq!(
        tokens.refresh_token.as_ref().map(Secret::expose),
        Some("rt-1")
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.request_line, "POST /v1/oauth/token HTTP/1.1");
    assert_eq!(
        sent.header("content-type"),
        ["application/x-www-form-urlencoded"]
    );
    assert!(sent.header("authorization").is_empty() && sent.header("x-api-key").is_empty());
    let fields = form(&sent.body);
    assert_eq!(fields["grant_type"], "authorization_code");
    assert_eq!(fields["code"], "code-9");
    assert_eq!(fields["client_id"], "app_42");
    assert_eq!(fields["redirect_uri"], "http://127.0.0.1:53682/callback");
    assert_eq!(fields["code_verifier"], request.code_verifier.expose());

    // A refresh answer without a refresh token keeps the old one; the API client switches to it.
    let refresh_server = Recorder::start(
        200,
        r#"{"token_type": "Bearer", "access_token": "at-2", "expires_in": 10}"#,
    )
    .await;
    let refreshed = oauth_client(&refresh_server.base_url)
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.access_token.expose(), "at-2");
    assert_eq!(
        refreshed.refresh_token.as_ref().map(Secret::expose),
        Some("rt-1")
    );
    assert_eq!(
        form(&refresh_server.requests()[0].body)["grant_type"],
        "refresh_token"
    );
    let api = Recorder::start(200, USER).await;
    client(&api.base_url, refreshed.auth())
        .get_current_user()
        .await
        .unwrap();
    assert_eq!(api.requests()[0].header("authorization"), ["Bearer at-2"]);

    let revoke_server = Recorder::start(200, "").await;
    oauth_client(&revoke_server.base_url)
        .revoke(&refreshed.access_token)
        .await
        .expect("revoke");
    assert_eq!(form(&revoke_server.requests()[0].body)["token"], "at-2");
}

#[tokio::test]
async fn oauth_errors_keep_their_code() {
    let server = Recorder::start(
        400,
        r#"{"error": "invalid_grant", "error_description": "The code has expired."}"#,
    )
    .await;
    let err = oauth_client(&server.base_url)
        .exchange_code("old", &Secret::new("verifier"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_grant");
    assert_eq!(err.to_string(), "The code has expired.");
    assert!(!format!("{err:?}").contains("verifier"));
}
