//! `sharpen`: a 5x5 `unsharp` mask on luma.

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
    let _ = chain.f(format_args!(
        "unsharp=5:5:{}:5:5:0",
        Num(p.f64_of("amount").unwrap_or(1.0))
    ));
}
