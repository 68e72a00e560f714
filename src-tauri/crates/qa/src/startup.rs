//! Start-up to interactive UI and idle memory of a Tauri app, measured the same way for the app
//! and the hello-world baseline: `tauri-driver` (→ WebKitWebDriver) launches the binary; the
//! clock runs from the WebDriver "new session" request until `#app > *` (the UI's first mounted
//! element) can be found; after an idle pause, PSS is summed over the app process and its WebKit
//! children from `/proc/*/smaps_rollup`. Run under Xvfb and a private D-Bus session.
//!
//! Each launch is also split into phases, the same way for both apps, to show where the time
//! goes: when the app process was started (its `/proc` start time against `/proc/uptime`, both
//! 10 ms ticks), when the page's navigation began (`performance.timeOrigin`, i.e. the native
//! start-up of the window and web view is over) and when `DOMContentLoaded` ended (the module
//! script has run and mounted the UI; the rest up to the total is the WebDriver's polling).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::error::{QaError, QaResult};
use crate::procfs;

/// The element that proves the UI is mounted, for both apps (each renders into `#app`).
pub const READY_SELECTOR: &str = "#app > *";

#[derive(Debug, Clone)]
pub struct Launch {
    pub startup_seconds: f64,
    /// PSS after the idle pause, for launches that measured memory.
    pub idle_pss_bytes: Option<u64>,
    pub processes: Vec<String>,
    /// Where the start-up time went (seconds after the new-session request).
    pub phases: Phases,
}

/// Points in one launch, in seconds after the WebDriver new-session request; `None` when the
/// app or WebKit did not say.
#[derive(Debug, Clone, Default)]
pub struct Phases {
    /// The app process was started (by WebKitWebDriver), ±10 ms.
    pub exec: Option<f64>,
    /// The page's navigation began: the window and web view exist and the app's shell has
    /// finished what it does before it serves the page.
    pub navigation: Option<f64>,
    /// `DOMContentLoaded` ended: the page's module scripts have run (both apps mount their UI
    /// from one).
    pub dom_ready: Option<f64>,
    /// The first contentful paint: both pages' HTML is an empty `#app`, so this is the first
    /// frame showing the mounted UI.
    pub first_paint: Option<f64>,
    /// The `load` event ended: every subresource and every request the page started before it
    /// (for the app, its first IPC calls) is done. WebKit's WebDriver waits for this before it
    /// looks for elements, so the start-up figure ends here at the earliest.
    pub loaded: Option<f64>,
}

/// Seconds since boot from `/proc/uptime` (the clock `/proc/<pid>/stat` start times use).
fn uptime_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// When `pid` was started, in seconds since boot (field 22 of `/proc/<pid>/stat`, in ticks).
fn process_start_seconds(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let close = text.rfind(')')?;
    // After the name: state is field 3, starttime field 22.
    let ticks: f64 = text[close + 2..].split_whitespace().nth(19)?.parse().ok()?;
    Some(ticks / 100.0)
}

/// Navigation start (epoch ms), then the end of `DOMContentLoaded`, the first contentful paint
/// and the end of `load` (ms after it), read in the page.
const PAGE_TIMING_SCRIPT: &str = "const n = performance.getEntriesByType('navigation')[0]; \
     const p = performance.getEntriesByName('first-contentful-paint')[0]; \
     return [performance.timeOrigin, n ? n.domContentLoadedEventEnd : null, \
     p ? p.startTime : null, n ? n.loadEventEnd : null];";

/// A running `tauri-driver`.
pub struct Driver {
    child: Child,
    port: u16,
    http: reqwest::Client,
}

fn free_port() -> QaResult<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| QaError::io("port", e))?;
    Ok(l.local_addr().map_err(|e| QaError::io("port", e))?.port())
}

