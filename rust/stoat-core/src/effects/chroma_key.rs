//! `chroma_key`: make one colour transparent (green screen).

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{num, Def, Field, Ty};

const FIELDS: &[Field] = &[
    Field::def(
        "color",
        Ty::Color,
        Def::Str("#00FF00"),
        "The key colour made transparent",
    ),
    Field::def(
        "similarity",
        num(0.00001, 1.0),
        Def::Num(0.1),
        "How close a colour must be to be keyed (higher keys more)",
    ),
    Field::def(
        "blend",
        num(0.0, 1.0),
        Def::Num(0.0),
        "Softness of the edge (0 hard)",
    ),
];

fn example() -> Value {
    json!({"color": "#00FF00", "similarity": 0.15, "blend": 0.05})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "chroma_key",
    description: "Makes pixels close to a key colour transparent (FFmpeg chromakey), so the tracks below show through",
    ai_hint: "Put the keyed clip on a track above the background; raise similarity until the screen disappears, then add a little blend",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::CHROMA_KEY,
};
