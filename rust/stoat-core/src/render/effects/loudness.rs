//! `loudness`: the clip's sound brought to a target loudness under a true-peak ceiling
//! (see [`crate::render::mix::normalise`]).

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::Chain;
use crate::render::mix::normalise;
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Fade,
    video: None,
    audio: Some(audio),
};

fn audio(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    normalise(
        chain,
        p.f64_of("target").unwrap_or(-14.0),
        p.f64_of("true_peak").unwrap_or(-1.0),
        c.canvas.sample_rate,
    );
}
