//! The HTTP core: building authenticated requests, the retry loop, envelope decoding.
//!
//! Endpoint methods live in `endpoints/`, uploads in `upload.rs`, downloads in `download.rs`;
//! they all funnel through [`Client::send_with_retry`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::config::{Auth, ClientConfig, RetryHook, RetryNotice, RetryPolicy};
use crate::error::ApiError;
use crate::models::DataEnvelope;
use crate::response::{decode_error, error_from_response};
use crate::url_policy;

/// The `X-Api-Key` header.
pub const API_KEY_HEADER: &str = "x-api-key";
/// The `Idempotency-Key` header.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// A typed client for the v3 API. Cheap to clone (shares connection pools).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// The auth header to send, or the session that supplies it per request.
enum AuthSource {
    Fixed(AuthHeader),
    Session(crate::session::SharedSession),
}

pub(crate) type AuthHeader = (HeaderName, HeaderValue);

struct Inner {
    config: ClientConfig,
    base_url: Url,
    auth: AuthSource,
    /// API calls: per-request total timeouts, and never a redirect (reqwest would forward
    /// `X-Api-Key` to wherever a `Location` points, even https → http).
    api: reqwest::Client,
    /// Presigned uploads: no auth, per-request total timeouts, redirects only within the
    /// transfer URL policy.
    presigned: reqwest::Client,
    /// CDN downloads: no auth, no total timeout, an idle (read) timeout, redirects only within
    /// the transfer URL policy.
    transfer: reqwest::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &url_policy::describe(&self.inner.base_url))
            .field("auth", &self.inner.config.auth)
            .finish()
    }
}

/// The kind of a call, which picks its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    Read,
    Write,
    Upload,
}

pub(crate) type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send>>;

