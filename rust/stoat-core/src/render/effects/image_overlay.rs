//! `image_overlay` and `watermark`: the image scaled to a fraction of the box width,
//! anchored with a margin, with opacity, over the clip for its time window (`overlay`
//! repeats the image's single frame).

use std::fmt::Write as _;

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::render::plan::even;
use crate::render::text::anchor;
use crate::spec::{Obj, ObjExt};
use crate::time::micros_to_seconds;

/// An overlay coordinate: `margin + d` from the start, centred, or from the end.
struct Anchored(&'static str, i8, f64, f64);

impl std::fmt::Display for Anchored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self(room, side, margin, d) = *self;
        match side {
            -1 => write!(f, "{}", Num(margin + d)),
            0 => write!(f, "({room})/2+{}", Num(d)),
            _ => write!(f, "{room}-{}", Num(margin - d)),
        }
    }
}

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Draw,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, inputs: &mut Inputs) {
    let input = inputs.image(p.str_of("path").unwrap_or_default());
    let box_w = f64::from(c.rect.w);
    let width = even(box_w * p.f64_of("scale").unwrap_or(0.25));
    let opacity = p.f64_of("opacity").unwrap_or(1.0);
    let margin = (box_w * p.f64_of("margin").unwrap_or(0.02)).round();
    let (dx, dy) = (
        c.canvas.px(p.f64_of("x").unwrap_or(0.0)),
        c.canvas.px(p.f64_of("y").unwrap_or(0.0)),
    );
    let (ah, av) = anchor(p.str_of("position").unwrap_or("center"));
    let left = Anchored("main_w-overlay_w", ah, margin, dx);
    let top = Anchored("main_h-overlay_h", av, margin, dy);
    let start = p.i64_of("start").unwrap_or(0);
    let end = p
        .i64_of("duration")
        .map_or(c.duration(), |d| start + d)
        .min(c.duration());
    let mut args = format!("overlay=x='{left}':y='{top}':format=auto");
    if start > 0 || end < c.duration() {
        let _ = write!(
            args,
            ":enable='gte(t,{})*lt(t,{})'",
            Num(micros_to_seconds(start)),
            Num(micros_to_seconds(end))
        );
    }
    chain.join_side(
        false,
        |g| {
            let mut image = g.input_chain(input, "v:0");
            let _ = image.f(format_args!("scale={width}:-2,format=yuva420p"));
            if opacity < 1.0 {
                let _ = image.f(format_args!("lut=a=val*{}", Num(opacity)));
            }
            image.end()
        },
        format_args!("{args}"),
    );
}
