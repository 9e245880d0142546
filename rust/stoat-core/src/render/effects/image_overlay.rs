//! `image_overlay` and `watermark`: the image scaled to a fraction of the box width,
//! anchored with a margin, with opacity, over the clip for its time window (`overlay`
//! repeats the image's single frame).

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{put, Chain, Num, Put};
use crate::render::inputs::Inputs;
use crate::render::plan::even;
use crate::render::text::anchor;
use crate::spec::Obj;
use crate::time::micros_to_seconds;

/// An overlay coordinate: `margin + d` from the start, centred, or from the end.
struct Anchored(&'static str, i8, f64, f64);

impl Put for Anchored {
    fn put(&self, out: &mut String) {
        let Self(room, side, margin, d) = *self;
        match side {
            -1 => put!(out, Num(margin + d)),
            0 => put!(out, '(', room, ")/2+", Num(d)),
            _ => put!(out, room, '-', Num(margin - d)),
        }
    }
}

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Draw,
    video: Some(video),
    audio: None,
};

/// The parameters, read in one pass over the map (this runs for every clip of a big
/// timeline that carries a watermark).
struct Params<'a> {
    path: &'a str,
    scale: f64,
    opacity: f64,
    margin: f64,
    x: f64,
    y: f64,
    position: &'a str,
    start: i64,
    duration: Option<i64>,
}

impl<'a> Params<'a> {
    fn of(p: &'a Obj) -> Self {
        let mut params = Self {
            path: "",
            scale: 0.25,
            opacity: 1.0,
            margin: 0.02,
            x: 0.0,
            y: 0.0,
            position: "center",
            start: 0,
            duration: None,
        };
        for (key, value) in p {
            match key.as_str() {
                "path" => params.path = value.as_str().unwrap_or(params.path),
                "scale" => params.scale = value.as_f64().unwrap_or(params.scale),
                "opacity" => params.opacity = value.as_f64().unwrap_or(params.opacity),
                "margin" => params.margin = value.as_f64().unwrap_or(params.margin),
                "x" => params.x = value.as_f64().unwrap_or(params.x),
                "y" => params.y = value.as_f64().unwrap_or(params.y),
                "position" => params.position = value.as_str().unwrap_or(params.position),
                "start" => params.start = value.as_i64().unwrap_or(params.start),
                "duration" => params.duration = value.as_i64(),
                _ => {}
            }
        }
        params
    }
}

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, inputs: &mut Inputs) {
    let p = Params::of(p);
    let input = inputs.image(p.path);
    let box_w = f64::from(c.rect.w);
    let width = even(box_w * p.scale);
    let opacity = p.opacity;
    let margin = (box_w * p.margin).round();
    let (dx, dy) = (c.canvas.px(p.x), c.canvas.px(p.y));
    let (ah, av) = anchor(p.position);
    let left = Anchored("main_w-overlay_w", ah, margin, dx);
    let top = Anchored("main_h-overlay_h", av, margin, dy);
    let start = p.start;
    let clip_end = c.duration();
    let end = p.duration.map_or(clip_end, |d| start + d).min(clip_end);
    chain.join_side(
        false,
        |g| {
            let mut image = g.input_chain(input, "v:0");
            put!(image.filter(), "scale=", width, ":-2,format=yuva420p");
            if opacity < 1.0 {
                put!(image.filter(), "lut=a=val*", Num(opacity));
            }
            image.end()
        },
        |out| {
            put!(out, "overlay=x='", left, "':y='", top, "':format=auto");
            if start > 0 || end < clip_end {
                put!(
                    out,
                    ":enable='gte(t,",
                    Num(micros_to_seconds(start)),
                    ")*lt(t,",
                    Num(micros_to_seconds(end)),
                    ")'"
                );
            }
        },
    );
}
