//! The built-in catalogue: styles, avatars (groups and looks), voices and brand kits.

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typeface {
    Sans,
    Serif,
    Mono,
    Condensed,
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub id: &'static str,
    pub name: &'static str,
    pub tags: &'static [&'static str],
    pub aspect_ratio: Option<&'static str>,
    /// Background, text, accent (hex without `#`).
    pub bg: &'static str,
    pub fg: &'static str,
    pub accent: &'static str,
    pub typeface: Typeface,
}

// A table row constructor; one argument per column reads best here.
#[allow(clippy::too_many_arguments)]
const fn st(
    id: &'static str,
    name: &'static str,
    tags: &'static [&'static str],
    aspect_ratio: Option<&'static str>,
    bg: &'static str,
    fg: &'static str,
    accent: &'static str,
    typeface: Typeface,
) -> Style {
    Style {
        id,
        name,
        tags,
        aspect_ratio,
        bg,
        fg,
        accent,
        typeface,
    }
}

use Typeface::*;

pub const STYLES: &[Style] = &[
    st(
        "style_noir_detective",
        "Noir Detective",
        &["cinematic"],
        Some("16:9"),
        "111111",
        "f5f5f5",
        "c0a060",
        Serif,
    ),
    st(
        "style_golden_hour",
        "Golden Hour",
        &["cinematic"],
        Some("16:9"),
        "2b1d0e",
        "fff4e0",
        "f5a623",
        Serif,
    ),
    st(
        "style_epic_trailer",
        "Epic Trailer",
        &["cinematic"],
        Some("16:9"),
        "0b0f1a",
        "e8edf7",
        "d7263d",
        Condensed,
    ),
    st(
        "style_vertical_drama",
        "Vertical Drama",
        &["cinematic"],
        Some("9:16"),
        "1a1024",
        "f3e8ff",
        "a855f7",
        Serif,
    ),
    st(
        "style_retro_crt",
        "Retro CRT",
        &["retro-tech"],
        Some("16:9"),
        "001b0e",
        "33ff88",
        "00cc66",
        Mono,
    ),
    st(
        "style_pixel_arcade",
        "Pixel Arcade",
        &["retro-tech", "pop-culture"],
        Some("1:1"),
        "1b1464",
        "fdfd96",
        "ff4f9a",
        Mono,
    ),
    st(
        "style_vaporwave",
        "Vaporwave",
        &["retro-tech"],
        Some("16:9"),
        "2d0b4e",
        "ffe6ff",
        "00e5ff",
        Sans,
    ),
    st(
        "style_terminal_green",
        "Terminal Green",
        &["retro-tech"],
        None,
        "000000",
        "39ff14",
        "39ff14",
        Mono,
    ),
    st(
        "style_synth_grid",
        "Synth Grid",
        &["retro-tech"],
        Some("9:16"),
        "120024",
        "ffd1f7",
        "ff2a6d",
        Condensed,
    ),
    st(
        "style_bauhaus",
        "Bauhaus",
        &["iconic-artist"],
        Some("1:1"),
        "f4efe6",
        "1d1d1b",
        "e63946",
        Sans,
    ),
    st(
        "style_pop_art_dots",
        "Pop Art Dots",
        &["iconic-artist", "pop-culture"],
        Some("16:9"),
        "ffde00",
        "111111",
        "e4002b",
        Condensed,
    ),
    st(
        "style_impressionist",
        "Impressionist",
        &["iconic-artist"],
        Some("16:9"),
        "dfe9f3",
        "243b55",
        "7aa5d2",
        Serif,
    ),
    st(
        "style_mondrian_grid",
        "Mondrian Grid",
        &["iconic-artist"],
        None,
        "fafafa",
        "101010",
        "1d4ed8",
        Sans,
    ),
    st(
        "style_ukiyo_wave",
        "Ukiyo Wave",
        &["iconic-artist"],
        Some("9:16"),
        "f1e9d2",
        "1e3a5f",
        "c1440e",
        Serif,
    ),
    st(
        "style_comic_panel",
        "Comic Panel",
        &["pop-culture"],
        Some("16:9"),
        "ffffff",
        "000000",
        "ff3b30",
        Condensed,
    ),
    st(
        "style_neon_night",
        "Neon Night",
        &["pop-culture"],
        Some("9:16"),
        "07021a",
        "f0f0ff",
        "ff00e6",
        Sans,
    ),
    st(
        "style_sticker_burst",
        "Sticker Burst",
        &["pop-culture"],
        Some("1:1"),
        "ff8fab",
        "1b1b1b",
        "ffd60a",
        Sans,
    ),
    st(
        "style_paper_cutout",
        "Paper Cutout",
        &["handmade"],
        Some("16:9"),
        "f6e7cb",
        "3d2c1e",
        "e07a5f",
        Sans,
    ),
    st(
        "style_chalkboard",
        "Chalkboard",
        &["handmade"],
        Some("16:9"),
        "213d2e",
        "f1f1e6",
        "f4d35e",
        Serif,
    ),
    st(
        "style_watercolor",
        "Watercolor",
        &["handmade"],
        None,
        "eef4f8",
        "2f3e46",
        "84a98c",
        Serif,
    ),
    st(
        "style_clay_studio",
        "Clay Studio",
        &["handmade"],
        Some("1:1"),
        "f2d0a4",
        "4a2c1a",
        "c97b4a",
        Sans,
    ),
    st(
        "style_crayon_notes",
        "Crayon Notes",
        &["handmade"],
        Some("9:16"),
        "fffdf5",
        "2b2d42",
        "ef476f",
        Condensed,
    ),
    st(
        "style_newsprint",
        "Newsprint",
        &["print"],
        Some("16:9"),
        "f2efe6",
        "1a1a1a",
        "8c1c13",
        Serif,
    ),
    st(
        "style_magazine_cover",
        "Magazine Cover",
        &["print"],
        Some("9:16"),
        "ffffff",
        "0f0f0f",
        "ff5a1f",
        Condensed,
    ),
    st(
        "style_risograph",
        "Risograph",
        &["print", "handmade"],
        Some("1:1"),
        "fdf6ec",
        "0078bf",
        "ff48b0",
        Sans,
    ),
    st(
        "style_blueprint",
        "Blueprint",
        &["print", "retro-tech"],
        None,
        "0d3b66",
        "e6f1ff",
        "faf0ca",
        Mono,
    ),
    st(
        "style_swiss_poster",
        "Swiss Poster",
        &["print"],
        Some("16:9"),
        "e30613",
        "ffffff",
        "111111",
        Sans,
    ),
    st(
        "style_clean_corporate",
        "Clean Corporate",
        &[],
        None,
        "f8fafc",
        "0f172a",
        "2563eb",
        Sans,
    ),
];

