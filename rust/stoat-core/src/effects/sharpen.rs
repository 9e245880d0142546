//! `sharpen`: unsharp masking.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{num, Def, Field};

const FIELDS: &[Field] = &[Field::def(
    "amount",
    num(0.0, 5.0),
    Def::Num(1.0),
    "Sharpening strength (FFmpeg unsharp luma amount)",
)];

fn example() -> Value {
    json!({"amount": 0.8})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "sharpen",
    description: "Sharpens the picture with an unsharp mask (FFmpeg unsharp, 5x5)",
    ai_hint: "0.5 to 1.5 is usually enough; more makes halos",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::SHARPEN,
};
