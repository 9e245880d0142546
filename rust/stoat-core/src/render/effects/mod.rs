//! How each effect is drawn: one builder per effect type, registered in the effect's own
//! definition (`crate::effects`), so that its parameters, schema, validator and filter
//! builder come from one place. A test checks that every effect renders what it applies to.
//!
//! Video builders run at one [`Stage`] of the clip's chain (see [`super::clip`]); audio
//! builders run in list order on the clip's sound, before volume keyframes.

mod audio_fade;
mod blur;
mod chroma_key;
mod color;
mod fade;
mod grayscale;
mod image_overlay;
mod loudness;
mod lut;
mod sharpen;
mod subtitles;
mod text;
mod volume;

pub(crate) use audio_fade::RENDER as AUDIO_FADE;
pub(crate) use blur::RENDER as BLUR;
pub(crate) use chroma_key::RENDER as CHROMA_KEY;
pub(crate) use color::RENDER as COLOR;
pub(crate) use fade::RENDER as FADE;
pub(crate) use grayscale::RENDER as GRAYSCALE;
pub(crate) use image_overlay::RENDER as IMAGE_OVERLAY;
pub(crate) use loudness::RENDER as LOUDNESS;
pub(crate) use lut::RENDER as LUT;
pub(crate) use sharpen::RENDER as SHARPEN;
pub(crate) use subtitles::RENDER as SUBTITLES;
pub(crate) use text::RENDER as TEXT;
pub(crate) use volume::RENDER as VOLUME;

use super::clip::ClipRender;
use super::graph::Chain;
use super::inputs::Inputs;
use crate::effects::{find, EffectDef};
use crate::model::{Clip, Effect};
use crate::spec::Obj;

/// The clip's effects with their definitions, looked up once.
pub(crate) fn resolve(clip: &Clip) -> Vec<(&Effect, &'static EffectDef)> {
    clip.effects
        .iter()
        .filter_map(|e| find(&e.kind).map(|d| (e, d)))
        .collect()
}

/// Where in a clip's picture chain a video effect runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// On the fitted picture, before `contain` bars (colour, blur, keys).
    Picture,
    /// Over the clip's box, bars included (text, image overlays, subtitles).
    Draw,
    /// On everything drawn (fades).
    Fade,
}

/// Appends an effect's video filters.
pub(crate) type VideoFn = fn(&Obj, &ClipRender<'_>, &mut Chain<'_>, &mut Inputs);
/// Appends an effect's audio filters.
pub(crate) type AudioFn = fn(&Obj, &ClipRender<'_>, &mut Chain<'_>);

/// How an effect renders.
pub(crate) struct EffectRender {
    /// The stage its video builder runs at.
    pub stage: Stage,
    /// Its video builder, if it changes the picture.
    pub video: Option<VideoFn>,
    /// Its audio builder, if it changes the sound.
    pub audio: Option<AudioFn>,
}

/// Runs the video builders of `stage` for the clip's effects, in order. Blur keyframes
/// without a blur effect animate a blur of their own at the end of the picture stage.
pub(crate) fn video_stage(
    chain: &mut Chain<'_>,
    inputs: &mut Inputs,
    c: &ClipRender<'_>,
    effects: &[(&Effect, &'static EffectDef)],
    stage: Stage,
) {
    for (effect, def) in effects {
        if def.render.stage == stage {
            if let Some(build) = def.render.video {
                build(&effect.params, c, chain, inputs);
            }
        }
    }
    if stage == Stage::Picture && !effects.iter().any(|(e, _)| e.kind == "blur") {
        if let Some(k) = c.keyframes("blur") {
            blur::animated(k, c, chain);
        }
    }
}

/// Runs the audio builders of the clip's effects, in order.
pub(crate) fn audio_stage(chain: &mut Chain<'_>, c: &ClipRender<'_>) {
    for effect in &c.clip.effects {
        if let Some(build) = find(&effect.kind).and_then(|d| d.render.audio) {
            build(&effect.params, c, chain);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::effects::{Applies, EFFECTS};

    #[test]
    fn every_effect_renders_what_it_applies_to() {
        for def in EFFECTS {
            let (video, audio) = (def.render.video.is_some(), def.render.audio.is_some());
            let expected = match def.applies {
                Applies::Video => (true, false),
                Applies::Audio => (false, true),
                Applies::Both => (true, true),
            };
            assert_eq!((video, audio), expected, "{}", def.name);
        }
    }
}
