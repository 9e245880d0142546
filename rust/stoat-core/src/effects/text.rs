//! `text`: a text overlay on a clip, with its own timing and fades.

use serde_json::{json, Value};

use super::{beyond_clip, no_check, Applies, EffectDef};
use crate::error::ValidationErrors;
use crate::model::{Clip, TEXT_STYLE_FIELDS};
use crate::spec::{Def, Field, Obj, ObjExt, Ty, DURATION, SECONDS};

const FIELDS: &[Field] = &[
    Field::req(
        "text",
        Ty::Text { max_chars: 2000 },
        "The text; \\n breaks lines",
    ),
    Field::def(
        "start",
        SECONDS,
        Def::Num(0.0),
        "When it appears, seconds from the clip's start",
    ),
    Field::opt(
        "duration",
        DURATION,
        "How long it shows, seconds (default: to the clip's end)",
    ),
    Field::def(
        "fade_in",
        crate::spec::Ty::Seconds {
            min: 0.0,
            max: 60.0,
            exclusive_min: false,
        },
        Def::Num(0.0),
        "Seconds to fade in",
    ),
    Field::def(
        "fade_out",
        crate::spec::Ty::Seconds {
            min: 0.0,
            max: 60.0,
            exclusive_min: false,
        },
        Def::Num(0.0),
        "Seconds to fade out",
    ),
    Field::def(
        "style",
        Ty::Obj(TEXT_STYLE_FIELDS),
        Def::EmptyObj,
        "Font, size, colours, box, outline and position",
    ),
];

fn example() -> Value {
    json!({"text": "Chapter 1", "start": 0.5, "duration": 3, "fade_in": 0.3, "fade_out": 0.3,
        "style": {"size": 72, "position": "bottom_center", "y": -80, "box": true}})
}

fn check_clip(params: &Obj, clip: &Clip) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let start = params.i64_of("start").unwrap_or(0);
    if start >= clip.timeline_duration() {
        errors.push(beyond_clip("start", start, clip));
    }
    errors
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "text",
    description: "Draws text over the clip: font family or file, size, colour, box, outline, nine anchor positions with x/y offsets, its own start and duration, and fades",
    ai_hint: "Use for titles, lower thirds and captions on one clip; for a title card on its own use a text clip, for many timed lines use subtitles",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check: no_check,
    check_clip,
    render: crate::render::effects::TEXT,
};
