//! `drawtext` for titles: text clips, the `text` effect and inline subtitle cues.
//!
//! Caller text and font names go through [`escape_filter_value`]; `expansion=none` keeps
//! `%` literal. Positions anchor the visible block (text, outline and box) to one of nine
//! points of the frame, inset by the box padding and outline, then offset by x/y.
//!
//! On a transparent canvas (a text clip) `drawtext` multiplies coverage into the alpha
//! plane twice, so alphas there are given as square roots to come out as asked.

use super::filter_escape::Escaped;
use super::graph::{put, Chain, Micro, Num, Put};
use super::plan::{alpha, rgb};
use crate::spec::Obj;
use crate::time::Micros;

/// Text appearance, read from the normalised text style fields, in canvas pixels.
#[derive(Clone, Debug)]
pub(crate) struct TextStyle<'a> {
    pub font: &'a str,
    pub font_file: Option<&'a str>,
    pub size: f64,
    pub color: &'a str,
    pub boxed: bool,
    pub box_color: &'a str,
    pub box_padding: f64,
    pub outline: f64,
    pub outline_color: &'a str,
    pub position: &'a str,
    pub x: f64,
    pub y: f64,
}

impl<'a> TextStyle<'a> {
    /// The style in `obj` (text style fields, defaults filled in) at `px` canvas pixels per
    /// project pixel.
    pub(crate) fn from_obj(obj: &'a Obj, px: f64) -> Self {
        let mut style = Self {
            font: "Sans",
            font_file: None,
            size: 64.0 * px,
            color: "#FFFFFF",
            boxed: false,
            box_color: "#00000080",
            box_padding: 16.0 * px,
            outline: 0.0,
            outline_color: "#000000",
            position: "center",
            x: 0.0,
            y: 0.0,
        };
        // One pass over the entries: a lookup per field costs a dozen string compares
        // each, and this runs for every title of a big timeline.
        for (key, value) in obj {
            let text = value.as_str();
            let number = value.as_f64();
            match key.as_str() {
                "font" => style.font = text.unwrap_or(style.font),
                "font_file" => style.font_file = text,
                "size" => style.size = number.unwrap_or(64.0) * px,
                "color" => style.color = text.unwrap_or(style.color),
                "box" => style.boxed = value.as_bool().unwrap_or(false),
                "box_color" => style.box_color = text.unwrap_or(style.box_color),
                "box_padding" => style.box_padding = number.unwrap_or(16.0) * px,
                "outline" => style.outline = number.unwrap_or(0.0) * px,
                "outline_color" => style.outline_color = text.unwrap_or(style.outline_color),
                "position" => style.position = text.unwrap_or(style.position),
                "x" => style.x = number.unwrap_or(0.0) * px,
                "y" => style.y = number.unwrap_or(0.0) * px,
                _ => {}
            }
        }
        style
    }

    /// The colour a transparent canvas behind this text should have (only its alpha is
    /// 0): the colour of the outermost thing drawn, so edges blend into the same colour.
    pub(crate) fn canvas_color(&self) -> &'a str {
        rgb(if self.boxed {
            self.box_color
        } else if self.outline > 0.0 {
            self.outline_color
        } else {
            self.color
        })
    }
}

/// When text shows within its clip, and its fades (clip-relative microseconds).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timing {
    pub start: Micros,
    /// Where it stops showing; `None` runs to the clip's end.
    pub end: Option<Micros>,
    pub fade_in: Micros,
    pub fade_out: Micros,
}

/// `(horizontal, vertical)` of an anchor name: -1 left/top, 0 centre, 1 right/bottom.
pub(crate) fn anchor(position: &str) -> (i8, i8) {
    let vertical = i8::from(position.starts_with("bottom")) - i8::from(position.starts_with("top"));
    let horizontal = i8::from(position.ends_with("right")) - i8::from(position.ends_with("left"));
    (horizontal, vertical)
}

