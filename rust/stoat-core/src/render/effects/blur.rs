//! `blur`: `gblur` with sigma in canvas pixels; blur keyframes set sigma at every frame
//! through `sendcmd` (gblur's sigma is not an expression of time). The vertical sigma is
//! set with it: `gblur` fixes `sigmaV` to the first sigma when it starts, and a command
//! changing only `sigma` leaves the two inconsistent (FFmpeg 5.1 then outputs zeros).

use super::{EffectRender, Stage};
use crate::easing::Keyframe;
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::render::keyframes::commands;
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    if let Some(k) = c.keyframes("blur") {
        animated(k, c, chain);
    } else {
        let sigma = c.canvas.px(p.f64_of("sigma").unwrap_or(5.0));
        let _ = chain.f(format_args!("gblur=sigma={}", Num(sigma)));
    }
}

/// A `gblur` whose sigma follows `keyframes`.
pub(crate) fn animated(keyframes: &[Keyframe], c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    let target = format!("gblur@c{}", c.n);
    let script = commands(
        keyframes,
        c.frames,
        |n| c.canvas.micros_at(n),
        &target,
        &["sigma", "sigmaV"],
        c.canvas.px,
    );
    let first = c.canvas.px(crate::value_at(keyframes, 0).unwrap_or(0.0));
    let _ = chain.f(format_args!(
        "sendcmd=c='{script}',{target}=sigma={first}:sigmaV={first}",
        first = Num(first)
    ));
}