pub const DEFAULT_STYLE: &str = "style_clean_corporate";

/// A built-in or synthetic style (see `synthetic_styles`) by id.
pub fn style(id: &str) -> Option<&'static Style> {
    STYLES
        .iter()
        .find(|s| s.id == id)
        .or_else(|| crate::synthetic_styles::style(id))
}

/// The listed catalogue: the built-in styles, then `extra` synthetic ones.
pub fn listed_styles(extra: usize) -> impl Iterator<Item = &'static Style> {
    STYLES
        .iter()
        .chain(crate::synthetic_styles::first(extra).iter())
}

pub fn style_json(s: &Style, thumbnail_url: String, preview_url: String) -> Value {
    json!({
        "style_id": s.id,
        "name": s.name,
        "thumbnail_url": thumbnail_url,
        "preview_video_url": preview_url,
        "tags": if s.tags.is_empty() { Value::Null } else { json!(s.tags) },
        "aspect_ratio": s.aspect_ratio,
    })
}

#[derive(Debug, Clone, Copy)]
pub struct AvatarGroup {
    pub id: &'static str,
    pub name: &'static str,
    pub gender: &'static str,
    pub default_voice_id: &'static str,
    pub created_at: i64,
    pub private: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub id: &'static str,
    pub group_id: &'static str,
    pub name: &'static str,
    pub avatar_type: &'static str,
    /// Shirt colour of the presenter figure.
    pub outfit: &'static str,
    pub skin: &'static str,
    pub orientation: &'static str,
}