impl Client {
    /// Builds a client. Fails on a base URL that is not `https` (or `http` to loopback), an
    /// unusable proxy, or a credential that cannot be a header value.
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let base_url = url_policy::parse_allowed(&config.base_url)?;
        if base_url.cannot_be_a_base() {
            return Err(ApiError::InvalidUrl {
                reason: "the base URL must look like https://host[:port][/prefix]".into(),
            });
        }
        let auth = auth_source(&config.auth)?;
        let build_failed = |e: reqwest::Error| ApiError::Config {
            message: format!("could not build the HTTP client: {}", e.without_url()),
        };
        let builder = || {
            http_client_builder(
                &config.user_agent,
                config.proxy.as_deref(),
                config.timeouts.connect,
            )
        };
        let api = builder()?
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(build_failed)?;
        let presigned = builder()?
            .redirect(transfer_redirects(base_url.clone()))
            .build()
            .map_err(build_failed)?;
        let transfer = builder()?
            .redirect(transfer_redirects(base_url.clone()))
            .read_timeout(config.timeouts.download_idle)
            .build()
            .map_err(build_failed)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                base_url,
                auth,
                api,
                presigned,
                transfer,
            }),
        })
    }

    /// A client with other credentials (e.g. a refreshed OAuth token), sharing connection pools.
    pub fn with_auth(&self, auth: Auth) -> Result<Client, ApiError> {
        let auth_state = auth_source(&auth)?;
        let mut config = self.inner.config.clone();
        config.auth = auth;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                base_url: self.inner.base_url.clone(),
                auth: auth_state,
                api: self.inner.api.clone(),
                presigned: self.inner.presigned.clone(),
                transfer: self.inner.transfer.clone(),
            }),
        })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The parsed base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// Checks an id before it becomes a path segment.
    pub(crate) fn id<'a>(value: &'a str, param: &str) -> Result<&'a str, ApiError> {
        let trimmed = value.trim();
        if trimmed.is_empty() || trimmed == "." || trimmed == ".." || trimmed.len() > 512 {
            return Err(ApiError::invalid_request(
                format!("`{param}` is not a valid id"),
                Some(param),
            ));
        }
        Ok(trimmed)
    }

    /// `base_url` + the given path segments (each percent-encoded, so ids cannot inject paths).
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub(crate) fn timeout(&self, kind: CallKind) -> Duration {
        let t = &self.inner.config.timeouts;
        match kind {
            CallKind::Read => t.read,
            CallKind::Write => t.write,
            CallKind::Upload => t.upload,
        }
    }

    /// An authenticated request to the API (`auth` from [`Client::send_authed`]).
    pub(crate) fn api_request(
        &self,
        method: Method,
        url: Url,
        kind: CallKind,
        auth: &AuthHeader,
    ) -> RequestBuilder {
        let (name, value) = auth;
        self.inner
            .api
            .request(method, url)
            .timeout(self.timeout(kind))
            .header(name.clone(), value.clone())
    }

    /// An unauthenticated request for CDN downloads: no total limit, but an idle timeout.
    pub(crate) fn transfer_request(&self, method: Method, url: Url) -> RequestBuilder {
        self.inner.transfer.request(method, url)
    }

    /// An unauthenticated request for presigned uploads. Not on the transfer client: reqwest's
    /// read timeout runs from sending until the response starts, so a long upload would trip it.
    /// The caller sets the total (upload) timeout.
    pub(crate) fn presigned_request(&self, method: Method, url: Url) -> RequestBuilder {
        self.inner.presigned.request(method, url)
    }

    /// GET `segments` with `query`, decoding `{"data": T}`.
    pub(crate) async fn get_data<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let mut url = self.endpoint(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        self.call_json::<(), DataEnvelope<T>>(Method::GET, url, None, None, true)
            .await
            .map(|e| e.data)
    }

    /// GET a list endpoint, decoding the page envelope.
    pub(crate) async fn get_page<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<crate::models::Page<T>, ApiError> {
        let mut url = self.endpoint(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        self.call_json::<(), crate::models::Page<T>>(Method::GET, url, None, None, true)
            .await
    }

    /// GET `segments` with `query`, decoding the whole body as `T` (for answers whose shape
    /// is neither `{"data": T}` alone nor a page).
    pub(crate) async fn get_json<T: DeserializeOwned + Send + 'static>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let mut url = self.endpoint(segments);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        self.call_json::<(), T>(Method::GET, url, None, None, true)
            .await
    }

    /// A method with a JSON body (POST/PUT/PATCH/DELETE), decoding `{"data": T}`.
    pub(crate) async fn send_data<B: Serialize + ?Sized, T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let url = self.endpoint(segments);
        let idempotent = is_idempotent(&method);
        self.call_json::<B, DataEnvelope<T>>(method, url, body, idempotency_key, idempotent)
            .await
            .map(|e| e.data)
    }

    /// A POST the spec documents as idempotent (e.g. `/assets/{id}/complete`): retried on
    /// 5xx/network errors like a GET.
    pub(crate) async fn post_idempotent<
        B: Serialize + ?Sized,
        T: DeserializeOwned + Send + 'static,
    >(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T, ApiError> {
        let url = self.endpoint(segments);
        self.call_json::<B, DataEnvelope<T>>(Method::POST, url, Some(body), None, true)
            .await
            .map(|e| e.data)
    }

    async fn call_json<B: Serialize + ?Sized, T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        idempotency_key: Option<&str>,
        idempotent: bool,
    ) -> Result<T, ApiError> {
        let body = match body {
            Some(body) => Some(bytes::Bytes::from(serde_json::to_vec(body).map_err(
                |e| {
                    ApiError::invalid_request(
                        format!("could not encode the request body: {e}"),
                        None,
                    )
                },
            )?)),
            None => None,
        };
        let idempotency = match idempotency_key {
            Some(key) => Some(idempotency_header(key)?),
            None => None,
        };
        let kind = if method == Method::GET || method == Method::HEAD || method == Method::DELETE {
            CallKind::Read
        } else {
            CallKind::Write
        };
        let path_for_log = url.path().to_owned();
        let make = |auth: &AuthHeader| {
            let mut request = self.api_request(method.clone(), url.clone(), kind, auth);
            if let Some(value) = &idempotency {
                request = request.header(IDEMPOTENCY_KEY_HEADER, value.clone());
            }
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            Ok(request)
        };
        tracing::debug!(method = %method, path = %path_for_log, "api call");
        self.send_authed(idempotent, make, |response| {
            Box::pin(read_json::<T>(response))
        })
        .await
    }

    /// The auth header for the next request (a session's token, refreshed first if it is about
    /// to expire) and the token it carries.
    async fn auth_now(&self) -> Result<(AuthHeader, Option<crate::secret::Secret>), ApiError> {
        match &self.inner.auth {
            AuthSource::Fixed(header) => Ok((header.clone(), None)),
            AuthSource::Session(session) => {
                let token = session.access_token().await?;
                Ok((auth_header(&Auth::Bearer(token.clone()))?, Some(token)))
            }
        }
    }

    /// [`send_with_retry`](Self::send_with_retry) for API calls: `make` gets the auth header.
    /// With a session, a 401 refreshes the token once and sends the request again (a 401 means
    /// the server did not act on it, so even a POST is safe to repeat).
    pub(crate) async fn send_authed<T, M, H>(
        &self,
        idempotent: bool,
        mut make: M,
        handle: H,
    ) -> Result<T, ApiError>
    where
        M: FnMut(&AuthHeader) -> Result<RequestBuilder, ApiError>,
        H: Fn(Response) -> ResponseFuture<T>,
    {
        let (mut header, mut token) = self.auth_now().await?;
        let mut refreshed = false;
        loop {
            let result = self
                .send_with_retry(idempotent, || make(&header), &handle)
                .await;
            let session = match (&result, &self.inner.auth, &token) {
                (Err(err), AuthSource::Session(session), Some(_))
                    if !refreshed && err.is_unauthorized() =>
                {
                    session
                }
                _ => return result,
            };
            let refused = token
                .take()
                .unwrap_or_else(|| crate::secret::Secret::new(""));
            tracing::info!("access token refused (401): refreshing once and retrying");
            let fresh = session.refresh_after_unauthorized(&refused).await?;
            header = auth_header(&Auth::Bearer(fresh.clone()))?;
            token = Some(fresh);
            refreshed = true;
        }
    }

    /// Sends a request made by `make` (called again for each attempt), retrying per the policy,
    /// and hands a successful response to `handle`. `handle` may itself fail with a retryable
    /// error (a cut-off body), which is retried like a failed response.
    pub(crate) async fn send_with_retry<T, M, H>(
        &self,
        idempotent: bool,
        make: M,
        handle: H,
    ) -> Result<T, ApiError>
    where
        M: FnMut() -> Result<RequestBuilder, ApiError>,
        H: Fn(Response) -> ResponseFuture<T>,
    {
        let config = &self.inner.config;
        send_with_policy(
            &config.retry,
            config.on_retry.as_ref(),
            idempotent,
            make,
            handle,
        )
        .await
    }
}

