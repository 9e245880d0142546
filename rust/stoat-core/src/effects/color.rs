//! `color`: brightness, contrast, saturation and gamma on FFmpeg's `eq` scales.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{num, Def, Field};

const FIELDS: &[Field] = &[
    Field::def(
        "brightness",
        num(-1.0, 1.0),
        Def::Num(0.0),
        "Added to every pixel, -1 to 1 of full scale (0 unchanged)",
    ),
    Field::def(
        "contrast",
        num(-1000.0, 1000.0),
        Def::Num(1.0),
        "Multiplies contrast (1 unchanged, 0 flat grey)",
    ),
    Field::def(
        "saturation",
        num(0.0, 3.0),
        Def::Num(1.0),
        "Multiplies saturation (1 unchanged, 0 grey)",
    ),
    Field::def(
        "gamma",
        num(0.1, 10.0),
        Def::Num(1.0),
        "Gamma power (1 unchanged, above 1 brighter mid-tones)",
    ),
];

fn example() -> Value {
    json!({"brightness": 0.05, "contrast": 1.1, "saturation": 1.2})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "color",
    description: "Adjusts brightness (additive), contrast and saturation (multipliers) and gamma (a power), exactly as FFmpeg's eq filter scales them",
    ai_hint: "Small changes go a long way: brightness ±0.05, contrast and saturation 0.9 to 1.3",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::COLOR,
};
