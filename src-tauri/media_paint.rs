//! Painting one player's picture with cairo: the newest frame fitted into the box the page lays
//! out (as large as fits, centred, black around it), clipped to the part of that box on screen,
//! with the caption over the picture's lower part as the page used to draw it. Pure drawing on
//! a cairo context, so it is tested on an image surface.

use gtk::cairo;
use gtk::pango;
use serde::Deserialize;
use studio_core::playback::VideoFrame;

/// A rectangle in the web view's coordinates: CSS pixels from the top left of the page's
/// viewport as the page sends it, window pixels once scaled by the zoom.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, specta::Type)]
pub struct Area {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Area {
    pub const fn new(x: f64, y: f64, width: f64, height: f64) -> Area {
        Area {
            x,
            y,
            width,
            height,
        }
    }

    pub fn scaled(self, by: f64) -> Area {
        Area::new(self.x * by, self.y * by, self.width * by, self.height * by)
    }

    /// The part of both; None when they do not overlap.
    pub fn intersect(self, other: Area) -> Option<Area> {
        let x = self.x.max(other.x);
        let y = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        (right > x && bottom > y).then_some(Area::new(x, y, right - x, bottom - y))
    }

    /// The smallest whole-pixel rectangle that covers it: `(x, y, width, height)`.
    pub fn covering_pixels(self) -> (i32, i32, i32, i32) {
        let (x, y) = (self.x.floor(), self.y.floor());
        let right = (self.x + self.width).ceil();
        let bottom = (self.y + self.height).ceil();
        (x as i32, y as i32, (right - x) as i32, (bottom - y) as i32)
    }
}

/// Where a `width`×`height` frame shows inside `area`: as large as fits with its shape kept,
/// centred.
pub fn fitted(width: u32, height: u32, area: Area) -> Area {
    let scale = (area.width / f64::from(width)).min(area.height / f64::from(height));
    let (w, h) = (f64::from(width) * scale, f64::from(height) * scale);
    let x = area.x + (area.width - w) / 2.0;
    let y = area.y + (area.height - h) / 2.0;
    Area::new(x, y, w, h)
}

/// What to paint for one player, in the web view's coordinates.
pub struct Picture<'a> {
    pub frame: &'a VideoFrame,
    /// The box the page laid out for the picture.
    pub area: Area,
    /// The part of it on screen (not scrolled or clipped away).
    pub visible: Area,
    /// The page's width in CSS pixels, which sizes the caption's text as the page's CSS did
    /// (2.6 % of it, 14–28 px).
    pub page_width: f64,
    /// How many window pixels a CSS pixel is (the web view's zoom).
    pub zoom: f64,
    pub caption: Option<&'a str>,
}

pub fn paint(cr: &cairo::Context, picture: &Picture) -> Result<(), cairo::Error> {
    if !picture.frame.is_whole() {
        return Ok(());
    }
    cr.save()?;
    let visible = picture.visible;
    cr.rectangle(visible.x, visible.y, visible.width, visible.height);
    cr.clip();
    let area = picture.area;
    cr.set_source_rgb(0.0, 0.0, 0.0);
    cr.rectangle(area.x, area.y, area.width, area.height);
    cr.fill()?;
    let shown = paint_frame(cr, picture.frame, area);
    let captioned = match picture.caption {
        Some(text) if !text.trim().is_empty() => paint_caption(cr, text, picture),
        _ => Ok(()),
    };
    cr.restore()?;
    shown.and(captioned)
}

fn paint_frame(cr: &cairo::Context, frame: &VideoFrame, area: Area) -> Result<(), cairo::Error> {
    let at = fitted(frame.width, frame.height, area);
    // SAFETY: the surface reads the frame's pixels in place; `is_whole` (checked by `paint`)
    // says they hold `height` rows of `stride` bytes, and the surface is finished before this
    // function returns, while `frame` still owns them. Nothing draws onto this surface, so the
    // `*mut` cairo's API asks for is never written through.
    let surface = unsafe {
        cairo::ImageSurface::create_for_data_unsafe(
            frame.pixels.as_ptr().cast_mut(),
            cairo::Format::Rgb24,
            frame.width as i32,
            frame.height as i32,
            frame.stride as i32,
        )
    }?;
    let painted = (|| {
        cr.save()?;
        cr.translate(at.x, at.y);
        cr.scale(
            at.width / f64::from(frame.width),
            at.height / f64::from(frame.height),
        );
        cr.set_source_surface(&surface, 0.0, 0.0)?;
        let source = cr.source();
        source.set_filter(cairo::Filter::Good);
        // The edge pixels repeat outward instead of fading into transparent black.
        source.set_extend(cairo::Extend::Pad);
        cr.rectangle(0.0, 0.0, f64::from(frame.width), f64::from(frame.height));
        cr.fill()?;
        cr.restore()
    })();
    surface.finish();
    painted
}