/// The retry loop behind every call (also used by the OAuth client): 429 retried for any
/// request, other retryable failures only when `idempotent`; waits per `policy`, telling
/// `on_retry` first.
pub(crate) async fn send_with_policy<T, M, H>(
    policy: &RetryPolicy,
    on_retry: Option<&RetryHook>,
    idempotent: bool,
    mut make: M,
    handle: H,
) -> Result<T, ApiError>
where
    M: FnMut() -> Result<RequestBuilder, ApiError>,
    H: Fn(Response) -> ResponseFuture<T>,
{
    let mut retry = 0u32;
    loop {
        let (client, request) = make()?.build_split();
        let request = request.map_err(|err| map_reqwest_error(err, None))?;
        let started = tokio::time::Instant::now();
        let outcome = match client.execute(request).await {
            Ok(response) => handle(response).await,
            // Report how long it really waited (a total or an idle timeout may have fired).
            Err(err) => Err(map_reqwest_error(err, Some(started.elapsed()))),
        };
        let err = match outcome {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let may_retry = err.is_rate_limited() || (idempotent && err.is_retryable());
        if !may_retry || retry >= policy.max_retries {
            return Err(err);
        }
        let delay = policy.delay(retry, err.retry_after(), rand::random::<f64>());
        tracing::info!(
            code = err.code(),
            retry = retry + 1,
            delay_ms = delay.as_millis() as u64,
            "retrying request"
        );
        if let Some(hook) = on_retry {
            hook.notify(&RetryNotice {
                code: err.code().to_string(),
                rate_limited: err.is_rate_limited(),
                retry: retry + 1,
                delay,
            });
        }
        tokio::time::sleep(delay).await;
        retry += 1;
    }
}

/// Largest success body decoded (a page of 100 items is a few hundred kB).
const MAX_JSON_BODY: usize = 32 * 1024 * 1024;
/// Error bodies are read only this far (a gateway's HTML page needs no more to be recognised).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Reads the body; a success status decodes as `T`, anything else becomes an error.
pub(crate) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(read_error(response).await);
    }
    let headers = response.headers().clone();
    let (body, complete) = read_capped(response, MAX_JSON_BODY)
        .await
        .map_err(|e| map_reqwest_error(e, None))?;
    if !complete {
        return Err(ApiError::Decode {
            status,
            reason: format!(
                "the response is larger than {} MiB",
                MAX_JSON_BODY / (1024 * 1024)
            ),
            truncated: false,
            request_id: crate::response::request_id(&headers),
        });
    }
    serde_json::from_slice::<T>(&body).map_err(|err| decode_error(status, &headers, &body, &err))
}

