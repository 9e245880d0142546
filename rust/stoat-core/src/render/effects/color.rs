//! `color`: `eq` with brightness, contrast, saturation and gamma on its own scales.

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{put, Chain, Num};
use crate::render::inputs::Inputs;
use crate::spec::Obj;

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, _: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    // One pass over the params; `eq` takes its options in this order.
    let mut values = [
        ("brightness", 0.0, 0.0),
        ("contrast", 1.0, 1.0),
        ("saturation", 1.0, 1.0),
        ("gamma", 1.0, 1.0),
    ];
    for (key, value) in p {
        if let Some(slot) = values.iter_mut().find(|(name, _, _)| *name == key.as_str()) {
            slot.2 = value.as_f64().unwrap_or(slot.1);
        }
    }
    let mut changed = values
        .iter()
        .filter(|(_, neutral, v)| (v - neutral).abs() > f64::EPSILON)
        .peekable();
    if changed.peek().is_none() {
        return;
    }
    let out = chain.filter();
    out.push_str("eq=");
    for (i, (key, _, v)) in changed.enumerate() {
        let sep = if i == 0 { "" } else { ":" };
        put!(out, sep, key, '=', Num(*v));
    }
}
