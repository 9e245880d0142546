//! `audio_fade`: fade the clip's sound in and out.

use serde_json::{json, Value};

use super::{beyond_clip, Applies, EffectDef};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::model::Clip;
use crate::spec::{Def, Field, Obj, ObjExt, Ty};

/// FFmpeg's afade curves.
pub(crate) const CURVES: &[&str] = &[
    "tri", "qsin", "esin", "hsin", "log", "ipar", "qua", "cub", "squ", "cbr", "par", "exp",
    "iqsin", "ihsin", "dese", "desi", "losi", "sinc", "isinc",
];

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
        "Seconds to fade in at the clip's start",
    ),
    Field::def(
        "fade_out",
        FADE,
        Def::Num(0.0),
        "Seconds to fade out at the clip's end",
    ),
    Field::def(
        "curve",
        Ty::Enum(CURVES),
        Def::Str("tri"),
        "FFmpeg afade curve (tri is linear)",
    ),
];

fn example() -> Value {
    json!({"fade_in": 1, "fade_out": 2})
}

fn check(params: &Obj) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    if params.i64_of("fade_in") == Some(0) && params.i64_of("fade_out") == Some(0) {
        errors.push(
            ValidationError::new(
                ErrorCode::EffectInvalid,
                "an audio fade needs fade_in or fade_out above 0",
            )
            .at("fade_in")
            .hint("set fade_in and/or fade_out in seconds, e.g. 2"),
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
    name: "audio_fade",
    description: "Fades the clip's sound in at its start and out at its end (FFmpeg afade)",
    ai_hint:
        "Use on music clips so they do not start or stop abruptly; 1 to 3 seconds sounds natural",
    applies: Applies::Audio,
    fields: FIELDS,
    example,
    check,
    check_clip,
    render: crate::render::effects::AUDIO_FADE,
};