/// Reads (the start of) an error response's body and maps it. A body that breaks off still
/// leaves the status to report.
pub(crate) async fn read_error(response: Response) -> ApiError {
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        return redirect_refused(status);
    }
    let headers: HeaderMap = response.headers().clone();
    let body = read_capped(response, MAX_ERROR_BODY)
        .await
        .map(|(body, _)| body)
        .unwrap_or_default();
    error_from_response(status, &headers, &body)
}

/// Up to `cap` bytes of the body, and whether that was all of it.
async fn read_capped(
    mut response: Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body =
        Vec::with_capacity(response.content_length().unwrap_or(0).min(cap as u64) as usize);
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// GET, HEAD, PUT, DELETE, OPTIONS (what may be retried on 5xx/network errors).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Maps a transport error. The URL is stripped (presigned links carry signatures) and only the
/// root cause's text is kept.
pub(crate) fn map_reqwest_error(err: reqwest::Error, timeout: Option<Duration>) -> ApiError {
    if err.is_timeout() {
        return ApiError::Timeout { after: timeout };
    }
    let err = err.without_url();
    let what = if err.is_connect() {
        "could not connect to the server"
    } else if err.is_body() || err.is_decode() {
        "the connection broke while transferring data"
    } else if err.is_builder() {
        return ApiError::InvalidRequest {
            message: "the request could not be built".into(),
            param: None,
        };
    } else if err.is_redirect() {
        "too many redirects"
    } else {
        "the request failed"
    };
    let mut cause: Option<String> = None;
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        cause = Some(inner.to_string());
        source = inner.source();
    }
    let message = match cause {
        Some(cause) if !cause.is_empty() => {
            format!("{what}: {}", cause.chars().take(200).collect::<String>())
        }
        _ => what.to_owned(),
    };
    ApiError::Network { message }
}

fn auth_source(auth: &Auth) -> Result<AuthSource, ApiError> {
    match auth {
        Auth::OAuth(session) => Ok(AuthSource::Session(session.clone())),
        fixed => Ok(AuthSource::Fixed(auth_header(fixed)?)),
    }
}

fn auth_header(auth: &Auth) -> Result<(HeaderName, HeaderValue), ApiError> {
    let (name, value) = match auth {
        Auth::OAuth(_) => {
            return Err(ApiError::Config {
                message: "a session's header is made per request".into(),
            })
        }
        Auth::ApiKey(key) => (
            HeaderName::from_static(API_KEY_HEADER),
            key.expose().to_owned(),
        ),
        Auth::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
    };
    let secret_is_empty = match auth {
        Auth::ApiKey(s) | Auth::Bearer(s) => s.is_empty(),
        Auth::OAuth(_) => false,
    };
    if secret_is_empty {
        return Err(ApiError::Config {
            message: "the API key or token is empty".into(),
        });
    }
    let mut value = HeaderValue::from_str(&value).map_err(|_| ApiError::Config {
        message: "the API key or token contains characters that cannot be sent (check for pasted spaces or line breaks)".into(),
    })?;
    // Keeps it out of HTTP/2 header compression tables and reqwest's Debug output.
    value.set_sensitive(true);
    Ok((name, value))
}

/// Validates an `Idempotency-Key` (1–255 chars of `[A-Za-z0-9_\-:.]`).
pub(crate) fn idempotency_header(key: &str) -> Result<HeaderValue, ApiError> {
    let valid = !key.is_empty()
        && key.len() <= 255
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'));
    if !valid {
        return Err(ApiError::invalid_request(
            "an Idempotency-Key must be 1–255 characters of A–Z, a–z, 0–9, _ - : .",
            Some("Idempotency-Key"),
        ));
    }
    HeaderValue::from_str(key)
        .map_err(|_| ApiError::invalid_request("invalid Idempotency-Key", Some("Idempotency-Key")))
}