pub const AVATAR_GROUPS: &[AvatarGroup] = &[
    AvatarGroup {
        id: "ag_ada",
        name: "Ada",
        gender: "female",
        default_voice_id: "voice_en_us_f1",
        created_at: 1_735_689_600,
        private: false,
    },
    AvatarGroup {
        id: "ag_ben",
        name: "Ben",
        gender: "male",
        default_voice_id: "voice_en_us_m1",
        created_at: 1_735_776_000,
        private: false,
    },
    AvatarGroup {
        id: "ag_chloe",
        name: "Chloe",
        gender: "female",
        default_voice_id: "voice_en_gb_f1",
        created_at: 1_735_862_400,
        private: false,
    },
    AvatarGroup {
        id: "ag_dev",
        name: "Dev",
        gender: "male",
        default_voice_id: "voice_en_gb_m1",
        created_at: 1_735_948_800,
        private: false,
    },
    AvatarGroup {
        id: "ag_eve",
        name: "Eve",
        gender: "female",
        default_voice_id: "voice_en_us_f2",
        created_at: 1_736_035_200,
        private: false,
    },
    AvatarGroup {
        id: "ag_me",
        name: "My Twin",
        gender: "male",
        default_voice_id: "voice_en_us_m2",
        created_at: 1_736_121_600,
        private: true,
    },
];

pub const LOOKS: &[Look] = &[
    Look {
        id: "look_ada_office",
        group_id: "ag_ada",
        name: "Ada — Office",
        avatar_type: "studio_avatar",
        outfit: "2563eb",
        skin: "f1c27d",
        orientation: "landscape",
    },
    Look {
        id: "look_ada_casual",
        group_id: "ag_ada",
        name: "Ada — Casual",
        avatar_type: "studio_avatar",
        outfit: "16a34a",
        skin: "f1c27d",
        orientation: "portrait",
    },
    Look {
        id: "look_ben_suit",
        group_id: "ag_ben",
        name: "Ben — Suit",
        avatar_type: "studio_avatar",
        outfit: "1f2937",
        skin: "c68642",
        orientation: "landscape",
    },
    Look {
        id: "look_ben_hoodie",
        group_id: "ag_ben",
        name: "Ben — Hoodie",
        avatar_type: "studio_avatar",
        outfit: "dc2626",
        skin: "c68642",
        orientation: "portrait",
    },
    Look {
        id: "look_chloe_studio",
        group_id: "ag_chloe",
        name: "Chloe — Studio",
        avatar_type: "studio_avatar",
        outfit: "9333ea",
        skin: "ffdbac",
        orientation: "landscape",
    },
    Look {
        id: "look_chloe_street",
        group_id: "ag_chloe",
        name: "Chloe — Street",
        avatar_type: "photo_avatar",
        outfit: "f59e0b",
        skin: "ffdbac",
        orientation: "square",
    },
    Look {
        id: "look_dev_lab",
        group_id: "ag_dev",
        name: "Dev — Lab",
        avatar_type: "studio_avatar",
        outfit: "f8fafc",
        skin: "8d5524",
        orientation: "landscape",
    },
    Look {
        id: "look_dev_stage",
        group_id: "ag_dev",
        name: "Dev — Stage",
        avatar_type: "studio_avatar",
        outfit: "0891b2",
        skin: "8d5524",
        orientation: "landscape",
    },
    Look {
        id: "look_eve_news",
        group_id: "ag_eve",
        name: "Eve — Newsroom",
        avatar_type: "studio_avatar",
        outfit: "be123c",
        skin: "e0ac69",
        orientation: "landscape",
    },
    Look {
        id: "look_eve_home",
        group_id: "ag_eve",
        name: "Eve — Home",
        avatar_type: "photo_avatar",
        outfit: "65a30d",
        skin: "e0ac69",
        orientation: "portrait",
    },
    Look {
        id: "look_me_twin",
        group_id: "ag_me",
        name: "My Twin — Default",
        avatar_type: "digital_twin",
        outfit: "334155",
        skin: "d4a373",
        orientation: "landscape",
    },
    // Two of the account's own looks that cannot be used yet (see `readiness`).
    Look {
        id: "look_me_studio",
        group_id: "ag_me",
        name: "My Twin — Studio",
        avatar_type: "digital_twin",
        outfit: "7c3aed",
        skin: "d4a373",
        orientation: "portrait",
    },
    Look {
        id: "look_me_outdoor",
        group_id: "ag_me",
        name: "My Twin — Outdoor",
        avatar_type: "digital_twin",
        outfit: "ca8a04",
        skin: "d4a373",
        orientation: "landscape",
    },
];

