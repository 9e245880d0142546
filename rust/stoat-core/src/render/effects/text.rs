//! `text`: a `drawtext` over the clip's box, timed within the clip, with fades.

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::Chain;
use crate::render::inputs::Inputs;
use crate::render::text::{drawtext, TextStyle, Timing};
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Draw,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let empty = Obj::new();
    let style_obj = p.get("style").and_then(|s| s.as_object()).unwrap_or(&empty);
    let style = TextStyle::from_obj(style_obj, c.canvas.px);
    let start = p.i64_of("start").unwrap_or(0);
    let end = p
        .i64_of("duration")
        .map_or(c.duration(), |d| start + d)
        .min(c.duration());
    let timing = Timing {
        start,
        end: Some(end),
        fade_in: p.i64_of("fade_in").unwrap_or(0),
        fade_out: p.i64_of("fade_out").unwrap_or(0),
    };
    drawtext(
        chain,
        p.str_of("text").unwrap_or_default(),
        &style,
        Some(timing),
        false,
    );
}