/// White text on a dark rounded band, centred 6 % above the picture's bottom, at most 90 % of
/// its width, lines kept as the subtitles break them (as `.cue` in `LocalVideo.svelte` was).
fn paint_caption(cr: &cairo::Context, text: &str, picture: &Picture) -> Result<(), cairo::Error> {
    let zoom = picture.zoom;
    let area = picture.area;
    let size = (picture.page_width * 0.026).clamp(14.0, 28.0) * zoom;
    let (pad_x, pad_y) = (0.5 * size, 0.15 * size);
    let layout = pangocairo::functions::create_layout(cr);
    let mut font = pango::FontDescription::from_string("Sans");
    font.set_absolute_size(size * f64::from(pango::SCALE));
    layout.set_font_description(Some(&font));
    layout.set_alignment(pango::Alignment::Center);
    layout.set_wrap(pango::WrapMode::WordChar);
    let max_text = (area.width * 0.9 - 2.0 * pad_x).max(size);
    layout.set_width((max_text * f64::from(pango::SCALE)) as i32);
    layout.set_text(text.trim());
    let (_, extent) = layout.pixel_extents();
    let (w, h) = (
        f64::from(extent.width()) + 2.0 * pad_x,
        f64::from(extent.height()) + 2.0 * pad_y,
    );
    let x = area.x + (area.width - w) / 2.0;
    let y = area.y + area.height * 0.94 - h;
    rounded(cr, Area::new(x, y, w, h), 4.0 * zoom);
    cr.set_source_rgba(0.0, 0.0, 0.0, 0.75);
    cr.fill()?;
    cr.set_source_rgb(1.0, 1.0, 1.0);
    // The layout is as wide as the longest line allows; its lines are centred within that.
    cr.move_to(
        x + pad_x - f64::from(extent.x()),
        y + pad_y - f64::from(extent.y()),
    );
    pangocairo::functions::show_layout(cr, &layout);
    Ok(())
}

