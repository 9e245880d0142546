//! `loudness`: normalise a clip's sound to a target loudness with a true-peak ceiling.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::model::LOUDNESS_FIELDS;

fn example() -> Value {
    json!({"target": -16, "true_peak": -1.5})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "loudness",
    description: "Brings the clip's sound to a target integrated loudness (LUFS) and keeps true peak under a ceiling: a gain, then a true-peak limiter",
    ai_hint: "Use on voice clips recorded at different levels; for the whole mix set output.loudness with set_output instead",
    applies: Applies::Audio,
    fields: LOUDNESS_FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::LOUDNESS,
};
