//! Runs tauri-build: reads `tauri.conf.json` at the root, the capabilities in
//! `src-tauri/capabilities/`, and generates the app's command permissions.

// Listing the app's commands makes each one need an explicit `allow-<command>` permission in a
// capability (least privilege), instead of being callable from any window.
const COMMANDS: &[&str] = &[
    "app_info",
    "connection",
    "set_api_key",
    "remove_api_key",
    "test_api_key",
    "get_settings",
    "update_settings",
    "sign_in_with_heygen",
    "cancel_sign_in",
    "sign_out",
    "use_credential",
    "submit_job",
    "list_jobs",
    "get_job",
    "stop_job",
    "retry_job",
    "delete_job",
    "load_draft",
    "save_draft",
    "list_styles",
    "list_avatar_looks",
    "list_voices",
    "list_brand_kits",
    "cached_media",
    "inspect_files",
    "pick_files",
    "pick_folder",
    "reveal_in_folder",
    "open_file",
    "open_external",
    "take_opened_files",
    "next_events",
    "resolve_close",
    "player_open",
    "player_control",
    "player_view",
    "player_close",
    "job_captions",
    "start_chat",
    "chat_thread",
    "chat_refresh",
    "open_session",
    "chat_reply",
    "chat_approve",
    "chat_request_changes",
    "chat_stop",
    "list_sessions",
    "pick_batch_csv",
    "import_dropped_batch",
    "edit_batch_cell",
    "skip_batch_row",
    "ignore_batch_column",
    "start_batch",
    "list_batches",
    "batch_rows",
    "control_batch",
    "set_batch_concurrency",
    "export_batch_results",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
