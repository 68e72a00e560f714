//! A storyboard read from a `draft` resource's `metadata`, whose shape HeyGen does not publish
//! (spec §2.4). Everything is guessed generically — a title, a list of scenes with heading,
//! text, duration and image — and whatever is not recognised is kept as readable key/value
//! pairs. Never fails: an unknown shape becomes a storyboard with only `fields`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const TITLE_KEYS: &[&str] = &["title", "name", "heading"];
const SCENE_LIST_KEYS: &[&str] = &[
    "scenes",
    "slides",
    "shots",
    "storyboard",
    "segments",
    "items",
];
const HEADING_KEYS: &[&str] = &["heading", "title", "name", "label"];
const TEXT_KEYS: &[&str] = &[
    "text",
    "script",
    "content",
    "description",
    "caption",
    "body",
];
const NARRATION_KEYS: &[&str] = &["narration", "voiceover", "voice_over", "speech", "dialogue"];
const DURATION_KEYS: &[&str] = &[
    "duration",
    "duration_secs",
    "duration_seconds",
    "length",
    "seconds",
];
const IMAGE_KEYS: &[&str] = &[
    "image_url",
    "image",
    "thumbnail_url",
    "thumbnail",
    "preview_url",
    "still_url",
    "url",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Storyboard {
    pub title: Option<String>,
    /// Total length in seconds, when stated.
    pub duration_secs: Option<f64>,
    pub scenes: Vec<Scene>,
    /// Other top-level values, as `key → readable text`.
    #[serde(with = "field_list")]
    #[cfg_attr(feature = "specta", specta(type = Vec<Field>))]
    pub fields: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Scene {
    pub heading: Option<String>,
    pub text: Option<String>,
    pub narration: Option<String>,
    pub duration_secs: Option<f64>,
    pub image_url: Option<String>,
    /// Other values of the scene, as `key → readable text`.
    #[serde(with = "field_list")]
    #[cfg_attr(feature = "specta", specta(type = Vec<Field>))]
    pub fields: Vec<(String, String)>,
}

/// One `key → readable text` pair: how a list of fields is sent (`{key, value}` objects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Field {
    pub key: String,
    pub value: String,
}

/// `Vec<(key, value)>` as `[{key, value}, …]` on the wire.
pub(crate) mod field_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Field;

    pub fn serialize<S: Serializer>(fields: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        let fields: Vec<Field> = fields
            .iter()
            .map(|(key, value)| Field {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        fields.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        Ok(Vec::<Field>::deserialize(d)?
            .into_iter()
            .map(|f| (f.key, f.value))
            .collect())
    }
}

impl Storyboard {
    /// Read whatever `metadata` holds. A non-object becomes a single field.
    pub fn from_metadata(metadata: &Value) -> Storyboard {
        let Value::Object(map) = metadata else {
            return Storyboard {
                fields: vec![("value".into(), readable(metadata))],
                ..Default::default()
            };
        };
        let mut rest = map.clone();
        let title = take_text(&mut rest, TITLE_KEYS);
        let duration_secs = take_duration(&mut rest, DURATION_KEYS);
        let scenes = take_scene_list(&mut rest)
            .map(|list| list.iter().map(Scene::from_value).collect())
            .unwrap_or_default();
        Storyboard {
            title,
            duration_secs,
            scenes,
            fields: fields(&rest),
        }
    }
}

impl Scene {
    fn from_value(value: &Value) -> Scene {
        let Value::Object(map) = value else {
            return Scene {
                text: Some(readable(value)),
                ..Default::default()
            };
        };
        let mut rest = map.clone();
        Scene {
            heading: take_text(&mut rest, HEADING_KEYS),
            text: take_text(&mut rest, TEXT_KEYS),
            narration: take_text(&mut rest, NARRATION_KEYS),
            duration_secs: take_duration(&mut rest, DURATION_KEYS),
            image_url: take_text(&mut rest, IMAGE_KEYS).filter(|u| looks_like_url(u)),
            fields: fields(&rest),
        }
    }
}

/// The first list of scenes: under a known key, else the only array of objects.
fn take_scene_list(map: &mut Map<String, Value>) -> Option<Vec<Value>> {
    for key in SCENE_LIST_KEYS {
        if let Some(Value::Array(list)) = map.get(*key) {
            let list = list.clone();
            map.remove(*key);
            return Some(list);
        }
    }
    let key = map
        .iter()
        .find(|(_, v)| matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_object)))
        .map(|(k, _)| k.clone())?;
    match map.remove(&key) {
        Some(Value::Array(list)) => Some(list),
        _ => None,
    }
}

