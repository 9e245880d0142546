//! `blur`: Gaussian blur.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{num, Def, Field};

const FIELDS: &[Field] = &[Field::def(
    "sigma",
    num(0.1, 100.0),
    Def::Num(5.0),
    "Blur strength: the Gaussian's standard deviation in pixels",
)];

fn example() -> Value {
    json!({"sigma": 8})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "blur",
    description: "Blurs the picture (FFmpeg gblur); animate the strength with keyframes on the clip's blur property",
    ai_hint: "sigma 2 to 5 softens, 10 to 30 hides detail; for a blurred background behind a smaller clip use two tracks",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::BLUR,
};
