//! Start-up to interactive UI and idle memory of a Tauri app, measured the same way for the app
//! and the hello-world baseline: `tauri-driver` (→ WebKitWebDriver) launches the binary; the
//! clock runs from the WebDriver "new session" request until `#app > *` (the UI's first mounted
//! element) can be found; after an idle pause, PSS is summed over the app process and its WebKit
//! children from `/proc/*/smaps_rollup`. Run under Xvfb and a private D-Bus session.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::error::{QaError, QaResult};
use crate::procfs;

/// The element that proves the UI is mounted, for both apps (each renders into `#app`).
pub const READY_SELECTOR: &str = "#app > *";

#[derive(Debug, Clone)]
pub struct Launch {
    pub startup_seconds: f64,
    pub idle_pss_bytes: u64,
    pub processes: Vec<String>,
}

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

    /// Launches `app`, waits for the UI, idles `idle`, measures PSS, ends the session.
    pub async fn measure(&self, app: &Path, idle: Duration) -> QaResult<Launch> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
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
        tokio::time::sleep(idle).await;
        let (pss, processes) = app_tree_pss(self.child.id().unwrap_or(0), app);
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
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// PSS of the app process (found under the driver by its executable) and all its descendants.
fn app_tree_pss(driver_pid: u32, app: &Path) -> (u64, Vec<String>) {
    let app = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    let roots: Vec<u32> = procfs::process_tree(driver_pid)
        .into_iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
        .collect();
    let mut total = 0;
    let mut names = Vec::new();
    for root in roots {
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
/// start with warm disk caches) and returns their launches.
pub async fn compare(
    app: &Path,
    baseline: &Path,
    runs: usize,
    idle: Duration,
) -> QaResult<(Vec<Launch>, Vec<Launch>)> {
    let home = tempfile::tempdir().map_err(|e| QaError::io("home", e))?;
    let driver = Driver::start(home.path()).await?;
    let mut a = Vec::new();
    let mut b = Vec::new();
    let _ = driver.measure(baseline, Duration::from_millis(200)).await?;
    let _ = driver.measure(app, Duration::from_millis(200)).await?;
    // ABBA order, so neither side always runs right after the other.
    for round in 0..runs {
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