/// Redirects for transfers (downloads, presigned uploads): each hop must pass the same policy
/// as the first URL (`url_policy::check_transfer_url`), at most 10 hops. A refused hop stops
/// there: the caller sees the 3xx answer and reports it, nothing is sent to the new host.
fn transfer_redirects(api_base: Url) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else if url_policy::check_transfer_url(attempt.url(), &api_base).is_ok() {
            attempt.follow()
        } else {
            tracing::warn!(
                to = %url_policy::describe(attempt.url()),
                "refused a redirect the URL policy does not allow"
            );
            attempt.stop()
        }
    })
}

/// A redirect that was not followed (API calls follow none; transfers only within policy).
pub(crate) fn redirect_refused(status: u16) -> ApiError {
    ApiError::InvalidUrl {
        reason: format!("the server answered a redirect ({status}) that is not followed"),
    }
}

/// Hosts that bypass a configured proxy: every loopback form.
const LOOPBACK_NO_PROXY: &str = "localhost,127.0.0.0/8,::1";

/// A reqwest builder with our User-Agent, connect timeout and proxy (none unless configured).
pub(crate) fn http_client_builder(
    user_agent: &str,
    proxy: Option<&str>,
    connect_timeout: Duration,
) -> Result<reqwest::ClientBuilder, ApiError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent.to_owned())
        .connect_timeout(connect_timeout);
    builder = match proxy {
        Some(proxy) if !proxy.trim().is_empty() => {
            let proxy = reqwest::Proxy::all(proxy.trim()).map_err(|_| ApiError::Config {
                message: "the proxy setting is not a valid proxy URL (use http://, https:// or socks5://host:port)".into(),
            })?;
            // Loopback (the local agent, offline mode) never goes through the proxy: an http
            // proxy would see the key in the clear, and it could not reach our loopback anyway.
            builder.proxy(proxy.no_proxy(reqwest::NoProxy::from_string(LOOPBACK_NO_PROXY)))
        }
        // Predictable: no proxy unless configured (environment variables are not consulted).
        _ => builder.no_proxy(),
    };
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn idempotency_keys_are_validated() {
        assert!(idempotency_header("job_01:abc-DEF.9").is_ok());
        assert!(idempotency_header("").is_err());
        assert!(idempotency_header("has space").is_err());
        assert!(idempotency_header(&"a".repeat(256)).is_err());
        assert!(idempotency_header(&"a".repeat(255)).is_ok());
    }

    #[test]
    fn auth_headers_are_exclusive_and_sensitive() {
        let (name, value) = auth_header(&Auth::ApiKey(Secret::new("k1"))).unwrap();
        assert_eq!(name.as_str(), "x-api-key");
        assert!(value.is_sensitive());
        let (name, value) = auth_header(&Auth::Bearer(Secret::new("t1"))).unwrap();
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value.to_str().unwrap(), "Bearer t1");
        let err = auth_header(&Auth::ApiKey(Secret::new("bad\u{7f}key"))).unwrap_err();
        assert!(!err.to_string().contains("bad"), "{err}");
        assert!(auth_header(&Auth::ApiKey(Secret::new(""))).is_err());
    }

    #[test]
    fn client_refuses_plain_http_to_remote_hosts() {
        let config = ClientConfig::new("http://api.example.com", Auth::ApiKey(Secret::new("k")));
        assert_eq!(Client::new(config).unwrap_err().code(), "invalid_url");
        let config = ClientConfig::new("http://127.0.0.1:1", Auth::ApiKey(Secret::new("k")));
        assert!(Client::new(config).is_ok());
    }

    #[test]
    fn endpoint_segments_are_encoded() {
        let config = ClientConfig::new("http://127.0.0.1:1/", Auth::ApiKey(Secret::new("k")));
        let client = Client::new(config).unwrap();
        let url = client.endpoint(&["v3", "videos", "../x?y"]);
        assert_eq!(url.as_str(), "http://127.0.0.1:1/v3/videos/..%2Fx%3Fy");
        let debug = format!("{client:?}");
        assert!(
            debug.contains("<redacted>") && !debug.contains("\"k\""),
            "{debug}"
        );
    }
}
