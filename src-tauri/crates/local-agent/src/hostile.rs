//! Hostile names, a test switch (`Behaviour::hostile_names`): session and video ids start with
//! traversal and look-alike prefixes, and every `title` the API answers is one of the titles a
//! careless client would write outside its folder with (`../`, absolute paths, NUL, reserved
//! Windows names, 300 characters, right-to-left marks). It lets a client's "a crafted title
//! cannot escape the library" test actually fail when the client's naming is unsafe.
//!
//! Ids stay unique (a random part follows the prefix) and work as path segments when
//! percent-encoded; on disk the agent keys its files by [`disk_name`], never by the id itself.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;
use sha2::Digest;

use crate::state::AppState;

/// Prefixes for hostile ids (the random part follows).
pub const ID_PREFIXES: &[&str] = &[
    "../../",
    "/abs/olute/",
    "..\\..\\",
    "\u{202E}gpj.",
    "CON.",
    "~/.ssh/",
];

/// The titles served, chosen per id.
pub fn titles() -> Vec<String> {
    vec![
        "../../../../etc/passwd".into(),
        "/etc/cron.d/evil".into(),
        "..\\..\\Windows\\System32\\evil".into(),
        "evil\u{0}name.mp4".into(),
        "CON".into(),
        "NUL.txt".into(),
        ".hidden".into(),
        "Long title ".repeat(28),
        "é".repeat(300),
        "\u{202E}4pm.exe".into(),
        "\u{200F}\u{202B}مرحبا/../../x".into(),
        "~/.ssh/authorized_keys".into(),
    ]
}

/// A fresh id: `prefix` + random hex, behind a hostile prefix when `hostile`.
pub fn new_id(prefix: &str, hostile: bool) -> String {
    let id = crate::util::new_id(prefix);
    if !hostile {
        return id;
    }
    let pick = id.bytes().fold(0usize, |a, b| a.wrapping_add(b as usize)) % ID_PREFIXES.len();
    format!("{}{id}", ID_PREFIXES[pick])
}

/// The hostile title shown for the object with this id (stable per id).
pub fn title_for(id: &str) -> String {
    let all = titles();
    let digest = sha2::Sha256::digest(id.as_bytes());
    all[digest[0] as usize % all.len()].clone()
}

/// Where the agent keeps an id's files: the id itself when it is a plain segment, else a hash.
pub fn disk_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if plain {
        id.to_string()
    } else {
        format!("h{}", &crate::util::sha256_hex(id.as_bytes())[..32])
    }
}

/// Route layer for `/v3`: with hostile names on, every `title` in a JSON answer becomes the
/// hostile title of its object's id (`session_id`, `video_id` or `id`).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if !state.behaviour().hostile_names {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    rewrite_titles(&mut value);
    let out = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

fn rewrite_titles(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let id = ["session_id", "video_id", "id"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .map(str::to_string);
            if let (Some(id), Some(title)) = (id, map.get_mut("title")) {
                *title = Value::String(title_for(&id));
            }
            for v in map.values_mut() {
                rewrite_titles(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_titles),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_ids_are_unique_and_kept_off_the_disk() {
        let a = new_id("sess_", true);
        let b = new_id("sess_", true);
        assert_ne!(a, b);
        assert!(ID_PREFIXES.iter().any(|p| a.starts_with(p)), "{a}");
        let disk = disk_name(&a);
        assert!(disk.starts_with('h') && !disk.contains('/') && !disk.contains('.'));
        assert_eq!(disk_name("abc_123"), "abc_123");
        assert!(titles().iter().any(|t| t.chars().count() >= 300));
    }

    #[test]
    fn titles_are_rewritten_by_id() {
        let mut v = serde_json::json!({"data": [{"session_id": "s1", "title": "fine"}, {"id": "v1", "title": null}]});
        rewrite_titles(&mut v);
        assert_eq!(v["data"][0]["title"], Value::String(title_for("s1")));
        assert_eq!(v["data"][1]["title"], Value::String(title_for("v1")));
    }
}