pub fn look(id: &str) -> Option<&'static Look> {
    LOOKS.iter().find(|l| l.id == id)
}

/// A look's `status` (`completed` | `processing` | `failed`) and `consent_status` (`approved`
/// | `pending` | `rejected`, null for stock looks). HeyGen's published look schema has neither
/// (spec §5); private looks on HeyGen do wait for training and for the subject's consent, so
/// the agent sends both as optional fields and refuses a look that is not ready.
pub fn readiness(look_id: &str) -> (&'static str, Option<&'static str>) {
    match look_id {
        "look_me_studio" => ("processing", Some("approved")),
        "look_me_outdoor" => ("completed", Some("pending")),
        "look_me_twin" => ("completed", Some("approved")),
        _ => ("completed", None),
    }
}

/// Why a look cannot be used yet, if so.
pub fn unavailable_reason(look_id: &str) -> Option<&'static str> {
    match readiness(look_id) {
        ("processing", _) => Some("still training"),
        ("failed", _) => Some("training failed"),
        (_, Some("pending")) => Some("waiting for the subject's consent"),
        (_, Some("rejected")) => Some("consent was declined"),
        _ => None,
    }
}

pub fn group(id: &str) -> Option<&'static AvatarGroup> {
    AVATAR_GROUPS.iter().find(|g| g.id == id)
}

#[derive(Debug, Clone, Copy)]
pub struct Voice {
    pub id: &'static str,
    pub name: &'static str,
    pub language: &'static str,
    pub locale: &'static str,
    pub gender: &'static str,
    /// espeak-ng voice spec.
    pub espeak: &'static str,
    pub private: bool,
}

