//! The "presenter": a simple figure (head, neck, shoulders) drawn in the avatar look's colours,
//! written as an RGBA PNG. Used in scenes and as avatar preview images.

use std::io::BufWriter;
use std::path::Path;

fn hex_rgb(hex: &str) -> [u8; 3] {
    let h = hex.trim_start_matches('#');
    let p = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    [p(0), p(2), p(4)]
}

/// Draws the figure into a `w`×`h` RGBA image; `background` None = transparent.
pub fn draw(w: u32, h: u32, outfit: &str, skin: &str, background: Option<&str>) -> Vec<u8> {
    let outfit = hex_rgb(outfit);
    let skin = hex_rgb(skin);
    let hair = [40u8, 30, 25];
    let bg = background.map(hex_rgb);
    let (wf, hf) = (w as f32, h as f32);
    let cx = wf / 2.0;
    let head_r = (wf * 0.26).min(hf * 0.17);
    let head_cy = hf * 0.36;
    let shoulders_top = hf * 0.62;
    let mut px = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
            let dx = xf - cx;
            let mut color: Option<[u8; 3]> = None;
            // Body: a rounded block from the shoulders down.
            let body_half = wf * 0.36;
            let corner = wf * 0.12;
            if yf >= shoulders_top && dx.abs() <= body_half {
                let in_corner = yf < shoulders_top + corner && dx.abs() > body_half - corner;
                let ok = !in_corner || {
                    let ccx = dx.abs() - (body_half - corner);
                    let ccy = (shoulders_top + corner) - yf;
                    ccx * ccx + ccy * ccy <= corner * corner
                };
                if ok {
                    color = Some(outfit);
                }
            }
            // Neck.
            if color.is_none()
                && dx.abs() <= head_r * 0.35
                && yf > head_cy
                && yf < shoulders_top + 2.0
            {
                color = Some(skin);
            }
            // Head with hair on top.
            let dy = yf - head_cy;
            if dx * dx + dy * dy <= head_r * head_r {
                color = Some(if dy < -head_r * 0.45 { hair } else { skin });
                // Eyes.
                let ex = head_r * 0.38;
                let ey = -head_r * 0.05;
                let er = head_r * 0.1;
                for sx in [-1.0f32, 1.0] {
                    let (ddx, ddy) = (dx - sx * ex, dy - ey);
                    if ddx * ddx + ddy * ddy <= er * er {
                        color = Some([30, 30, 30]);
                    }
                }
                // Smile.
                let (sdx, sdy) = (dx, dy - head_r * 0.2);
                let d = (sdx * sdx + sdy * sdy).sqrt();
                if sdy > 0.0 && (d - head_r * 0.4).abs() < head_r * 0.06 {
                    color = Some([150, 60, 60]);
                }
            }
            let i = ((y * w + x) * 4) as usize;
            match (color, bg) {
                (Some(c), _) => px[i..i + 4].copy_from_slice(&[c[0], c[1], c[2], 255]),
                (None, Some(b)) => px[i..i + 4].copy_from_slice(&[b[0], b[1], b[2], 255]),
                (None, None) => {}
            }
        }
    }
    px
}

pub fn write_png(path: &Path, w: u32, h: u32, rgba: &[u8]) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut enc = png::Encoder::new(BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(rgba)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_is_drawn_with_transparent_corners() {
        let px = draw(100, 160, "2563eb", "f1c27d", None);
        assert_eq!(px[3], 0, "top-left is transparent");
        let center = ((160 / 3 * 100 + 50) * 4) as usize;
        assert_eq!(px[center + 3], 255, "head is opaque");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.png");
        write_png(&p, 100, 160, &px).unwrap();
        assert_eq!(&std::fs::read(&p).unwrap()[1..4], b"PNG");
    }
}
