//! Runs tauri-build: reads `tauri.conf.json` at the root, the capabilities in
//! `src-tauri/capabilities/`, and generates the app's command permissions.

fn main() {
    // Listing the app's commands makes each one need an explicit `allow-<command>` permission
    // in a capability (least privilege), instead of being callable from any window.
    let manifest = tauri_build::AppManifest::new().commands(&["app_info"]);
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
