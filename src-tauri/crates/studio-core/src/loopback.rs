//! The loopback redirect of a desktop sign-in (RFC 8252 §7.3): a listener on
//! `127.0.0.1:<ephemeral port>` that waits for the browser's one `GET /callback?…`, answers it
//! with a page saying the tab can be closed, and then stops listening. Other paths (a browser's
//! `/favicon.ico`) get a 404 and the wait goes on; a callback whose `state` is not this sign-in's
//! ends the sign-in with an error (something other than our authorize page sent it).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, ErrorCode, Result};

/// How long a sign-in waits for the browser.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);
const CALLBACK_PATH: &str = "/callback";

pub struct LoopbackRedirect {
    listener: TcpListener,
    port: u16,
}

/// What the browser brought back.
#[derive(Debug)]
pub enum Callback {
    Code(crate::oauth::Sensitive<String>),
    /// `?error=…` (e.g. `access_denied` when the user pressed Deny).
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// The sign-in's loopback listener could not start (no free port, loopback down).
fn cannot_listen(e: &std::io::Error) -> CoreError {
    invalid(
        ErrorCode::SignInFailed,
        format!("Sign-in could not start: could not listen on 127.0.0.1 for the browser's answer ({e})."),
    )
}

fn invalid(code: ErrorCode, message: impl Into<String>) -> CoreError {
    CoreError::Invalid {
        code,
        param: None,
        message: message.into(),
    }
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:5rem auto;padding:0 1rem}}</style>\
         </head><body><h1 id=\"result\">{title}</h1><p>{text}</p></body></html>"
    )
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The request target of the first line (`GET /callback?… HTTP/1.1`), read within 10 s.
async fn read_target(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let text = String::from_utf8_lossy(&buf);
    let mut parts = text.lines().next()?.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    Some((method, target))
}

impl LoopbackRedirect {
    pub async fn bind() -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| cannot_listen(&e))?;
        let port = listener.local_addr().map_err(|e| cannot_listen(&e))?.port();
        Ok(LoopbackRedirect { listener, port })
    }

    /// `http://127.0.0.1:<port>/callback`
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for the one callback carrying `state`, at most `timeout`, or until `cancel`.
    pub async fn wait(
        self,
        state: &str,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<Callback> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::select! {
                _ = cancel.cancelled() => {
                    return Err(invalid(ErrorCode::SignInCancelled, "Sign-in was cancelled."));
                }
                _ = tokio::time::sleep_until(deadline) => {
                    let waited = if timeout.as_secs() >= 60 {
                        format!("{} minutes", timeout.as_secs() / 60)
                    } else {
                        format!("{} seconds", timeout.as_secs())
                    };
                    return Err(invalid(
                        ErrorCode::SignInTimeout,
                        format!("Sign-in timed out: the browser did not come back within {waited} (was it closed?). You are not signed in; try again."),
                    ));
                }
                accepted = self.listener.accept() => accepted,
            };
            let Ok((mut stream, _)) = accepted else {
                continue;
            };
            let Some((method, target)) = read_target(&mut stream).await else {
                continue;
            };
            let url = match url::Url::parse(&format!("http://127.0.0.1{target}")) {
                Ok(url) if method == "GET" && url.path() == CALLBACK_PATH => url,
                _ => {
                    respond(&mut stream, "404 Not Found", &page("Not found", "")).await;
                    continue;
                }
            };
            let get = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            if get("state").as_deref() != Some(state) {
                respond(
                    &mut stream,
                    "400 Bad Request",
                    &page(
                        "Sign-in failed",
                        "This answer does not belong to the sign-in the app started. Go back to Video Agent Studio and try again.",
                    ),
                )
                .await;
                return Err(invalid(
                    ErrorCode::StateMismatch,
                    "Sign-in failed: the browser's answer did not match this sign-in (state). Nothing was stored; try again.",
                ));
            }
            if let Some(error) = get("error") {
                respond(
                    &mut stream,
                    "200 OK",
                    &page(
                        "Sign-in was not completed",
                        "You can close this tab and return to Video Agent Studio.",
                    ),
                )
                .await;
                return Ok(Callback::Denied {
                    error: error
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .take(64)
                        .collect(),
                    description: get("error_description").map(|d| d.chars().take(200).collect()),
                });
            }
            let Some(code) = get("code").filter(|c| !c.is_empty()) else {
                respond(
                    &mut stream,
                    "400 Bad Request",
                    &page("Sign-in failed", "No code."),
                )
                .await;
                return Err(invalid(
                    ErrorCode::SignInFailed,
                    "Sign-in failed: the answer had no code.",
                ));
            };
            respond(
                &mut stream,
                "200 OK",
                &page(
                    "Signed in",
                    "You can close this tab and return to Video Agent Studio.",
                ),
            )
            .await;
            return Ok(Callback::Code(crate::oauth::Sensitive::new(code)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn one_matching_callback_then_closed() {
        let lb = LoopbackRedirect::bind().await.unwrap();
        let uri = lb.redirect_uri();
        let base = uri.trim_end_matches(CALLBACK_PATH).to_string();
        let waiting = tokio::spawn(async move {
            lb.wait("s1", Duration::from_secs(10), CancellationToken::new())
                .await
        });
        assert_eq!(get(&format!("{base}/favicon.ico")).await.0, 404);
        let (status, body) = get(&format!("{uri}?code=c1&state=s1")).await;
        assert_eq!(status, 200);
        assert!(body.contains("You can close this tab"));
        match waiting.await.unwrap().unwrap() {
            Callback::Code(code) => assert_eq!(code.expose(), "c1"),
            other => panic!("{other:?}"),
        }
        // The listener is gone.
        assert!(reqwest::get(&format!("{uri}?code=c2&state=s1"))
            .await
            .is_err());
    }

    #[tokio::test]
    async fn wrong_state_fails_and_timeout_and_cancel_end_the_wait() {
        let lb = LoopbackRedirect::bind().await.unwrap();
        let uri = lb.redirect_uri();
        let waiting = tokio::spawn(async move {
            lb.wait("s1", Duration::from_secs(10), CancellationToken::new())
                .await
        });
        assert_eq!(get(&format!("{uri}?code=c1&state=forged")).await.0, 400);
        let err = waiting.await.unwrap().unwrap_err();
        assert_eq!(err.code(), "state_mismatch");

        let lb = LoopbackRedirect::bind().await.unwrap();
        let err = lb
            .wait("s", Duration::from_millis(50), CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "sign_in_timeout");

        let lb = LoopbackRedirect::bind().await.unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let err = lb
            .wait("s", Duration::from_secs(10), cancel)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "sign_in_cancelled");
    }
}
