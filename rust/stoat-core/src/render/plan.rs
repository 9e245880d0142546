//! What a render is drawn on: the canvas (size, rate, pixel scale), the window of the
//! timeline rendered (in output frames and audio samples), and where each clip's box lies
//! under the screen layout.

use serde_json::Value;

use crate::layouts::grid_of;
use crate::model::{Doc, OutputSettings};
use crate::time::{Micros, Rational, MICROS_PER_SECOND};

/// The frame everything is composed on, and the rates of the output.
#[derive(Clone, Debug)]
pub(crate) struct Canvas {
    /// Composition width (project width times `px`, even).
    pub w: u32,
    /// Composition height.
    pub h: u32,
    /// The encoded frame's width: the canvas, letterboxed when the requested aspect differs.
    pub out_w: u32,
    /// The encoded frame's height.
    pub out_h: u32,
    /// Canvas pixels per project pixel: every size or offset an edit gives in pixels is
    /// multiplied by it.
    pub px: f64,
    /// Output frame rate.
    pub fps: Rational,
    /// Output sample rate.
    pub sample_rate: u32,
    /// The background colour, as FFmpeg reads it (`#RRGGBB` or `#RRGGBBAA`).
    pub background: String,
}

/// Rounds to the nearest even whole number, at least 2.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn even(v: f64) -> u32 {
    let n = (v / 2.0).round().max(1.0) as u32;
    n * 2
}

impl Canvas {
    /// The canvas for `output` scaled into `size` (width, height) when a size is asked for;
    /// `max` caps the size when none is (a preset's default, e.g. a low-resolution preview).
    pub(crate) fn new(
        output: &OutputSettings,
        fps: Rational,
        size: (Option<u32>, Option<u32>),
        max: Option<(u32, u32)>,
    ) -> Self {
        let (pw, ph) = (f64::from(output.width), f64::from(output.height));
        let (out_w, out_h) = match size {
            (Some(w), Some(h)) => (w, h),
            (Some(w), None) => (w, even(f64::from(w) * ph / pw)),
            (None, Some(h)) => (even(f64::from(h) * pw / ph), h),
            (None, None) => match max {
                Some((mw, mh)) if output.width > mw || output.height > mh => {
                    let s = (f64::from(mw) / pw).min(f64::from(mh) / ph);
                    (even(pw * s), even(ph * s))
                }
                _ => (output.width, output.height),
            },
        };
        let px = (f64::from(out_w) / pw).min(f64::from(out_h) / ph);
        let (w, h) = if out_w == output.width && out_h == output.height {
            (out_w, out_h)
        } else {
            (even(pw * px).min(out_w), even(ph * px).min(out_h))
        };
        Self {
            w,
            h,
            out_w,
            out_h,
            px,
            fps,
            sample_rate: output.sample_rate,
            background: output.background.clone(),
        }
    }

    /// The audio sample boundary of output frame boundary `frame`.
    pub(crate) fn samples_at(&self, frame: i64) -> i64 {
        self.fps.samples_at_frame(frame, self.sample_rate)
    }

    /// The time of frame boundary `frame`, in microseconds (rounded to the nearest).
    pub(crate) fn micros_at(&self, frame: i64) -> Micros {
        let num = i128::from(frame) * i128::from(self.fps.den()) * i128::from(MICROS_PER_SECOND);
        let den = i128::from(self.fps.num());
        i64::try_from((2 * num + den).div_euclid(2 * den)).unwrap_or(i64::MAX)
    }

    /// Pixels of the project's frame as canvas pixels.
    pub(crate) fn px(&self, v: f64) -> f64 {
        v * self.px
    }
}

/// The span of the timeline rendered: output frames `[f0, f1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// First frame rendered.
    pub f0: i64,
    /// Frame boundary where the render ends.
    pub f1: i64,
}

impl Window {
    /// How many frames it holds.
    pub(crate) fn frames(self) -> i64 {
        self.f1 - self.f0
    }

    /// Whether frames `[a, b)` overlap it.
    pub(crate) fn overlaps(self, a: i64, b: i64) -> bool {
        a < self.f1 && b > self.f0 && b > a
    }
}

/// A rectangle on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub x: i64,
    pub y: i64,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    /// The whole canvas.
    pub(crate) fn full(canvas: &Canvas) -> Self {
        Self {
            x: 0,
            y: 0,
            w: canvas.w,
            h: canvas.h,
        }
    }
}

/// Where the screen layout puts tracks and clips.
#[derive(Debug, Default)]
pub(crate) struct Boxes {
    /// Boxes of whole tracks, by track index.
    pub tracks: Vec<(usize, Rect)>,
    /// Boxes of single clips, by clip id.
    pub clips: Vec<(String, Rect)>,
}