fn rounded(cr: &cairo::Context, a: Area, radius: f64) {
    use std::f64::consts::{FRAC_PI_2, PI};
    let r = radius.min(a.width / 2.0).min(a.height / 2.0);
    cr.new_sub_path();
    cr.arc(a.x + a.width - r, a.y + r, r, -FRAC_PI_2, 0.0);
    cr.arc(a.x + a.width - r, a.y + a.height - r, r, 0.0, FRAC_PI_2);
    cr.arc(a.x + r, a.y + a.height - r, r, FRAC_PI_2, PI);
    cr.arc(a.x + r, a.y + r, r, PI, PI + FRAC_PI_2);
    cr.close_path();
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    /// A frame whose left half is red and right half blue, in cairo's RGB24 words.
    fn red_blue(width: u32, height: u32) -> VideoFrame {
        let mut pixels = Vec::with_capacity((width * height * 4) as usize);
        for _ in 0..height {
            for x in 0..width {
                let word: u32 = if x < width / 2 {
                    0x00FF_0000
                } else {
                    0x0000_00FF
                };
                pixels.extend_from_slice(&word.to_ne_bytes());
            }
        }
        VideoFrame {
            width,
            height,
            stride: width * 4,
            pixels: Bytes::from(pixels),
        }
    }

    /// Paints onto a white `w`×`h` image; returns a function reading its pixels as [r, g, b].
    fn painted(w: i32, h: i32, picture: &Picture) -> impl Fn(i32, i32) -> [u8; 3] {
        let mut surface = cairo::ImageSurface::create(cairo::Format::Rgb24, w, h).unwrap();
        {
            let cr = cairo::Context::new(&surface).unwrap();
            cr.set_source_rgb(1.0, 1.0, 1.0);
            cr.paint().unwrap();
            paint(&cr, picture).unwrap();
        }
        surface.flush();
        let stride = surface.stride();
        let data = surface.data().unwrap().to_vec();
        move |x, y| {
            let at = (y * stride + x * 4) as usize;
            let word = u32::from_ne_bytes(data[at..at + 4].try_into().unwrap());
            [(word >> 16) as u8, (word >> 8) as u8, word as u8]
        }
    }

    #[test]
    fn fits_the_frame_inside_the_box_centred_with_its_shape_kept() {
        // 16:9 in a square: full width, centred vertically.
        let at = fitted(160, 90, Area::new(10.0, 20.0, 100.0, 100.0));
        assert_eq!(at, Area::new(10.0, 41.875, 100.0, 56.25));
        // 4:3 in a wide box: full height, centred horizontally.
        let at = fitted(40, 30, Area::new(0.0, 0.0, 200.0, 60.0));
        assert_eq!(at, Area::new(60.0, 0.0, 80.0, 60.0));
    }

    #[test]
    fn areas_intersect_scale_and_cover_whole_pixels() {
        let a = Area::new(0.0, 0.0, 100.0, 50.0);
        assert_eq!(
            a.intersect(Area::new(50.0, 40.0, 100.0, 100.0)),
            Some(Area::new(50.0, 40.0, 50.0, 10.0))
        );
        assert_eq!(a.intersect(Area::new(100.0, 0.0, 10.0, 10.0)), None);
        assert_eq!(a.scaled(1.5), Area::new(0.0, 0.0, 150.0, 75.0));
        assert_eq!(
            Area::new(1.5, 2.25, 10.0, 3.5).covering_pixels(),
            (1, 2, 11, 4)
        );
    }

    #[test]
    fn paints_the_frame_fitted_on_black_and_only_where_visible() {
        let frame = red_blue(64, 36);
        let picture = Picture {
            frame: &frame,
            area: Area::new(0.0, 0.0, 128.0, 128.0),
            // The lower quarter is scrolled away under something else.
            visible: Area::new(0.0, 0.0, 128.0, 96.0),
            page_width: 800.0,
            zoom: 1.0,
            caption: None,
        };
        let at = painted(128, 128, &picture);
        // The frame fills the width, 72 px tall, centred: rows 28–99.
        assert_eq!(at(10, 50), [255, 0, 0], "the left half is red");
        assert_eq!(at(118, 50), [0, 0, 255], "the right half is blue");
        assert_eq!(at(64, 10), [0, 0, 0], "black above the picture");
        assert_eq!(
            at(64, 120),
            [255, 255, 255],
            "nothing painted outside the visible part"
        );
    }

    #[test]
    fn draws_the_caption_over_the_lower_part_of_the_picture() {
        let frame = red_blue(160, 90);
        let picture = |caption| Picture {
            frame: &frame,
            area: Area::new(0.0, 0.0, 320.0, 180.0),
            visible: Area::new(0.0, 0.0, 320.0, 180.0),
            page_width: 800.0,
            zoom: 1.0,
            caption,
        };
        let plain = painted(320, 180, &picture(None));
        let captioned = painted(320, 180, &picture(Some("Hello there")));
        let differs = |x0: i32, y0: i32, x1: i32, y1: i32| {
            (y0..y1).any(|y| (x0..x1).any(|x| plain(x, y) != captioned(x, y)))
        };
        assert!(differs(100, 130, 220, 170), "no caption near the bottom");
        assert!(
            !differs(0, 0, 320, 100),
            "the caption spilled over the upper part"
        );
        // White text: some pixel of the band is light.
        let light =
            (130..170).any(|y| (100..220).any(|x| captioned(x, y).iter().all(|c| *c > 200)));
        assert!(light, "no white text in the band");
    }

    #[test]
    fn a_frame_short_of_its_rows_is_not_painted() {
        let mut frame = red_blue(64, 36);
        frame.pixels = frame.pixels.slice(..64 * 4 * 10);
        let picture = Picture {
            frame: &frame,
            area: Area::new(0.0, 0.0, 64.0, 36.0),
            visible: Area::new(0.0, 0.0, 64.0, 36.0),
            page_width: 800.0,
            zoom: 1.0,
            caption: None,
        };
        assert_eq!(painted(64, 36, &picture)(5, 5), [255, 255, 255]);
    }
}
