//! The documented security policy for the desktop shell's configuration, as data, and the
//! checks `tests/security_config.rs` runs against `tauri.conf.json` and `src-tauri/capabilities/*`.
//!
//! - Scripts: only `'self'` — no `'unsafe-inline'`, `'unsafe-eval'`, `'wasm-unsafe-eval'`,
//!   wildcards, `data:`/`blob:` or remote hosts in `script-src` (or `default-src`, its fallback).
//! - No remote origins anywhere in the CSP, the windows' URLs or a capability's `remote` block:
//!   only the app itself, Tauri's `ipc:`/`asset:` schemes and their `*.localhost` forms.
//! - Permissions: the app's own commands (each listed in `build.rs`'s `AppManifest`, so each
//!   needs an explicit grant) and the plugin permissions below, each with its reason — and each
//!   of those actually granted (no pre-approved permission the app does not use).
//! - Capabilities only as files checked here: none inline in `tauri.conf.json`, none added from
//!   Rust (`Builder::capability`, `add_capability`).
//! - `withGlobalTauri` off (no `window.__TAURI__` for injected scripts), `freezePrototype` on.
//! - Run-time grants: every place the shell widens the asset-protocol scope is listed in
//!   [`RUNTIME_SCOPE_GRANTS`] with its reason (the web view must never choose what is added).

use serde_json::Value;

/// A plugin/core permission the UI may be granted, and why.
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    pub permission: &'static str,
    pub reason: &'static str,
}

/// Every non-app permission the capability files may grant. Anything else fails the test;
/// adding a line here is the review step (say why the UI needs it).
/// (The dialog, notification, opener and clipboard plugins are used from Rust only, so none of
/// their permissions is pre-approved here. Events reach the page through the app's own
/// `next_events` command, so Tauri's event permissions are not granted either: the page can
/// neither listen to Tauri's own events nor emit any.)
pub const ALLOWED_PERMISSIONS: &[Allowed] = &[];

/// A place in the shell (`src-tauri/<file>`) that adds to the asset-protocol scope at run time.
#[derive(Debug, Clone, Copy)]
pub struct ScopeGrant {
    pub file: &'static str,
    /// `allow_directory` or `allow_file`.
    pub call: &'static str,
    pub reason: &'static str,
}

/// Every run-time asset-scope grant the shell may make. Anything else fails the test.
pub const RUNTIME_SCOPE_GRANTS: &[ScopeGrant] = &[
    ScopeGrant { file: "lib.rs", call: "allow_directory", reason: "the thumbnail cache in the app's data folder (files Rust wrote)" },
    ScopeGrant { file: "library_scope.rs", call: "allow_directory", reason: "the library folder: at start, and the folder picker's result (validated by studio-core), never a path from the web view" },
    ScopeGrant { file: "commands_desktop.rs", call: "allow_file", reason: "a file Rust received from the picker or the window's drop event (ReceivedPaths), for its chip thumbnail" },
];

/// Sources allowed in any CSP directive (besides keywords like `'self'` and `'none'`).
const LOCAL_SOURCES: &[&str] = &[
    "ipc:",
    "http://ipc.localhost",
    "asset:",
    "http://asset.localhost",
    "https://asset.localhost",
    "https://ipc.localhost",
];
/// Extra sources allowed for images and media only (thumbnails and previews decoded in memory).
const MEDIA_ONLY_SOURCES: &[&str] = &["data:", "blob:"];
const SCRIPT_DIRECTIVES: &[&str] = &[
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "default-src",
];
const BAD_SCRIPT_KEYWORDS: &[&str] = &[
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'wasm-unsafe-eval'",
    "'unsafe-hashes'",
];

