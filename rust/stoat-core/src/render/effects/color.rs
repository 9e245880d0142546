//! `color`: `eq` with brightness, contrast, saturation and gamma on its own scales.

use std::fmt::Write as _;

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, _: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let mut args = String::new();
    for (key, neutral) in [
        ("brightness", 0.0),
        ("contrast", 1.0),
        ("saturation", 1.0),
        ("gamma", 1.0),
    ] {
        let v = p.f64_of(key).unwrap_or(neutral);
        if (v - neutral).abs() > f64::EPSILON {
            let sep = if args.is_empty() { "" } else { ":" };
            let _ = write!(args, "{sep}{key}={}", Num(v));
        }
    }
    if !args.is_empty() {
        let _ = chain.f(format_args!("eq={args}"));
    }
}
