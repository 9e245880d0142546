//! `subtitles`: a subtitle file burned in with libass (`subtitles` with `force_style`),
//! or inline cues drawn with one timed `drawtext` each.
//!
//! libass lays out SRT and VTT on a 384x288 script (FFmpeg's default ASS header), scaling
//! to the frame by height: sizes in pixels become `px * 288 / height`. `force_style`
//! reads `Alignment` in the old SSA numbering (2 bottom centre, 6 top centre, 10 middle
//! centre), and colours as `&HAABBGGRR` with alpha inverted.

use std::fmt::Write as _;

use serde_json::Value;

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::filter_escape::escape_filter_value;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::render::plan::alpha;
use crate::render::text::{drawtext, TextStyle, Timing};
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Draw,
    video: Some(video),
    audio: None,
};

/// The script height libass scales SRT and VTT subtitles from.
const PLAY_RES_Y: f64 = 288.0;

/// `&HAABBGGRR` of a canonical colour.
fn ass_color(color: &str) -> String {
    let hex = |i: usize| color.get(i..i + 2).unwrap_or("00");
    format!("&H{:02X}{}{}{}", 255 - alpha(color), hex(5), hex(3), hex(1))
}

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    if let Some(Value::Array(cues)) = p.get("cues") {
        inline(p, cues, c, chain);
    } else if let Some(path) = p.str_of("path") {
        file(p, path, c, chain);
    }
}

fn file(p: &Obj, path: &str, c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    let scale = PLAY_RES_Y / f64::from(c.rect.h);
    #[allow(clippy::cast_precision_loss)]
    let size = p.i64_of("size").unwrap_or(48) as f64 * c.canvas.px * scale;
    #[allow(clippy::cast_precision_loss)]
    let outline = p.i64_of("outline").unwrap_or(2) as f64 * c.canvas.px * scale;
    let boxed = p.bool_of("box").unwrap_or(false);
    let alignment = match p.str_of("position").unwrap_or("bottom_center") {
        "top_center" => 6,
        "center" => 10,
        _ => 2,
    };
    // Commas and equals signs would split the style list; font names never need them.
    let font: String = p
        .str_of("font")
        .unwrap_or("Sans")
        .chars()
        .filter(|ch| !matches!(ch, ',' | '='))
        .collect();
    let (outline_color, back) = if boxed {
        let b = ass_color(p.str_of("box_color").unwrap_or("#00000080"));
        (b.clone(), b)
    } else {
        (
            ass_color(p.str_of("outline_color").unwrap_or("#000000")),
            "&H80000000".to_owned(),
        )
    };
    let mut style = String::with_capacity(200);
    let _ = write!(
        style,
        "FontName={font},FontSize={},PrimaryColour={},OutlineColour={outline_color},\
         BackColour={back},BorderStyle={},Outline={},Shadow=0,Alignment={alignment},MarginV={}",
        Num(size.round().max(1.0)),
        ass_color(p.str_of("color").unwrap_or("#FFFFFF")),
        if boxed { 3 } else { 1 },
        Num(if boxed { (size / 6.0).round() } else { outline }),
        Num((p.f64_of("margin").unwrap_or(0.05) * PLAY_RES_Y).round()),
    );
    let _ = chain.f(format_args!(
        "subtitles=filename={}:force_style={}",
        escape_filter_value(path),
        escape_filter_value(&style)
    ));
}

fn inline(p: &Obj, cues: &[Value], c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    let px = c.canvas.px;
    #[allow(clippy::cast_precision_loss)]
    let size = p.i64_of("size").unwrap_or(48) as f64 * px;
    let margin = p.f64_of("margin").unwrap_or(0.05) * f64::from(c.rect.h);
    let position = p.str_of("position").unwrap_or("bottom_center");
    let y = match position {
        "top_center" => margin,
        "center" => 0.0,
        _ => -margin,
    };
    #[allow(clippy::cast_precision_loss)]
    let style = TextStyle {
        font: p.str_of("font").unwrap_or("Sans"),
        font_file: None,
        size,
        color: p.str_of("color").unwrap_or("#FFFFFF"),
        boxed: p.bool_of("box").unwrap_or(false),
        box_color: p.str_of("box_color").unwrap_or("#00000080"),
        box_padding: (size / 4.0).round(),
        outline: p.i64_of("outline").unwrap_or(2) as f64 * px,
        outline_color: p.str_of("outline_color").unwrap_or("#000000"),
        position,
        x: 0.0,
        y,
    };
    let duration = c.duration();
    for cue in cues.iter().filter_map(Value::as_object) {
        let start = cue.i64_of("start").unwrap_or(0);
        let end = cue.i64_of("end").unwrap_or(0).min(duration);
        if start >= end {
            continue;
        }
        let timing = Timing {
            start,
            end: Some(end),
            fade_in: 0,
            fade_out: 0,
        };
        drawtext(
            chain,
            cue.str_of("text").unwrap_or_default(),
            &style,
            Some(timing),
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ass_colours_are_bgr_with_inverted_alpha() {
        assert_eq!(ass_color("#FF8000"), "&H000080FF");
        assert_eq!(ass_color("#00000080"), "&H7F000000");
    }
}
