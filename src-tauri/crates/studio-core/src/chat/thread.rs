//! The message thread: what a poll brings in, and the key that says two messages are the same.
//! The API returns at most the newest 40 messages, newest first, so a thread is merged: every
//! message ever seen stays, new ones are appended in chronological order.

use heygen_api::models::{MessageType, Session};

use super::model::ChatMessage;

/// The session's messages oldest → newest, as thread entries (`seq` assigned on merge).
pub(crate) fn incoming(session: &Session) -> Vec<ChatMessage> {
    session
        .messages_chronological()
        .into_iter()
        .map(|m| ChatMessage {
            seq: 0,
            role: m.role.clone(),
            content: m.content.clone(),
            kind: m.kind.clone().unwrap_or(MessageType::Text),
            created_at: m.created_at,
            resource_ids: m.resource_ids.clone(),
        })
        .collect()
}

/// Identity of a message: (created_at, role, content, type). Two identical messages at the same
/// second are one message — the server has no message id to tell them apart.
pub(crate) fn dedupe_key(m: &ChatMessage) -> String {
    serde_json::json!([m.created_at, m.role, m.content, m.kind]).to_string()
}

/// Resource ids in first-reference order, without repeats.
pub(crate) fn referenced_resources(messages: &[ChatMessage]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    messages
        .iter()
        .flat_map(|m| m.resource_ids.iter())
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(json: serde_json::Value) -> Session {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn newest_first_becomes_oldest_first_and_assistant_is_model() {
        let s = session(serde_json::json!({
            "session_id": "s", "status": "reviewing",
            "messages": [
                {"role": "assistant", "content": "Here is the storyboard", "type": "resource",
                 "created_at": 30, "resource_ids": ["r1"]},
                {"role": "user", "content": "A calm voice", "type": "text", "created_at": 20},
                {"role": "model", "content": "Which voice?", "created_at": 10, "resource_ids": null}
            ]
        }));
        let m = incoming(&s);
        let contents: Vec<&str> = m.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(
            contents,
            ["Which voice?", "A calm voice", "Here is the storyboard"]
        );
        assert_eq!(m[2].role, "model");
        assert_eq!(m[0].kind, "text");
        assert_eq!(referenced_resources(&m), ["r1"]);
        assert_ne!(dedupe_key(&m[0]), dedupe_key(&m[1]));
        let mut same = m[0].clone();
        same.seq = 99;
        same.resource_ids = vec!["x".into()];
        assert_eq!(
            dedupe_key(&m[0]),
            dedupe_key(&same),
            "seq and resources are not identity"
        );
    }
}