/// Hexadecimal digits as FFmpeg's colours write them.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A colour as FFmpeg reads it, with its alpha corrected for a transparent canvas.
#[derive(Clone, Copy)]
struct Color<'a>(&'a str, bool);

impl Put for Color<'_> {
    fn put(&self, out: &mut String) {
        let Self(color, on_transparent) = *self;
        let a = alpha(color);
        out.push_str(rgb(color));
        if a == 255 {
            return;
        }
        let a = if on_transparent {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let fixed = (f64::from(a) * 255.0).sqrt().round().min(255.0) as u8;
            fixed
        } else {
            a
        };
        put!(
            out,
            char::from(HEX[usize::from(a >> 4)]),
            char::from(HEX[usize::from(a & 15)])
        );
    }
}

/// One `drawtext`, written straight into the graph.
struct DrawText<'a> {
    text: &'a str,
    style: &'a TextStyle<'a>,
    timing: Option<Timing>,
    on_transparent: bool,
}

impl Put for DrawText<'_> {
    fn put(&self, out: &mut String) {
        let style = self.style;
        let tr = self.on_transparent;
        put!(out, "drawtext=expansion=none:text=", Escaped(self.text));
        if let Some(file) = style.font_file {
            put!(out, ":fontfile=", Escaped(file));
        } else {
            put!(out, ":font=", Escaped(style.font));
        }
        let inset = if style.boxed { style.box_padding } else { 0.0 } + style.outline;
        let (ah, av) = anchor(style.position);
        put!(
            out,
            ":fontsize=",
            Num(style.size.max(1.0).round()),
            ":fontcolor=",
            Color(style.color, tr),
            ":x="
        );
        match ah {
            -1 => put!(out, Num(inset + style.x)),
            0 => put!(out, "(w-text_w)/2+", Num(style.x)),
            _ => put!(out, "w-text_w-", Num(inset - style.x)),
        }
        out.push_str(":y=");
        match av {
            -1 => put!(out, Num(inset + style.y)),
            0 => put!(out, "(h-text_h)/2+", Num(style.y)),
            _ => put!(out, "h-text_h-", Num(inset - style.y)),
        }
        if style.boxed {
            put!(
                out,
                ":box=1:boxcolor=",
                Color(style.box_color, tr),
                ":boxborderw=",
                Num(style.box_padding.round())
            );
        }
        if style.outline > 0.0 {
            put!(
                out,
                ":borderw=",
                Num(style.outline.round().max(1.0)),
                ":bordercolor=",
                Color(style.outline_color, tr)
            );
        }
        let Some(t) = self.timing else {
            return;
        };
        let start = Micro(t.start);
        match t.end {
            Some(end) => put!(out, ":enable='gte(t,", start, ")*lt(t,", Micro(end), ")'"),
            None if t.start > 0 => put!(out, ":enable='gte(t,", start, ")'"),
            None => {}
        }
        let fade_in = t.fade_in > 0;
        let fade_out = t.fade_out > 0 && t.end.is_some();
        if !fade_in && !fade_out {
            return;
        }
        out.push_str(if tr {
            ":alpha='sqrt(clip("
        } else {
            ":alpha='clip("
        });
        if fade_in && fade_out {
            out.push_str("min(");
        }
        if fade_in {
            put!(out, "(t-", start, ")/", Micro(t.fade_in));
        }
        if fade_in && fade_out {
            out.push(',');
        }
        if let (true, Some(end)) = (fade_out, t.end) {
            put!(out, '(', Micro(end), "-t)/", Micro(t.fade_out));
        }
        if fade_in && fade_out {
            out.push(')');
        }
        out.push_str(if tr { ",0,1))'" } else { ",0,1)'" });
    }
}

/// Appends a `drawtext` of `text` in `style` to `chain`.
pub(crate) fn drawtext(
    chain: &mut Chain<'_>,
    text: &str,
    style: &TextStyle<'_>,
    timing: Option<Timing>,
    on_transparent: bool,
) {
    DrawText {
        text,
        style,
        timing,
        on_transparent,
    }
    .put(chain.filter());
}
