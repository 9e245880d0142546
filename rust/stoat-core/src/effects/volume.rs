//! `volume`: a gain on the clip's sound.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{num, Def, Field};

const FIELDS: &[Field] = &[Field::def(
    "gain",
    num(0.0, 10.0),
    Def::Num(1.0),
    "Gain multiplier (1 unchanged, 0.5 about -6 dB, 2 about +6 dB)",
)];

fn example() -> Value {
    json!({"gain": 0.5})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "volume",
    description:
        "Multiplies the clip's sound by a gain (FFmpeg volume), on top of the clip's own volume",
    ai_hint: "For a level that changes over time use keyframes on the clip's volume instead",
    applies: Applies::Audio,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::VOLUME,
};
