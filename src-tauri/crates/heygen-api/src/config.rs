//! Client configuration: where to talk, how to authenticate, how patient to be.

use std::time::Duration;

use crate::secret::Secret;

/// HeyGen's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.heygen.com";

/// Files up to this size use the simple multipart upload; larger ones the direct upload.
/// The spec's limit is "32 MB"; the decimal reading is the safe side of both interpretations.
pub const SIMPLE_UPLOAD_MAX_BYTES: u64 = 32_000_000;

/// `VideoAgentStudio/<crate version>`.
pub fn default_user_agent() -> String {
    format!("VideoAgentStudio/{}", env!("CARGO_PKG_VERSION"))
}

/// How requests authenticate: exactly one of the two headers is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `X-Api-Key: <key>`.
    ApiKey(Secret),
    /// `Authorization: Bearer <OAuth access token>` (a fixed token, never refreshed).
    Bearer(Secret),
    /// `Authorization: Bearer` with a signed-in session's access token, refreshed 60 s before
    /// it expires and once after a 401 (then the request is sent again).
    OAuth(crate::session::SharedSession),
}

/// Per-kind request timeouts (total time for one attempt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// GET/HEAD/DELETE: 30 s.
    pub read: Duration,
    /// POST/PUT/PATCH with a JSON body: 120 s.
    pub write: Duration,
    /// File uploads (multipart and presigned PUT): 10 min.
    pub upload: Duration,
    /// Establishing a connection: 10 s.
    pub connect: Duration,
    /// Downloads have no total limit; this is the longest silence between two chunks: 60 s.
    pub download_idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            read: Duration::from_secs(30),
            write: Duration::from_secs(120),
            upload: Duration::from_secs(600),
            connect: Duration::from_secs(10),
            download_idle: Duration::from_secs(60),
        }
    }
}

/// Retries as HeyGen's own client does them: up to 2 retries, backoff 1 s doubling with ±25 %
/// jitter capped at 30 s, `Retry-After` honoured when larger (up to `retry_after_cap`). 429 is
/// retried for every method; 500/502/503/504 and network errors only for idempotent methods.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay before the first retry; doubles each time.
    pub base_delay: Duration,
    /// Upper bound of the computed backoff.
    pub max_delay: Duration,
    /// Relative jitter applied to the backoff, 0.25 = ±25 %.
    pub jitter: f64,
    /// Longest `Retry-After` the client waits out by itself.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            jitter: 0.25,
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (0-based), given the server's `Retry-After`.
    /// `random` is a sample in `[0, 1)` that drives the jitter.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        let doubled = self.base_delay.as_secs_f64() * 2f64.powi(retry.min(30) as i32);
        let capped = doubled.min(self.max_delay.as_secs_f64());
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 + jitter * (2.0 * random.clamp(0.0, 1.0) - 1.0);
        let backoff =
            Duration::from_secs_f64((capped * factor).clamp(0.0, self.max_delay.as_secs_f64()));
        match retry_after {
            Some(asked) if asked > backoff => asked.min(self.retry_after_cap),
            _ => backoff,
        }
    }
}

/// What the client is about to wait out before retrying a request (see [`RetryHook`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryNotice {
    /// The failure's stable code (`rate_limited`, `network_error`, `server_error`, …).
    pub code: String,
    /// A 429: the server asked every request to slow down, not just this one.
    pub rate_limited: bool,
    /// 1 for the first retry.
    pub retry: u32,
    /// How long the client waits before retrying (`Retry-After` when the server gave one).
    pub delay: Duration,
}

/// Called before each retry's wait, so an app can say why nothing seems to happen (a 429's
/// countdown) while the client waits by itself instead of only after its retries ran out.
#[derive(Clone)]
pub struct RetryHook(std::sync::Arc<dyn Fn(&RetryNotice) + Send + Sync>);

impl RetryHook {
    pub fn new(f: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Self {
        RetryHook(std::sync::Arc::new(f))
    }

    pub(crate) fn notify(&self, notice: &RetryNotice) {
        (self.0)(notice)
    }
}

impl std::fmt::Debug for RetryHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RetryHook(..)")
    }
}

/// Everything the client needs. Build with [`ClientConfig::new`] and adjust fields.
/// `Debug` redacts the credentials and any password in the proxy URL.
#[derive(Clone)]
pub struct ClientConfig {
    /// `https://api.heygen.com`, or `http://127.0.0.1:PORT` for a local agent. Plain `http` is
    /// accepted only for loopback hosts.
    pub base_url: String,
    pub auth: Auth,
    pub user_agent: String,
    /// `http://`, `https://` or `socks5://` proxy for all traffic; `None` = connect directly.
    pub proxy: Option<String>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    /// Files larger than this use the three-step direct upload (tests lower it to force it).
    pub simple_upload_max_bytes: u64,
    /// Told before every retry's wait; `None` = retry silently.
    pub on_retry: Option<RetryHook>,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, auth: Auth) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            auth,
            user_agent: default_user_agent(),
            proxy: None,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            simple_upload_max_bytes: SIMPLE_UPLOAD_MAX_BYTES,
            on_retry: None,
        }
    }

    /// Production HeyGen with an API key.
    pub fn with_api_key(key: Secret) -> Self {
        ClientConfig::new(DEFAULT_BASE_URL, Auth::ApiKey(key))
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("simple_upload_max_bytes", &self.simple_upload_max_bytes)
            .field("on_retry", &self.on_retry)
            .finish()
    }
}

/// `http://user:pass@host:3128` → `http://<redacted>@host:3128`.
fn redact_userinfo(proxy: &str) -> String {
    match (proxy.find("://"), proxy.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}<redacted>{}", &proxy[..scheme_end + 3], &proxy[at..])
        }
        (None, Some(at)) => format!("<redacted>{}", &proxy[at..]),
        _ => proxy.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_key_and_proxy_password() {
        let mut config = ClientConfig::with_api_key(Secret::new("sk-123"));
        config.proxy = Some("http://bob:hunter2@proxy.local:3128".into());
        let text = format!("{config:?}");
        assert!(
            !text.contains("sk-123") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(
            text.contains("http://<redacted>@proxy.local:3128"),
            "{text}"
        );
        assert_eq!(redact_userinfo("socks5://h:1080"), "socks5://h:1080");
        assert_eq!(redact_userinfo("u:p@h:1"), "<redacted>@h:1");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_cap() {
        let policy = RetryPolicy::default();
        // random = 0.5 → no jitter.
        assert_eq!(policy.delay(0, None, 0.5), Duration::from_secs(1));
        assert_eq!(policy.delay(1, None, 0.5), Duration::from_secs(2));
        assert_eq!(policy.delay(2, None, 0.5), Duration::from_secs(4));
        assert_eq!(policy.delay(10, None, 0.5), Duration::from_secs(30));
        // Extremes of the jitter: ±25 %.
        assert_eq!(policy.delay(0, None, 0.0), Duration::from_millis(750));
        assert_eq!(policy.delay(0, None, 1.0), Duration::from_millis(1250));
        // Never above the cap, even with jitter.
        assert_eq!(policy.delay(10, None, 1.0), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_wins_when_larger_and_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(5)), 0.5),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.delay(3, Some(Duration::from_secs(1)), 0.5),
            Duration::from_secs(8)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600)), 0.5),
            Duration::from_secs(60)
        );
    }
}
