//! `grayscale`: drop the colour.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::Field;

const FIELDS: &[Field] = &[];

fn example() -> Value {
    json!({})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "grayscale",
    description: "Removes all colour (saturation 0)",
    ai_hint: "Takes no parameters; for partial desaturation use the color effect's saturation",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::GRAYSCALE,
};