fn take_text(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    for key in keys {
        let text = match map.get(*key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        map.remove(*key);
        return Some(text);
    }
    None
}

fn take_duration(map: &mut Map<String, Value>, keys: &[&str]) -> Option<f64> {
    for key in keys {
        let secs = match map.get(*key) {
            Some(Value::Number(n)) => n.as_f64(),
            // "5", "5s", "5.5 sec"
            Some(Value::String(s)) => s
                .trim()
                .trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace())
                .parse()
                .ok(),
            _ => None,
        };
        if let Some(secs) = secs.filter(|s: &f64| s.is_finite() && *s >= 0.0) {
            map.remove(*key);
            return Some(secs);
        }
    }
    None
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("data:image/")
}

fn fields(map: &Map<String, Value>) -> Vec<(String, String)> {
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.replace('_', " "), readable(v)))
        .collect()
}

/// A value as text a person can read: strings as-is, short lists joined, objects as
/// `key: value` pairs, anything long cut with an ellipsis.
pub fn readable(value: &Value) -> String {
    const MAX: usize = 400;
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(readable).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), readable(v)))
            .collect::<Vec<_>>()
            .join("; "),
    };
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_local_agents_shape() {
        let sb = Storyboard::from_metadata(&json!({
            "title": "Bakery", "duration": 6, "orientation": "landscape",
            "scenes": [{"heading": "Hello", "text": "Fresh bread", "narration": "Welcome",
                        "start": 0, "duration": 3.0, "image_url": "http://127.0.0.1:9/x.png"}]
        }));
        assert_eq!(sb.title.as_deref(), Some("Bakery"));
        assert_eq!(sb.duration_secs, Some(6.0));
        assert_eq!(sb.fields, vec![("orientation".into(), "landscape".into())]);
        let s = &sb.scenes[0];
        assert_eq!(s.heading.as_deref(), Some("Hello"));
        assert_eq!(s.text.as_deref(), Some("Fresh bread"));
        assert_eq!(s.narration.as_deref(), Some("Welcome"));
        assert_eq!(s.duration_secs, Some(3.0));
        assert_eq!(s.image_url.as_deref(), Some("http://127.0.0.1:9/x.png"));
        assert_eq!(s.fields, vec![("start".into(), "0".into())]);
    }

    #[test]
    fn unknown_shapes_become_readable_fields() {
        let sb = Storyboard::from_metadata(&json!({
            "shots": [{"caption": "A", "length": "4s", "camera": {"angle": "low", "zoom": null}}],
            "notes": ["a", "b"], "empty": null
        }));
        assert_eq!(sb.scenes.len(), 1);
        assert_eq!(sb.scenes[0].text.as_deref(), Some("A"));
        assert_eq!(sb.scenes[0].duration_secs, Some(4.0));
        assert_eq!(
            sb.scenes[0].fields,
            vec![("camera".into(), "angle: low".into())]
        );
        assert_eq!(sb.fields, vec![("notes".into(), "a, b".into())]);
        let odd = Storyboard::from_metadata(&json!([1, "two"]));
        assert_eq!(odd.fields, vec![("value".into(), "1, two".into())]);
        assert!(odd.scenes.is_empty());
        // An array of objects under an unknown key is taken as the scenes.
        let other =
            Storyboard::from_metadata(&json!({"parts": [{"script": "x"}], "image": "nope"}));
        assert_eq!(other.scenes[0].text.as_deref(), Some("x"));
        // A scene "image" that is not a URL is not an image.
        let s = Storyboard::from_metadata(&json!({"scenes": [{"image": "cat"}]}));
        assert_eq!(s.scenes[0].image_url, None);
        assert_eq!(readable(&json!("é".repeat(500))).chars().count(), 401);
    }
}
