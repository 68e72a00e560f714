//! Synthetic styles that pad the catalogue for scale benchmarks (`--extra-styles N`, e.g. a
//! gallery of 1,000 styles). Each has its own name, palette, tag, aspect ratio and a real PNG
//! thumbnail drawn in-process (no ffmpeg per thumbnail), served by the agent's own CDN.
//!
//! The catalogue's `Style` holds `&'static str`s; the synthetic table is built once per process
//! (on first use) and its strings are leaked on purpose: at most [`MAX`] small entries, for the
//! lifetime of the process, so every lookup stays a plain `&'static Style` like the built-ins.

use std::path::Path;
use std::sync::OnceLock;

use crate::catalog::{Style, Typeface};

/// Ids are `style_synthetic_00001` … (1-based, zero-padded so they sort as listed).
pub const PREFIX: &str = "style_synthetic_";
/// The most synthetic styles an agent can list.
pub const MAX: usize = 10_000;

const ADJECTIVES: &[&str] = &[
    "Quiet", "Bold", "Velvet", "Electric", "Faded", "Crisp", "Dusty", "Lucid", "Polar", "Amber",
    "Sunlit", "Misty", "Graphic", "Soft", "Vivid", "Muted", "Glass", "Paper", "Copper", "Ink",
];
const NOUNS: &[&str] = &[
    "Harbor",
    "Atlas",
    "Orchard",
    "Signal",
    "Meadow",
    "Circuit",
    "Canyon",
    "Lantern",
    "Mosaic",
    "Tide",
    "Summit",
    "Studio",
    "Parade",
    "Archive",
    "Garden",
    "Skyline",
    "Runway",
    "Lagoon",
    "Gallery",
    "Frontier",
    "Pulse",
    "Prism",
    "Harvest",
    "Compass",
    "Cascade",
    "Beacon",
    "Ember",
    "Horizon",
    "Quarry",
    "Reverie",
    "Satellite",
    "Timber",
    "Voyage",
    "Willow",
    "Zenith",
    "Aurora",
    "Bloom",
    "Cobalt",
    "Drift",
    "Echo",
    "Fable",
    "Glacier",
    "Hollow",
    "Ivory",
    "Jetty",
    "Kiln",
    "Lumen",
    "Monsoon",
    "Nimbus",
    "Oasis",
];
// One documented tag each (spec §2.5), so tag filters page through synthetic styles too.
const TAGS: [&[&str]; 6] = [
    &["cinematic"],
    &["retro-tech"],
    &["iconic-artist"],
    &["pop-culture"],
    &["handmade"],
    &["print"],
];
const ASPECTS: [Option<&str>; 4] = [Some("16:9"), Some("9:16"), Some("1:1"), None];
const TYPEFACES: [Typeface; 4] = [
    Typeface::Sans,
    Typeface::Serif,
    Typeface::Mono,
    Typeface::Condensed,
];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// HSL (h in degrees, s and l in 0–1) as `rrggbb`.
fn hsl_hex(h: f64, s: f64, l: f64) -> String {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h % 360.0) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m).clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

fn make(i: usize) -> Style {
    // Golden-angle hue steps keep neighbouring styles visibly different.
    let hue = (i as f64 * 137.507_764) % 360.0;
    let dark = !i.is_multiple_of(3);
    // Lightness steps too, so styles whose hues round to the same bytes still differ.
    let step = (i % 5) as f64 * 0.025;
    let (bg, fg) = if dark {
        (hsl_hex(hue, 0.45, 0.10 + step), hsl_hex(hue, 0.30, 0.94))
    } else {
        (hsl_hex(hue, 0.40, 0.86 + step), hsl_hex(hue, 0.55, 0.16))
    };
    let adjective = ADJECTIVES[i % ADJECTIVES.len()];
    let noun = NOUNS[(i / ADJECTIVES.len()) % NOUNS.len()];
    Style {
        id: leak(format!("{PREFIX}{:05}", i + 1)),
        name: leak(format!("{adjective} {noun} {}", i + 1)),
        tags: TAGS[i % TAGS.len()],
        aspect_ratio: ASPECTS[i % ASPECTS.len()],
        bg: leak(bg),
        fg: leak(fg),
        accent: leak(hsl_hex(
            hue + 40.0,
            0.75,
            0.45 + ((i / 5) % 4) as f64 * 0.05,
        )),
        typeface: TYPEFACES[i % TYPEFACES.len()],
    }
}

fn table() -> &'static [Style] {
    static TABLE: OnceLock<Vec<Style>> = OnceLock::new();
    TABLE.get_or_init(|| (0..MAX).map(make).collect())
}

/// The first `n` synthetic styles (at most [`MAX`]).
pub fn first(n: usize) -> &'static [Style] {
    if n == 0 {
        return &[];
    }
    &table()[..n.min(MAX)]
}

/// Position (0-based) of a synthetic style id, if it is one.
pub fn index(id: &str) -> Option<usize> {
    let n: usize = id.strip_prefix(PREFIX)?.parse().ok()?;
    (1..=MAX).contains(&n).then(|| n - 1)
}

/// A synthetic style by id (whether or not the running agent lists it).
pub fn style(id: &str) -> Option<&'static Style> {
    index(id).map(|i| &table()[i])
}

fn hex_rgb(hex: &str) -> [u8; 3] {
    let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    [c(0), c(2), c(4)]
}

/// Draws the thumbnail of style number `i` (0-based) into `path` as a `w`×`h` PNG: the
/// background, an accent band, and a disc whose place and size depend on the style.
pub fn write_thumbnail(s: &Style, i: usize, w: u32, h: u32, path: &Path) -> std::io::Result<()> {
    let (bg, fg, accent) = (hex_rgb(s.bg), hex_rgb(s.fg), hex_rgb(s.accent));
    let cx = (i as u32 * 37 % w) as i64;
    let cy = (h / 3) as i64;
    let r = (h as i64 / 8) + (i as i64 % 5) * 4;
    let mut px = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let rgb = if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                fg
            } else if y >= (h as i64 * 2 / 3) {
                accent
            } else {
                bg
            };
            px.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
    }
    crate::presenter::write_png(path, w, h, &px)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_styles_are_distinct_and_resolvable() {
        let all = first(1_000);
        assert_eq!(all.len(), 1_000);
        let ids: std::collections::HashSet<_> = all.iter().map(|s| s.id).collect();
        let names: std::collections::HashSet<_> = all.iter().map(|s| s.name).collect();
        let palettes: std::collections::HashSet<_> =
            all.iter().map(|s| (s.bg, s.fg, s.accent)).collect();
        assert_eq!(
            (ids.len(), names.len(), palettes.len()),
            (1_000, 1_000, 1_000)
        );
        assert_eq!(
            style("style_synthetic_00042").map(|s| s.id),
            Some(all[41].id)
        );
        assert!(style("style_synthetic_00000").is_none());
        assert!(style("style_synthetic_99999").is_none());
        assert!(style("style_noir_detective").is_none());
        assert!(first(MAX + 5).len() == MAX);
    }

    #[test]
    fn thumbnails_are_real_pngs_that_differ() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.png"), dir.path().join("b.png"));
        write_thumbnail(&first(2)[0], 0, 48, 27, &a).unwrap();
        write_thumbnail(&first(2)[1], 1, 48, 27, &b).unwrap();
        let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert_eq!(&a[1..4], b"PNG");
        assert_ne!(a, b);
    }
}
