//! `chroma_key`: `chromakey` makes the key colour transparent (the layer has alpha).

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::render::plan::rgb;
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, _: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let _ = chain.f(format_args!(
        "format=yuva420p,chromakey=color={}:similarity={}:blend={}",
        rgb(p.str_of("color").unwrap_or("#00FF00")),
        Num(p.f64_of("similarity").unwrap_or(0.1)),
        Num(p.f64_of("blend").unwrap_or(0.0))
    ));
}