pub const VOICES: &[Voice] = &[
    Voice {
        id: "voice_en_us_f1",
        name: "Aria",
        language: "English",
        locale: "en-US",
        gender: "female",
        espeak: "en-us+f3",
        private: false,
    },
    Voice {
        id: "voice_en_us_m1",
        name: "Blake",
        language: "English",
        locale: "en-US",
        gender: "male",
        espeak: "en-us+m3",
        private: false,
    },
    Voice {
        id: "voice_en_us_f2",
        name: "Cora",
        language: "English",
        locale: "en-US",
        gender: "female",
        espeak: "en-us+f4",
        private: false,
    },
    Voice {
        id: "voice_en_us_m2",
        name: "Dean",
        language: "English",
        locale: "en-US",
        gender: "male",
        espeak: "en-us+m1",
        private: true,
    },
    Voice {
        id: "voice_en_gb_f1",
        name: "Elsie",
        language: "English",
        locale: "en-GB",
        gender: "female",
        espeak: "en-gb+f2",
        private: false,
    },
    Voice {
        id: "voice_en_gb_m1",
        name: "Finn",
        language: "English",
        locale: "en-GB",
        gender: "male",
        espeak: "en-gb+m2",
        private: false,
    },
    Voice {
        id: "voice_en_sc_m1",
        name: "Gordon",
        language: "English",
        locale: "en-GB-scotland",
        gender: "male",
        espeak: "en-gb-scotland",
        private: false,
    },
    Voice {
        id: "voice_de_f1",
        name: "Heidi",
        language: "German",
        locale: "de-DE",
        gender: "female",
        espeak: "de+f2",
        private: false,
    },
    Voice {
        id: "voice_fr_m1",
        name: "Hugo",
        language: "French",
        locale: "fr-FR",
        gender: "male",
        espeak: "fr+m2",
        private: false,
    },
    Voice {
        id: "voice_es_f1",
        name: "Inés",
        language: "Spanish",
        locale: "es-ES",
        gender: "female",
        espeak: "es+f3",
        private: false,
    },
    // The account's own cloned voices, listed beside the public ones (`type: private`).
    Voice {
        id: "voice_clone_me",
        name: "My Voice (clone)",
        language: "English",
        locale: "en-US",
        gender: "male",
        espeak: "en-us+m7",
        private: true,
    },
    Voice {
        id: "voice_clone_greta",
        name: "Greta (clone)",
        language: "German",
        locale: "de-DE",
        gender: "female",
        espeak: "de+f4",
        private: true,
    },
];

pub const DEFAULT_VOICE: &str = "voice_en_us_f1";

pub fn voice(id: &str) -> Option<&'static Voice> {
    VOICES.iter().find(|v| v.id == id)
}

#[derive(Debug, Clone, Copy)]
pub struct BrandKit {
    pub id: &'static str,
    pub name: &'static str,
    pub colors: &'static [&'static str],
}

pub const BRAND_KITS: &[BrandKit] = &[
    BrandKit {
        id: "bk_acme",
        name: "Acme Corp",
        colors: &["#0052cc", "#ffab00", "#172b4d"],
    },
    BrandKit {
        id: "bk_greenleaf",
        name: "Greenleaf",
        colors: &["#2d6a4f", "#95d5b2", "#081c15"],
    },
    BrandKit {
        id: "bk_nova",
        name: "Nova Labs",
        colors: &["#7b2cbf", "#e0aaff", "#10002b"],
    },
];

pub fn brand_kit(id: &str) -> Option<&'static BrandKit> {
    BRAND_KITS.iter().find(|b| b.id == id)
}

pub const WEBHOOK_EVENT_TYPES: &[(&str, &str)] = &[
    (
        "video_agent.success",
        "Fired when a Video Agent session completes successfully.",
    ),
    (
        "video_agent.fail",
        "Fired when a Video Agent session fails.",
    ),
    (
        "avatar_video.success",
        "Fired when an avatar video finishes rendering.",
    ),
    (
        "avatar_video.fail",
        "Fired when an avatar video fails to render.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_covers_tags_and_aspects() {
        assert!(STYLES.len() >= 24);
        for tag in [
            "cinematic",
            "retro-tech",
            "iconic-artist",
            "pop-culture",
            "handmade",
            "print",
        ] {
            assert!(
                STYLES.iter().filter(|s| s.tags.contains(&tag)).count() >= 3,
                "{tag}"
            );
        }
        for ar in [Some("16:9"), Some("9:16"), Some("1:1"), None] {
            assert!(STYLES.iter().any(|s| s.aspect_ratio == ar));
        }
        for l in LOOKS {
            assert!(group(l.group_id).is_some());
        }
        for g in AVATAR_GROUPS {
            assert!(voice(g.default_voice_id).is_some());
        }
    }
}
