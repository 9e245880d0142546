//! `text`: a `drawtext` over the clip's box, timed within the clip, with fades.

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::graph::Chain;
use crate::render::inputs::Inputs;
use crate::render::text::{drawtext, TextStyle, Timing};
use crate::spec::Obj;

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Draw,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let empty = Obj::new();
    let (mut text, mut style_obj, mut timing, mut duration) = ("", &empty, Timing::default(), None);
    // One pass over the params (see `TextStyle::from_obj`).
    for (key, value) in p {
        match key.as_str() {
            "text" => text = value.as_str().unwrap_or_default(),
            "style" => style_obj = value.as_object().unwrap_or(&empty),
            "start" => timing.start = value.as_i64().unwrap_or(0),
            "duration" => duration = value.as_i64(),
            "fade_in" => timing.fade_in = value.as_i64().unwrap_or(0),
            "fade_out" => timing.fade_out = value.as_i64().unwrap_or(0),
            _ => {}
        }
    }
    let clip_end = c.duration();
    timing.end = Some(
        duration
            .map_or(clip_end, |d| timing.start + d)
            .min(clip_end),
    );
    let style = TextStyle::from_obj(style_obj, c.canvas.px);
    drawtext(chain, text, &style, Some(timing), false);
}
