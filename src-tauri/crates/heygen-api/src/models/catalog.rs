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
