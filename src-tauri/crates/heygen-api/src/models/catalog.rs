//! Catalogues: styles (§2.5), brand kits (§2.6), avatars and looks, voices (§5).

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// A style's fixed aspect ratio.
    pub enum AspectRatio {
        Landscape = "16:9",
        Portrait = "9:16",
        Square = "1:1",
    }
}

/// A visual style of the Video Agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Style {
    pub style_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub aspect_ratio: Option<AspectRatio>,
}

/// Filters for `GET /v3/video-agents/styles`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StyleQuery {
    /// e.g. `cinematic`, `retro-tech`, `iconic-artist`, `pop-culture`, `handmade`, `print`.
    pub tag: Option<String>,
}

/// A brand kit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandKit {
    pub brand_kit_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Hex colour strings.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub colors: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub logo_url: Option<String>,
}

open_enum! {
    /// Whose avatars to list.
    pub enum Ownership {
        Public = "public",
        Private = "private",
    }
}

open_enum! {
    /// Kind of avatar look.
    pub enum AvatarType {
        StudioAvatar = "studio_avatar",
        DigitalTwin = "digital_twin",
        PhotoAvatar = "photo_avatar",
    }
}

open_enum! {
    /// A look's preferred framing.
    pub enum PreferredOrientation {
        Portrait = "portrait",
        Landscape = "landscape",
        Square = "square",
    }
}

/// An avatar group (`GET /v3/avatars`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarGroup {
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub looks_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub default_voice_id: Option<String>,
}

/// Filters for `GET /v3/avatars`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AvatarQuery {
    pub ownership: Option<Ownership>,
}

/// An avatar look (`GET /v3/avatars/looks`); its `id` is what `avatar_id` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvatarLook {
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default)]
    pub avatar_type: Option<AvatarType>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub group_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub default_voice_id: Option<String>,
    #[serde(default)]
    pub preferred_orientation: Option<PreferredOrientation>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub image_width: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub image_height: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub supported_api_engines: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub tags: Vec<String>,
    /// Whether the look can be used yet (e.g. `completed`, `processing` while a private look
    /// trains, `failed`). Not in HeyGen's published schema: optional, any shape tolerated.
    #[serde(default, deserialize_with = "text_or_none")]
    pub status: Option<String>,
    /// The subject's consent for a private look (e.g. `approved`, `pending`, `rejected`). Not in
    /// the published schema either: optional, any shape tolerated.
    #[serde(default, deserialize_with = "text_or_none")]
    pub consent_status: Option<String>,
}

impl AvatarLook {
    /// Why this look cannot be used yet, in words for a picker; `None` when it can (including
    /// when the server says nothing about it).
    pub fn unavailable_reason(&self) -> Option<String> {
        let norm = |s: &Option<String>| s.as_deref().map(|v| v.trim().to_ascii_lowercase());
        let status = norm(&self.status);
        let consent = norm(&self.consent_status);
        let ready = [
            "",
            "completed",
            "complete",
            "ready",
            "active",
            "approved",
            "success",
        ];
        let status_reason = match status.as_deref() {
            None => None,
            Some(s) if ready.contains(&s) => None,
            Some("processing" | "pending" | "training" | "in_progress" | "queued") => {
                Some("Still training".to_string())
            }
            Some("failed" | "error") => Some("Training failed".to_string()),
            Some(other) => Some(format!("Not ready ({})", other.replace('_', " "))),
        };
        let consent_reason = match consent.as_deref() {
            None => None,
            Some(c) if ready.contains(&c) || c == "granted" || c == "not_required" => None,
            Some("pending" | "requested" | "waiting") => Some("Waiting for consent".to_string()),
            Some("rejected" | "declined" | "denied" | "revoked") => {
                Some("Consent declined".to_string())
            }
            Some(other) => Some(format!("Consent {}", other.replace('_', " "))),
        };
        status_reason.or(consent_reason)
    }
}

/// A string field of unknown shape: a string (or number) is kept, anything else is `None`.
fn text_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// Filters for `GET /v3/avatars/looks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookQuery {
    pub group_id: Option<String>,
    pub avatar_type: Option<AvatarType>,
    pub ownership: Option<Ownership>,
}

open_enum! {
    /// Public catalogue voice or one of the account's own.
    pub enum VoiceType {
        Public = "public",
        Private = "private",
    }
}

/// A voice (`GET /v3/voices`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    pub voice_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub support_pause: bool,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub support_locale: bool,
    #[serde(rename = "type", default)]
    pub voice_type: Option<VoiceType>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub preview_audio_url: Option<String>,
}

/// Filters for `GET /v3/voices`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceQuery {
    pub voice_type: Option<VoiceType>,
    pub engine: Option<String>,
    pub language: Option<String>,
    pub gender: Option<String>,
}

#[cfg(test)]
mod look_readiness_tests {
    use super::AvatarLook;

    fn look(extra: serde_json::Value) -> AvatarLook {
        let mut v = serde_json::json!({"id": "l", "name": "L", "avatar_type": "digital_twin"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(v).expect("decodes")
    }

    #[test]
    fn looks_without_status_fields_are_usable() {
        assert_eq!(look(serde_json::json!({})).unavailable_reason(), None);
        let ok = look(serde_json::json!({"status": "completed", "consent_status": "approved"}));
        assert_eq!(ok.unavailable_reason(), None);
    }

    #[test]
    fn training_and_consent_give_a_reason() {
        let training = look(serde_json::json!({"status": "processing"}));
        assert_eq!(
            training.unavailable_reason().as_deref(),
            Some("Still training")
        );
        let consent = look(serde_json::json!({"status": "completed", "consent_status": "pending"}));
        assert_eq!(
            consent.unavailable_reason().as_deref(),
            Some("Waiting for consent")
        );
        let odd = look(serde_json::json!({"status": "moderation_hold"}));
        assert_eq!(
            odd.unavailable_reason().as_deref(),
            Some("Not ready (moderation hold)")
        );
    }

    #[test]
    fn odd_shapes_do_not_fail_the_look() {
        let l = look(serde_json::json!({"status": {"state": "x"}, "consent_status": null}));
        assert_eq!(l.status, None);
        assert_eq!(l.unavailable_reason(), None);
    }
}
