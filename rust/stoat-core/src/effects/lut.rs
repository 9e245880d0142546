//! `lut`: a 3D colour look-up table from a `.cube` file.

use serde_json::{json, Value};

use super::{no_check, no_clip_check, Applies, EffectDef};
use crate::spec::{Def, Field, PathKind, Ty};

const FIELDS: &[Field] = &[
    Field::req(
        "path",
        Ty::Path(PathKind::Lut),
        "The .cube file, inside an allowed media root",
    ),
    Field::def(
        "interpolation",
        Ty::Enum(&["nearest", "trilinear", "tetrahedral"]),
        Def::Str("tetrahedral"),
        "How colours between table entries are computed",
    ),
];

fn example() -> Value {
    json!({"path": "/media/luts/teal_orange.cube"})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "lut",
    description: "Grades the picture with a 3D look-up table read from a .cube file (FFmpeg lut3d)",
    ai_hint: "Use a LUT the project provides; apply it before text so titles keep their colours",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip: no_clip_check,
    render: crate::render::effects::LUT,
};
