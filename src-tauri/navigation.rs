//! The navigation guard: the web view may only show the app's own pages. A script injected into
//! the page cannot send the window to another site (a phishing page with the app's title bar, or
//! a page that then talks to IPC). External pages open in the browser through `open_external`.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, Runtime, Url};

/// Whether `url` is the app's own origin: the bundled UI (`tauri://localhost`, or
/// `http(s)://tauri.localhost` where custom schemes are served that way) or, in development
/// builds, the configured dev server.
pub fn is_own_origin(url: &Url, dev_url: Option<&Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" if url.host_str() == Some("tauri.localhost") => true,
        "about" => url.path() == "blank",
        _ => dev_url.is_some_and(|dev| cfg!(debug_assertions) && same_origin(url, dev)),
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A plugin whose only job is to refuse navigations away from the app.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|webview, url| {
            let dev_url = webview.app_handle().config().build.dev_url.clone();
            let allowed = is_own_origin(url, dev_url.as_ref());
            if !allowed {
                eprintln!(
                    "Video Agent Studio: refused to navigate the window to {}://{}",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                );
            }
            allowed
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_the_apps_own_pages() {
        let dev = url("http://localhost:5173");
        assert!(is_own_origin(&url("tauri://localhost/index.html"), None));
        assert!(is_own_origin(&url("http://tauri.localhost/"), None));
        assert!(is_own_origin(&url("about:blank"), None));
        for bad in [
            "https://example.com/phish",
            "http://localhost:5173/",
            "tauri://evil.example/",
            "file:///etc/passwd",
            "http://asset.localhost/%2Fetc%2Fpasswd",
            "data:text/html,hi",
        ] {
            assert!(!is_own_origin(&url(bad), None), "{bad}");
        }
        assert_eq!(
            is_own_origin(&url("http://localhost:5173/#/x"), Some(&dev)),
            cfg!(debug_assertions)
        );
        assert!(!is_own_origin(&url("http://localhost:5174/"), Some(&dev)));
    }
}