impl Driver {
    pub async fn start(home: &Path) -> QaResult<Self> {
        let port = free_port()?;
        let native = free_port()?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("VAS_DATA_DIR", home.join("vas-data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| QaError::io("starting tauri-driver (cargo install tauri-driver)", e))?;
        let driver = Self {
            child,
            port,
            http: reqwest::Client::builder().no_proxy().build()?,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if driver.http.get(driver.url("/status")).send().await.is_ok() {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(QaError::Protocol("tauri-driver did not answer".into()))
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> QaResult<(u16, Value)> {
        let mut r = self
            .http
            .request(method, self.url(path))
            .timeout(Duration::from_secs(60));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await?;
        let status = resp.status().as_u16();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        Ok((status, v))
    }

    /// Launches `app`, waits for the UI and, when `idle` is given, idles that long and measures
    /// PSS; ends the session.
    pub async fn measure(&self, app: &Path, idle: Option<Duration>) -> QaResult<Launch> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
        let requested_uptime = uptime_seconds();
        let requested_wall = SystemTime::now();
        let started = Instant::now();
        let (status, v) = self
            .call(reqwest::Method::POST, "/session", Some(caps))
            .await?;
        let session = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| QaError::Protocol(format!("no session ({status}): {v}")))?
            .to_string();
        let find = json!({"using": "css selector", "value": READY_SELECTOR});
        let deadline = Instant::now() + Duration::from_secs(60);
        let startup = loop {
            let (s, _) = self
                .call(
                    reqwest::Method::POST,
                    &format!("/session/{session}/element"),
                    Some(find.clone()),
                )
                .await?;
            if s == 200 {
                break started.elapsed().as_secs_f64();
            }
            if Instant::now() > deadline {
                return Err(QaError::Protocol(format!(
                    "{READY_SELECTOR} never appeared in {}",
                    app.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let roots = app_roots(self.child.id().unwrap_or(0), app);
        let mut phases = Phases {
            exec: roots
                .first()
                .and_then(|pid| process_start_seconds(*pid))
                .zip(requested_uptime)
                .map(|(exec, requested)| exec - requested),
            ..Phases::default()
        };
        let timing = json!({"script": PAGE_TIMING_SCRIPT, "args": []});
        if let Ok((200, v)) = self
            .call(
                reqwest::Method::POST,
                &format!("/session/{session}/execute/sync"),
                Some(timing),
            )
            .await
        {
            let requested_ms = requested_wall
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0);
            if let Some(origin) = v["value"][0].as_f64() {
                let after_request = |ms: &Value| {
                    ms.as_f64()
                        .filter(|ms| *ms > 0.0)
                        .map(|ms| (origin + ms - requested_ms) / 1000.0)
                };
                phases.navigation = Some((origin - requested_ms) / 1000.0);
                phases.dom_ready = after_request(&v["value"][1]);
                phases.first_paint = after_request(&v["value"][2]);
                phases.loaded = after_request(&v["value"][3]);
            }
        }
        let (pss, processes) = match idle {
            Some(idle) => {
                tokio::time::sleep(idle).await;
                let (pss, processes) = tree_pss(&roots);
                (Some(pss), processes)
            }
            None => (None, Vec::new()),
        };
        let _ = self
            .call(
                reqwest::Method::DELETE,
                &format!("/session/{session}"),
                None,
            )
            .await;
        // Let the app and its WebKit processes exit before the next launch.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(Launch {
            startup_seconds: startup,
            idle_pss_bytes: pss,
            processes,
            phases,
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The app's processes under the driver (found by their executable).
fn app_roots(driver_pid: u32, app: &Path) -> Vec<u32> {
    let app = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    procfs::process_tree(driver_pid)
        .into_iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
        .collect()
}

/// PSS of the app processes and all their descendants (WebKit's web and network processes).
fn tree_pss(roots: &[u32]) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut names = Vec::new();
    for &root in roots {
        for pid in procfs::process_tree(root) {
            let pss = procfs::pss_bytes(pid).unwrap_or(0);
            total += pss;
            names.push(format!(
                "{}={:.0}MiB",
                procfs::process_name(pid).unwrap_or_default(),
                pss as f64 / 1048576.0
            ));
        }
    }
    (total, names)
}

/// Median of a non-empty list.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Alternates launches of `app` and `baseline` (`runs` each, after one warm-up of each so both
/// start with warm disk caches) and returns their launches. The first `memory_runs` rounds also
/// idle `idle` and measure PSS; the others time the start-up only. One launch's start-up moves by
/// ±10 % on a shared machine, so the time needs more launches than the memory does.
pub async fn compare(
    app: &Path,
    baseline: &Path,
    runs: usize,
    memory_runs: usize,
    idle: Duration,
) -> QaResult<(Vec<Launch>, Vec<Launch>)> {
    let home = tempfile::tempdir().map_err(|e| QaError::io("home", e))?;
    let driver = Driver::start(home.path()).await?;
    let mut a = Vec::new();
    let mut b = Vec::new();
    let _ = driver.measure(baseline, None).await?;
    let _ = driver.measure(app, None).await?;
    // ABBA order, so neither side always runs right after the other.
    for round in 0..runs {
        let idle = (round < memory_runs).then_some(idle);
        if round % 2 == 0 {
            b.push(driver.measure(baseline, idle).await?);
            a.push(driver.measure(app, idle).await?);
        } else {
            a.push(driver.measure(app, idle).await?);
            b.push(driver.measure(baseline, idle).await?);
        }
    }
    driver.stop().await;
    Ok((a, b))
}