impl Boxes {
    /// The boxes of `doc.layout` on `canvas`.
    pub(crate) fn of(doc: &Doc, canvas: &Canvas) -> Self {
        let mut boxes = Self::default();
        let Some(layout) = &doc.layout else {
            return boxes;
        };
        let kind = layout.get("type").and_then(Value::as_str).unwrap_or("");
        let (cw, ch) = (f64::from(canvas.w), f64::from(canvas.h));
        if kind == "pip" {
            let size = layout.get("size").and_then(Value::as_f64).unwrap_or(0.3);
            let margin = layout.get("margin").and_then(Value::as_f64).unwrap_or(0.03);
            let corner = layout
                .get("corner")
                .and_then(Value::as_str)
                .unwrap_or("bottom_right");
            let width = even(cw * size).min(canvas.w);
            let height = even(f64::from(width) * ch / cw).min(canvas.h);
            #[allow(clippy::cast_possible_truncation)]
            let inset = (cw * margin).round() as i64;
            let rect = Rect {
                x: if corner.ends_with("left") {
                    inset
                } else {
                    i64::from(canvas.w) - i64::from(width) - inset
                },
                y: if corner.starts_with("top") {
                    inset
                } else {
                    i64::from(canvas.h) - i64::from(height) - inset
                },
                w: width,
                h: height,
            };
            if let Some(id) = layout.get("track_id").and_then(Value::as_str) {
                if let Some(t) = doc.track_index(id) {
                    boxes.tracks.push((t, rect));
                }
            }
            return boxes;
        }
        let Some((cols, rows)) = grid_of(kind) else {
            return boxes;
        };
        #[allow(clippy::cast_precision_loss)]
        let gap = canvas.px(layout.get("gap").and_then(Value::as_i64).unwrap_or(0) as f64);
        let (fc, fr) = (f64::from(cols), f64::from(rows));
        let cell_w = floor_even((cw - gap * (fc - 1.0)) / fc);
        let cell_h = floor_even((ch - gap * (fr - 1.0)) / fr);
        #[allow(clippy::cast_possible_truncation)]
        let (gap_px, off_x, off_y) = (
            gap.round() as i64,
            ((cw - f64::from(cell_w) * fc - gap * (fc - 1.0)) / 2.0).round() as i64,
            ((ch - f64::from(cell_h) * fr - gap * (fr - 1.0)) / 2.0).round() as i64,
        );
        let regions = layout.get("regions").and_then(Value::as_array);
        for (i, id) in regions
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .enumerate()
        {
            let i = i64::try_from(i).unwrap_or(0);
            let (col, row) = (i % i64::from(cols), i / i64::from(cols));
            let rect = Rect {
                x: off_x + col * (i64::from(cell_w) + gap_px),
                y: off_y + row * (i64::from(cell_h) + gap_px),
                w: cell_w,
                h: cell_h,
            };
            match doc.track_index(id) {
                Some(t) => boxes.tracks.push((t, rect)),
                None => boxes.clips.push((id.to_owned(), rect)),
            }
        }
        boxes
    }

    /// Whether track `t` or one of its clips has a box.
    pub(crate) fn touches_track(&self, doc: &Doc, t: usize) -> bool {
        self.tracks.iter().any(|(i, _)| *i == t)
            || self
                .clips
                .iter()
                .any(|(id, _)| doc.tracks[t].clips.iter().any(|c| &c.id == id))
    }

    /// The box of clip `id` on track `t`, if the layout gives it one.
    pub(crate) fn of_clip(&self, t: usize, id: &str) -> Option<Rect> {
        self.clips
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, r)| *r)
            .or_else(|| self.tracks.iter().find(|(i, _)| *i == t).map(|(_, r)| *r))
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn floor_even(v: f64) -> u32 {
    ((v / 2.0).floor().max(1.0) as u32) * 2
}

/// The colour part of a canonical colour (`#RRGGBB`).
pub(crate) fn rgb(color: &str) -> &str {
    color.get(..7).unwrap_or(color)
}

/// The alpha of a canonical colour, 0 to 255 (255 when it has none).
pub(crate) fn alpha(color: &str) -> u8 {
    color
        .get(7..9)
        .and_then(|a| u8::from_str_radix(a, 16).ok())
        .unwrap_or(255)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_scales_into_a_requested_size() {
        let out = OutputSettings::default();
        let c = Canvas::new(&out, out.fps, (Some(640), None), None);
        assert_eq!((c.w, c.h, c.out_w, c.out_h), (640, 360, 640, 360));
        assert!((c.px - 1.0 / 3.0).abs() < 1e-12);
        let c = Canvas::new(&out, out.fps, (Some(1080), Some(1080)), None);
        assert_eq!((c.w, c.h, c.out_w, c.out_h), (1080, 608, 1080, 1080));
        let c = Canvas::new(&out, out.fps, (None, None), Some((640, 360)));
        assert_eq!((c.w, c.h), (640, 360));
        let c = Canvas::new(&out, out.fps, (None, None), None);
        assert_eq!((c.w, c.h, c.px), (1920, 1080, 1.0));
    }

    #[test]
    fn frame_times_are_exact() {
        let out = OutputSettings::default();
        let ntsc: Rational = "30000/1001".parse().unwrap();
        let c = Canvas::new(&out, ntsc, (None, None), None);
        assert_eq!(c.micros_at(30), 1_001_000);
        assert_eq!(c.micros_at(1), 33_367);
        assert_eq!(c.samples_at(30), 48_048);
    }

    #[test]
    fn colours_split() {
        assert_eq!((rgb("#112233"), alpha("#112233")), ("#112233", 255));
        assert_eq!((rgb("#11223380"), alpha("#11223380")), ("#112233", 128));
    }
}
