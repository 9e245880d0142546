//! `drawtext` for titles: text clips, the `text` effect and inline subtitle cues.
//!
//! Caller text and font names go through [`escape_filter_value`]; `expansion=none` keeps
//! `%` literal. Positions anchor the visible block (text, outline and box) to one of nine
//! points of the frame, inset by the box padding and outline, then offset by x/y.
//!
//! On a transparent canvas (a text clip) `drawtext` multiplies coverage into the alpha
//! plane twice, so alphas there are given as square roots to come out as asked.

use std::fmt::Write as _;

use super::filter_escape::escape_filter_value;
use super::graph::{Chain, Num};
use super::plan::{alpha, rgb};
use crate::spec::{Obj, ObjExt};
use crate::time::{micros_to_seconds, Micros};

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
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn from_obj(obj: &'a Obj, px: f64) -> Self {
        Self {
            font: obj.str_of("font").unwrap_or("Sans"),
            font_file: obj.str_of("font_file"),
            size: obj.i64_of("size").unwrap_or(64) as f64 * px,
            color: obj.str_of("color").unwrap_or("#FFFFFF"),
            boxed: obj.bool_of("box").unwrap_or(false),
            box_color: obj.str_of("box_color").unwrap_or("#00000080"),
            box_padding: obj.i64_of("box_padding").unwrap_or(16) as f64 * px,
            outline: obj.i64_of("outline").unwrap_or(0) as f64 * px,
            outline_color: obj.str_of("outline_color").unwrap_or("#000000"),
            position: obj.str_of("position").unwrap_or("center"),
            x: obj.f64_of("x").unwrap_or(0.0) * px,
            y: obj.f64_of("y").unwrap_or(0.0) * px,
        }
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

/// A colour as FFmpeg reads it, with its alpha corrected for a transparent canvas.
fn color(color: &str, on_transparent: bool) -> String {
    let a = alpha(color);
    if a == 255 {
        return rgb(color).to_owned();
    }
    let a = if on_transparent {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let fixed = (f64::from(a) * 255.0).sqrt().round().min(255.0) as u8;
        fixed
    } else {
        a
    };
    format!("{}{a:02X}", rgb(color))
}

/// Appends a `drawtext` of `text` in `style` to `chain`.
pub(crate) fn drawtext(
    chain: &mut Chain<'_>,
    text: &str,
    style: &TextStyle<'_>,
    timing: Option<Timing>,
    on_transparent: bool,
) {
    let mut args = String::with_capacity(160 + text.len() * 2);
    args.push_str("drawtext=expansion=none:text=");
    args.push_str(&escape_filter_value(text));
    if let Some(file) = style.font_file {
        args.push_str(":fontfile=");
        args.push_str(&escape_filter_value(file));
    } else {
        args.push_str(":font=");
        args.push_str(&escape_filter_value(style.font));
    }
    let inset = if style.boxed { style.box_padding } else { 0.0 } + style.outline;
    let (ah, av) = anchor(style.position);
    let left = match ah {
        -1 => format!("{}", Num(inset + style.x)),
        0 => format!("(w-text_w)/2+{}", Num(style.x)),
        _ => format!("w-text_w-{}", Num(inset - style.x)),
    };
    let top = match av {
        -1 => format!("{}", Num(inset + style.y)),
        0 => format!("(h-text_h)/2+{}", Num(style.y)),
        _ => format!("h-text_h-{}", Num(inset - style.y)),
    };
    let _ = write!(
        args,
        ":fontsize={}:fontcolor={}:x={left}:y={top}",
        Num(style.size.max(1.0).round()),
        color(style.color, on_transparent),
    );
    if style.boxed {
        let _ = write!(
            args,
            ":box=1:boxcolor={}:boxborderw={}",
            color(style.box_color, on_transparent),
            Num(style.box_padding.round())
        );
    }
    if style.outline > 0.0 {
        let _ = write!(
            args,
            ":borderw={}:bordercolor={}",
            Num(style.outline.round().max(1.0)),
            color(style.outline_color, on_transparent)
        );
    }
    if let Some(t) = timing {
        let start = micros_to_seconds(t.start);
        match t.end {
            Some(end) => {
                let _ = write!(
                    args,
                    ":enable='gte(t,{})*lt(t,{})'",
                    Num(start),
                    Num(micros_to_seconds(end))
                );
            }
            None if t.start > 0 => {
                let _ = write!(args, ":enable='gte(t,{})'", Num(start));
            }
            None => {}
        }
        let mut fades = Vec::with_capacity(2);
        if t.fade_in > 0 {
            fades.push(format!(
                "(t-{})/{}",
                Num(start),
                Num(micros_to_seconds(t.fade_in))
            ));
        }
        if let (Some(end), true) = (t.end, t.fade_out > 0) {
            fades.push(format!(
                "({}-t)/{}",
                Num(micros_to_seconds(end)),
                Num(micros_to_seconds(t.fade_out))
            ));
        }
        if !fades.is_empty() {
            let inner = if fades.len() == 2 {
                format!("min({},{})", fades[0], fades[1])
            } else {
                fades.remove(0)
            };
            let value = format!("clip({inner},0,1)");
            if on_transparent {
                let _ = write!(args, ":alpha='sqrt({value})'");
            } else {
                let _ = write!(args, ":alpha='{value}'");
            }
        }
    }
    chain.s(&args);
}
