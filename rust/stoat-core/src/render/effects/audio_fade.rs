//! `audio_fade`: `afade` in at the clip's start and out at its end, with the named curve.

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::{Chain, Num};
use crate::spec::{Obj, ObjExt};
use crate::time::micros_to_seconds;

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Fade,
    video: None,
    audio: Some(audio),
};

/// `afade` in over `fade_in` and out over `fade_out`, ending with the clip.
pub(crate) fn afades(
    chain: &mut Chain<'_>,
    c: &ClipRender<'_>,
    fade_in: i64,
    fade_out: i64,
    curve: &str,
) {
    if fade_in > 0 {
        let _ = chain.f(format_args!(
            "afade=t=in:st=0:d={}:curve={curve}",
            Num(micros_to_seconds(fade_in))
        ));
    }
    if fade_out > 0 {
        let start = (c.duration() - fade_out).max(0);
        let _ = chain.f(format_args!(
            "afade=t=out:st={}:d={}:curve={curve}",
            Num(micros_to_seconds(start)),
            Num(micros_to_seconds(fade_out))
        ));
    }
}

fn audio(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>) {
    afades(
        chain,
        c,
        p.i64_of("fade_in").unwrap_or(0),
        p.i64_of("fade_out").unwrap_or(0),
        p.str_of("curve").unwrap_or("tri"),
    );
}
