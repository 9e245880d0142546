//! `volume`: a gain on the clip's sound.

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Fade,
    video: None,
    audio: Some(audio),
};

fn audio(p: &Obj, _: &ClipRender<'_>, chain: &mut Chain<'_>) {
    let _ = chain.f(format_args!(
        "volume={}",
        Num(p.f64_of("gain").unwrap_or(1.0))
    ));
}
