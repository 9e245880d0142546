//! `fade`: `fade` in from and out to a colour over the whole clip layer, and `afade` on
//! its sound unless `audio` is false.

use super::audio_fade::afades;
use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::render::inputs::Inputs;
use crate::render::plan::rgb;
use crate::spec::{Obj, ObjExt};
use crate::time::micros_to_seconds;

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Fade,
    video: Some(video),
    audio: Some(audio),
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let color = rgb(p.str_of("color").unwrap_or("#000000"));
    let fade_in = p.i64_of("fade_in").unwrap_or(0);
    let fade_out = p.i64_of("fade_out").unwrap_or(0);
    if fade_in > 0 {
        let _ = chain.f(format_args!(
            "fade=t=in:st=0:d={}:color={color}",
            Num(micros_to_seconds(fade_in))
        ));
    }
    if fade_out > 0 {
        let start = (c.duration() - fade_out).max(0);
        let _ = chain.f(format_args!(
            "fade=t=out:st={}:d={}:color={color}",
            Num(micros_to_seconds(start)),
            Num(micros_to_seconds(fade_out))
        ));
    }
}

fn audio(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    if p.bool_of("audio").unwrap_or(true) {
        afades(
            chain,
            c,
            p.i64_of("fade_in").unwrap_or(0),
            p.i64_of("fade_out").unwrap_or(0),
            "tri",
        );
    }
}
