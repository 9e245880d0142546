//! `fade`: fade the picture in from and out to a colour, and the sound with it.

use serde_json::{json, Value};

use super::{beyond_clip, Applies, EffectDef};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::model::Clip;
use crate::spec::{Def, Field, Obj, ObjExt, Ty};

const FADE: Ty = Ty::Seconds {
    min: 0.0,
    max: 60.0,
    exclusive_min: false,
};

const FIELDS: &[Field] = &[
    Field::def(
        "fade_in",
        FADE,
        Def::Num(0.0),
        "Seconds to fade in from the colour at the clip's start",
    ),
    Field::def(
        "fade_out",
        FADE,
        Def::Num(0.0),
        "Seconds to fade out to the colour at the clip's end",
    ),
    Field::def(
        "color",
        Ty::Color,
        Def::Str("black"),
        "The colour faded from and to",
    ),
    Field::def(
        "audio",
        Ty::Bool,
        Def::Bool(true),
        "Fade the clip's sound too",
    ),
];

fn example() -> Value {
    json!({"fade_in": 1, "fade_out": 1.5, "color": "black"})
}

fn check(params: &Obj) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    if params.i64_of("fade_in") == Some(0) && params.i64_of("fade_out") == Some(0) {
        errors.push(
            ValidationError::new(
                ErrorCode::EffectInvalid,
                "a fade needs fade_in or fade_out above 0",
            )
            .at("fade_in")
            .hint("set fade_in and/or fade_out in seconds, e.g. 1"),
        );
    }
    errors
}

fn check_clip(params: &Obj, clip: &Clip) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let total = params.i64_of("fade_in").unwrap_or(0) + params.i64_of("fade_out").unwrap_or(0);
    if total > clip.timeline_duration() {
        errors.push(
            beyond_clip("fade_out", total, clip)
                .hint("fade_in plus fade_out must fit in the clip; shorten one of them"),
        );
    }
    errors
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "fade",
    description: "Fades the clip in from a colour at its start and out to a colour at its end (FFmpeg fade), and its sound with it (afade)",
    ai_hint: "Use fade_in on the first clip and fade_out on the last for a clean open and close; between clips prefer a transition",
    applies: Applies::Both,
    fields: FIELDS,
    example,
    check,
    check_clip,
    render: crate::render::effects::FADE,
};
