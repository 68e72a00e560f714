//! Which URLs the client may talk to.
//!
//! `https` anywhere; plain `http` only to a loopback host (the local agent), so neither the API
//! key nor a presigned link ever crosses a network in clear text. Error texts show only scheme
//! and host — never a path or query (presigned signatures live there).

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ApiError;

/// Parses `raw` and checks it against the policy.
pub fn parse_allowed(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim()).map_err(|err| ApiError::InvalidUrl {
        reason: format!("not a valid URL ({err})"),
    })?;
    check_allowed(&url)?;
    Ok(url)
}

/// Checks an already parsed URL against the policy.
pub fn check_allowed(url: &Url) -> Result<(), ApiError> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ApiError::InvalidUrl {
            reason: format!(
                "plain http is only allowed to this computer (loopback), not to {}; use https",
                describe(url)
            ),
        }),
        "https" => Err(ApiError::InvalidUrl {
            reason: "the URL has no host".to_owned(),
        }),
        other => Err(ApiError::InvalidUrl {
            reason: format!(
                "unsupported URL scheme `{}` (only https is allowed)",
                truncate(other, 16)
            ),
        }),
    }
}

/// For URLs the API hands out (presigned uploads, CDN downloads): `https` anywhere; plain
/// `http` only on loopback *and* on the port of the configured (loopback) API — i.e. the local
/// agent's own CDN — so a response cannot point the client at other local services.
pub fn parse_transfer_url(raw: &str, api_base: &Url) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim()).map_err(|err| ApiError::InvalidUrl {
        reason: format!("not a valid URL ({err})"),
    })?;
    check_transfer_url(&url, api_base)?;
    Ok(url)
}

/// [`parse_transfer_url`]'s check for an already parsed URL (also every redirect hop).
pub fn check_transfer_url(url: &Url, api_base: &Url) -> Result<(), ApiError> {
    check_allowed(url)?;
    if url.scheme() == "http" {
        let same_agent = is_loopback(api_base)
            && api_base.port_or_known_default() == url.port_or_known_default();
        if !same_agent {
            return Err(ApiError::InvalidUrl {
                reason: format!(
                    "plain http is only allowed to the configured local agent, not to {}; use https",
                    describe(url)
                ),
            });
        }
    }
    Ok(())
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

/// `scheme://host[:port]` — safe to show.
pub fn describe(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{}://{}:{port}", url.scheme(), truncate(host, 64)),
        None => format!("{}://{}", url.scheme(), truncate(host, 64)),
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_loopback() {
        for ok in [
            "https://api.heygen.com",
            "https://cdn.example.com/v.mp4?sig=1",
            "http://127.0.0.1:8080/x",
            "http://127.3.4.5/x",
            "http://[::1]:9000/",
            "http://localhost:3000/",
            "http://LOCALHOST./",
        ] {
            assert!(parse_allowed(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/v.mp4",
            "http://10.0.0.1/",
            "http://192.168.1.1/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            let err = parse_allowed(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_url", "{bad}");
        }
    }

    #[test]
    fn transfer_urls_over_http_only_from_the_configured_agent() {
        let agent = Url::parse("http://127.0.0.1:8080").unwrap();
        let cloud = Url::parse("https://api.heygen.com").unwrap();
        assert!(parse_transfer_url("http://127.0.0.1:8080/cdn/v/x.mp4?sig=1", &agent).is_ok());
        assert!(parse_transfer_url("http://localhost:8080/cdn/v/x.mp4", &agent).is_ok());
        assert!(parse_transfer_url("https://cdn.example.com/x.mp4", &agent).is_ok());
        assert!(parse_transfer_url("https://cdn.example.com/x.mp4", &cloud).is_ok());
        for bad in [
            "http://127.0.0.1:6379/",
            "http://127.0.0.1/x",
            "http://cdn.example.com:8080/x",
        ] {
            assert_eq!(
                parse_transfer_url(bad, &agent).unwrap_err().code(),
                "invalid_url",
                "{bad}"
            );
        }
        assert!(parse_transfer_url("http://127.0.0.1:8080/x", &cloud).is_err());
    }

    #[test]
    fn refusal_hides_path_and_query() {
        let err =
            parse_allowed("http://cdn.example.com/secret/path?X-Amz-Signature=abc").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("http://cdn.example.com"), "{text}");
        assert!(
            !text.contains("Signature") && !text.contains("secret"),
            "{text}"
        );
    }
}
