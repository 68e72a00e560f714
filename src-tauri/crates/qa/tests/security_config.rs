//! The desktop shell's configuration against the documented policy (`qa::policy`): no unsafe
//! scripts, no remote origins, only allow-listed permissions (issue 7 item 4).

use std::path::{Path, PathBuf};

use qa::policy::{
    app_commands_in_build_rs, check_capability, check_shell_sources, check_tauri_conf,
    ALLOWED_PERMISSIONS,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn tauri_conf_has_a_strict_csp_and_no_remote_origins() {
    let conf = read_json(&repo_root().join("tauri.conf.json"));
    let problems = check_tauri_conf(&conf);
    assert!(problems.is_empty(), "tauri.conf.json: {problems:#?}");
}

#[test]
fn capabilities_grant_only_documented_permissions() {
    let root = repo_root();
    let build_rs =
        std::fs::read_to_string(root.join("src-tauri/build.rs")).expect("src-tauri/build.rs");
    let commands = app_commands_in_build_rs(&build_rs);
    let dir = root.join("src-tauri/capabilities");
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in capability_dirs()
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("capabilities folder").flatten())
    {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => {
                problems.extend(check_capability(&name, &read_json(&path), &commands));
                checked += 1;
            }
            Some("md") => {}
            // TOML/JSON5 capabilities would escape this check: refuse them until it reads them.
            _ => problems.push(format!(
                "{name}: capability format not checked by this test"
            )),
        }
    }
    assert!(checked > 0, "no capability files in {}", dir.display());
    assert!(problems.is_empty(), "capabilities: {problems:#?}");
}

#[test]
fn every_app_command_is_documented_in_the_capabilities_readme() {
    // Least privilege is only reviewable if each granted permission says why.
    let root = repo_root();
    let readme =
        std::fs::read_to_string(root.join("src-tauri/capabilities/README.md")).unwrap_or_default();
    let mut missing = Vec::new();
    for entry in capability_dirs()
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("capabilities folder").flatten())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
    {
        let cap = read_json(&entry.path());
        for p in cap["permissions"].as_array().into_iter().flatten() {
            let id = p
                .as_str()
                .or_else(|| p["identifier"].as_str())
                .unwrap_or("");
            if !readme.contains(id) {
                missing.push(id.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "granted but not explained in capabilities/README.md: {missing:?}"
    );
}

/// `src-tauri/capabilities/` (and a `capabilities-e2e/`, should one come back).
fn capability_dirs() -> Vec<PathBuf> {
    let root = repo_root().join("src-tauri");
    ["capabilities", "capabilities-e2e"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .collect()
}

fn granted_permissions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in capability_dirs() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "json") {
                let cap = read_json(&path);
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                for p in cap["permissions"].as_array().into_iter().flatten() {
                    let id = p
                        .as_str()
                        .or_else(|| p["identifier"].as_str())
                        .unwrap_or("");
                    out.push((name.clone(), id.to_string()));
                }
            }
        }
    }
    out
}

/// Issue 12 item 10: a pre-approved plugin permission the app does not grant is one review
/// step skipped for whoever grants it later; the list holds only what is in use.
#[test]
fn no_unused_pre_approved_permissions() {
    let granted = granted_permissions();
    let unused: Vec<&str> = ALLOWED_PERMISSIONS
        .iter()
        .map(|a| a.permission)
        .filter(|p| !granted.iter().any(|(_, g)| g == p))
        .collect();
    assert!(
        unused.is_empty(),
        "pre-approved but never granted: {unused:?}"
    );
}

/// Issue 12 item 10: what the shell adds to the asset-protocol scope at run time is part of the
/// policy: every grant is documented (RUNTIME_SCOPE_GRANTS), and no capability is added from
/// Rust, where the capability checks above would not see it.
#[test]
fn runtime_asset_scope_grants_are_documented() {
    let dir = repo_root().join("src-tauri");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src-tauri").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "rs") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            sources.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(
        sources.iter().any(|(n, _)| n == "lib.rs"),
        "no shell sources read"
    );
    let problems = check_shell_sources(&sources);
    assert!(problems.is_empty(), "run-time grants: {problems:#?}");
}

/// The simulated drop is gone (the e2e drags files for real): no build lists, grants or defines
/// it, and there is no e2e-only capability file.
#[test]
fn there_is_no_simulated_drop_command() {
    for (file, id) in granted_permissions() {
        assert_ne!(
            id, "allow-e2e-drop-files",
            "{file} grants the removed command"
        );
    }
    assert!(!repo_root().join("src-tauri/capabilities-e2e").exists());
    for file in [
        "src-tauri/build.rs",
        "src-tauri/lib.rs",
        "src-tauri/commands_desktop.rs",
    ] {
        let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
        assert!(
            !text.contains("e2e_drop_files"),
            "{file} still has e2e_drop_files"
        );
    }
}
