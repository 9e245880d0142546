//! `subtitles`: burned-in subtitles from an SRT or VTT file, or from inline cues.

use serde_json::{json, Value};

use super::{no_clip_check, Applies, EffectDef};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::spec::{num, Def, Field, Obj, ObjExt, PathKind, Ty, SECONDS};
use crate::time::format_seconds;

const CUE_FIELDS: &[Field] = &[
    Field::req(
        "start",
        SECONDS,
        "When the line appears, seconds from the clip's start",
    ),
    Field::req("end", SECONDS, "When it disappears"),
    Field::req(
        "text",
        Ty::Text { max_chars: 500 },
        "The line; \\n breaks it",
    ),
];

const FIELDS: &[Field] = &[
    Field::opt(
        "path",
        Ty::Path(PathKind::Subtitles),
        "An .srt or .vtt file (give path or cues, not both)",
    ),
    Field::opt(
        "cues",
        Ty::List {
            item: &Ty::Obj(CUE_FIELDS),
            min: 1,
            max: 5000,
        },
        "Inline cues (give path or cues, not both)",
    ),
    Field::def(
        "font",
        Ty::Text { max_chars: 200 },
        Def::Str("Sans"),
        "Font family name",
    ),
    Field::def(
        "size",
        Ty::Int { min: 4, max: 300 },
        Def::Int(48),
        "Font size in output pixels",
    ),
    Field::def("color", Ty::Color, Def::Str("white"), "Text colour"),
    Field::def(
        "outline",
        Ty::Int { min: 0, max: 20 },
        Def::Int(2),
        "Outline width in pixels",
    ),
    Field::def(
        "outline_color",
        Ty::Color,
        Def::Str("black"),
        "Outline colour",
    ),
    Field::def(
        "box",
        Ty::Bool,
        Def::Bool(false),
        "Draw an opaque box behind each line",
    ),
    Field::def("box_color", Ty::Color, Def::Str("#00000080"), "Box colour"),
    Field::def(
        "position",
        Ty::Enum(&["bottom_center", "top_center", "center"]),
        Def::Str("bottom_center"),
        "Where the lines sit",
    ),
    Field::def(
        "margin",
        num(0.0, 0.5),
        Def::Num(0.05),
        "Distance from the frame's edge as a fraction of its height",
    ),
];

fn example() -> Value {
    json!({"cues": [{"start": 0, "end": 2.5, "text": "Hello"}, {"start": 2.5, "end": 5, "text": "and welcome"}]})
}

fn check(params: &Obj) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    match (params.contains_key("path"), params.contains_key("cues")) {
        (true, true) => errors.push(
            ValidationError::new(ErrorCode::ConflictingFields, "give path or cues, not both")
                .at("cues")
                .hint("keep either the subtitle file or the inline cues")
                .ctx("fields", vec!["path", "cues"]),
        ),
        (false, false) => errors.push(
            ValidationError::new(ErrorCode::MissingField, "path or cues is required")
                .at("cues")
                .hint("give an .srt/.vtt path, or cues: [{start, end, text}]"),
        ),
        _ => {}
    }
    if let Some(Value::Array(cues)) = params.get("cues") {
        for (i, cue) in cues.iter().enumerate() {
            let Some(cue) = cue.as_object() else { continue };
            let (start, end) = (cue.i64_of("start"), cue.i64_of("end"));
            if let (Some(start), Some(end)) = (start, end) {
                if end <= start {
                    errors.push(
                        ValidationError::new(
                            ErrorCode::EndNotAfterStart,
                            format!(
                                "the cue ends ({} s) before it starts ({} s)",
                                format_seconds(end),
                                format_seconds(start)
                            ),
                        )
                        .at("cues")
                        .at(i)
                        .at("end")
                        .hint("make end greater than start")
                        .ctx_seconds("start", start)
                        .ctx_seconds("end", end),
                    );
                }
            }
        }
    }
    errors
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "subtitles",
    description: "Burns subtitles into the picture, from an SRT or VTT file or from inline cues, with font, size, colours, outline, box and position",
    ai_hint: "Cue times count from the clip's start; put subtitles on the clip they belong to, or on a long clip spanning the video",
    applies: Applies::Video,
    fields: FIELDS,
    example,
    check,
    check_clip: no_clip_check,
    render: crate::render::effects::SUBTITLES,
};