/// `(directive, sources)` pairs from a CSP given as a string or as Tauri's object form.
pub fn csp_directives(csp: &Value) -> Vec<(String, Vec<String>)> {
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    match csp {
        Value::String(s) => s
            .split(';')
            .filter_map(|d| {
                let mut parts = d.split_whitespace();
                let name = parts.next()?.to_ascii_lowercase();
                Some((name, parts.map(str::to_string).collect()))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let sources = match v {
                    Value::String(s) => split(s),
                    Value::Array(a) => a.iter().filter_map(Value::as_str).flat_map(split).collect(),
                    _ => Vec::new(),
                };
                (k.to_ascii_lowercase(), sources)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_keyword(source: &str) -> bool {
    source.starts_with('\'') && source.ends_with('\'')
}

/// Problems with one CSP (`which` names it in messages: "csp", "devCsp").
pub fn check_csp(which: &str, csp: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let directives = csp_directives(csp);
    if directives.is_empty() {
        problems.push(format!(
            "{which}: no Content-Security-Policy (null or empty)"
        ));
        return problems;
    }
    let has_script_rule = directives
        .iter()
        .any(|(d, _)| d == "script-src" || d == "default-src");
    if !has_script_rule {
        problems.push(format!(
            "{which}: neither script-src nor default-src is set"
        ));
    }
    for (directive, sources) in &directives {
        let scripts = SCRIPT_DIRECTIVES.contains(&directive.as_str());
        let media = matches!(directive.as_str(), "img-src" | "media-src");
        for source in sources {
            let lower = source.to_ascii_lowercase();
            if is_keyword(&lower) {
                if scripts && BAD_SCRIPT_KEYWORDS.contains(&lower.as_str()) {
                    problems.push(format!("{which}: {directive} allows {source}"));
                }
                continue;
            }
            if LOCAL_SOURCES.contains(&lower.as_str()) {
                continue;
            }
            if media && MEDIA_ONLY_SOURCES.contains(&lower.as_str()) {
                continue;
            }
            problems.push(format!(
                "{which}: {directive} allows {source} (remote or broad origin)"
            ));
        }
    }
    problems
}

/// Problems with `tauri.conf.json`.
pub fn check_tauri_conf(conf: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let security = &conf["app"]["security"];
    if conf["app"]["withGlobalTauri"] == Value::Bool(true) {
        problems.push("app.withGlobalTauri exposes window.__TAURI__ to every script".into());
    }
    if security["freezePrototype"] != Value::Bool(true) {
        problems.push("app.security.freezePrototype must be true".into());
    }
    for cap in security["capabilities"].as_array().into_iter().flatten() {
        if !cap.is_string() {
            problems.push(format!(
                "app.security.capabilities has an inline capability ({}); use a file in src-tauri/capabilities/",
                cap["identifier"]
            ));
        }
    }
    problems.extend(check_csp("csp", &security["csp"]));
    if !security["devCsp"].is_null() {
        problems.extend(check_csp("devCsp", &security["devCsp"]));
    }
    for flag in [
        "dangerousDisableAssetCspModification",
        "dangerousUseHttpScheme",
    ] {
        if !security[flag].is_null() && security[flag] != Value::Bool(false) {
            problems.push(format!("app.security.{flag} is set"));
        }
    }
    if let Some(scope) = security["assetProtocol"]["scope"].as_array() {
        for s in scope.iter().filter_map(Value::as_str) {
            if matches!(s, "**" | "/**" | "*" | "$HOME/**") {
                problems.push(format!("assetProtocol scope {s:?} exposes the whole disk"));
            }
        }
    }
    for w in conf["app"]["windows"].as_array().into_iter().flatten() {
        if let Some(url) = w["url"].as_str() {
            if url.contains("://") && !is_local_url(url) {
                problems.push(format!("window {} loads a remote URL {url}", w["label"]));
            }
        }
    }
    problems
}

fn is_local_url(url: &str) -> bool {
    url.parse::<url::Url>().is_ok_and(|u| {
        matches!(u.scheme(), "tauri" | "asset" | "ipc")
            || u.host_str()
                .is_some_and(|h| h == "localhost" || h.ends_with(".localhost") || h == "127.0.0.1")
    })
}

/// Problems with one capability file. `app_commands` are the commands listed in `build.rs`.
pub fn check_capability(name: &str, cap: &Value, app_commands: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if !cap["remote"].is_null() {
        problems.push(format!(
            "{name}: grants to remote origins ({})",
            cap["remote"]
        ));
    }
    for p in cap["permissions"].as_array().into_iter().flatten() {
        let (id, scoped) = match p {
            Value::String(s) => (s.as_str(), false),
            Value::Object(o) => (
                o.get("identifier").and_then(Value::as_str).unwrap_or(""),
                o.contains_key("allow"),
            ),
            _ => ("", false),
        };
        if scoped {
            problems.push(format!(
                "{name}: {id} carries a scope (scoped permissions need review here)"
            ));
        }
        let app_command = id
            .strip_prefix("allow-")
            .filter(|_| !id.contains(':'))
            .map(|c| c.replace('-', "_"));
        let ok = match app_command {
            Some(cmd) => app_commands.contains(&cmd),
            None => ALLOWED_PERMISSIONS.iter().any(|a| a.permission == id),
        };
        if !ok {
            problems.push(format!(
                "{name}: permission {id:?} is not on the documented allow-list"
            ));
        }
    }
    problems
}

/// The command names in `build.rs`: its `const COMMANDS` and `const E2E_COMMANDS` lists (the
/// latter only in the e2e build), or a literal `AppManifest::new().commands(&[...])` list.
pub fn app_commands_in_build_rs(build_rs: &str) -> Vec<String> {
    let quoted = |text: &str| -> Vec<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let list = |marker: &str| -> Option<Vec<String>> {
        let start = build_rs.find(marker)? + marker.len();
        let rest = &build_rs[start..];
        let end = rest.find("];").unwrap_or(rest.len());
        Some(quoted(&rest[..end]))
    };
    if let Some(mut names) = list("const COMMANDS: &[&str] = &[") {
        names.extend(list("const E2E_COMMANDS: &[&str] = &[").unwrap_or_default());
        return names;
    }
    let Some(start) = build_rs.find(".commands(&[") else {
        return Vec::new();
    };
    let rest = &build_rs[start..];
    let end = rest.find(')').unwrap_or(rest.len());
    quoted(&rest[..end])
}

/// Problems with the shell's Rust sources (`(file name, text)` of each `src-tauri/*.rs`):
/// asset-scope grants not in [`RUNTIME_SCOPE_GRANTS`], and capabilities added from Rust.
pub fn check_shell_sources(sources: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, text) in sources {
        for call in ["allow_directory", "allow_file"] {
            let uses = text.matches(&format!(".{call}(")).count();
            let documented = RUNTIME_SCOPE_GRANTS
                .iter()
                .filter(|g| g.file == file && g.call == call)
                .count();
            if uses > documented {
                problems.push(format!(
                    "{file}: {uses} asset-scope {call} call(s), {documented} documented in RUNTIME_SCOPE_GRANTS"
                ));
            }
        }
        for call in [".capability(", "add_capability("] {
            if text.contains(call) {
                problems.push(format!(
                    "{file}: adds a capability from Rust ({call}…); use a file the policy test reads"
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn catches_unsafe_scripts_and_remote_origins() {
        let bad = json!("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.example.com; img-src * data:");
        let p = check_csp("csp", &bad);
        assert!(p.iter().any(|m| m.contains("unsafe-inline")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("cdn.example.com")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("img-src allows *")), "{p:?}");
        let eval = json!({"script-src": "'self' 'unsafe-eval'"});
        assert!(!check_csp("csp", &eval).is_empty());
        assert!(!check_csp("csp", &Value::Null).is_empty());
        let data_script = json!({"default-src": "'self'", "script-src": "'self' data:"});
        assert!(!check_csp("csp", &data_script).is_empty());
    }

    #[test]
    fn accepts_a_strict_policy() {
        let good = json!({
            "default-src": "'self'", "script-src": "'self'",
            "img-src": "'self' asset: http://asset.localhost data: blob:",
            "connect-src": "ipc: http://ipc.localhost", "object-src": "'none'"
        });
        assert_eq!(check_csp("csp", &good), Vec::<String>::new());
    }

    #[test]
    fn capabilities_need_listed_permissions() {
        let cmds = vec!["app_info".to_string(), "submit_job".to_string()];
        let cap = json!({"permissions": ["allow-app-info", "allow-submit-job"]});
        assert_eq!(check_capability("c", &cap, &cmds), Vec::<String>::new());
        for bad in [
            "core:default",
            "fs:default",
            "shell:allow-execute",
            "allow-unknown-cmd",
            "http:default",
            "core:event:allow-listen",
            "core:event:allow-emit",
        ] {
            let cap = json!({"permissions": [bad]});
            assert!(!check_capability("c", &cap, &cmds).is_empty(), "{bad}");
        }
        let remote = json!({"remote": {"urls": ["https://evil.example"]}, "permissions": []});
        assert!(!check_capability("c", &remote, &cmds).is_empty());
        let scoped = json!({"permissions": [{"identifier": "dialog:allow-open", "allow": [{"path": "**"}]}]});
        assert!(!check_capability("c", &scoped, &cmds).is_empty());
    }

    #[test]
    fn reads_commands_from_build_rs() {
        let src =
            r#"let m = tauri_build::AppManifest::new().commands(&["app_info", "submit_job"]);"#;
        assert_eq!(
            app_commands_in_build_rs(src),
            vec!["app_info", "submit_job"]
        );
    }

    #[test]
    fn every_allowed_permission_has_a_reason() {
        assert!(ALLOWED_PERMISSIONS.iter().all(|a| a.reason.len() > 10));
        assert!(RUNTIME_SCOPE_GRANTS.iter().all(|g| g.reason.len() > 10));
    }

    #[test]
    fn reads_the_command_consts() {
        let src = r#"const COMMANDS: &[&str] = &["app_info", "open_file"];
            const E2E_COMMANDS: &[&str] = &["e2e_drop_files"];
            let m = tauri_build::AppManifest::new().commands(commands);"#;
        assert_eq!(
            app_commands_in_build_rs(src),
            vec!["app_info", "open_file", "e2e_drop_files"]
        );
    }

    #[test]
    fn catches_global_tauri_inline_capabilities_and_unfrozen_prototypes() {
        let conf = json!({"app": {"withGlobalTauri": true, "security": {
            "csp": "default-src 'self'", "freezePrototype": false,
            "capabilities": ["main-window", {"identifier": "inline", "permissions": ["fs:default"]}]
        }}});
        let p = check_tauri_conf(&conf);
        assert!(p.iter().any(|m| m.contains("withGlobalTauri")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("freezePrototype")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("inline capability")), "{p:?}");
    }

    #[test]
    fn catches_undocumented_scope_grants_and_rust_capabilities() {
        let ok = vec![(
            "lib.rs".to_string(),
            "scope.allow_directory(thumbs, true);".to_string(),
        )];
        assert_eq!(check_shell_sources(&ok), Vec::<String>::new());
        let bad = vec![
            (
                "commands_account.rs".to_string(),
                "app.asset_protocol_scope().allow_directory(dir, true)".to_string(),
            ),
            (
                "lib.rs".to_string(),
                "app.add_capability(include_str!(\"x.json\"))".to_string(),
            ),
        ];
        assert_eq!(check_shell_sources(&bad).len(), 2);
    }
}
