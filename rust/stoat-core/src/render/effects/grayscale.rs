//! `grayscale`: saturation 0 with `hue` (alpha kept).

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::Chain;
use crate::render::inputs::Inputs;
use crate::spec::Obj;

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(_: &Obj, _: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    chain.s("hue=s=0");
}
