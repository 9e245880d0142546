//! The effects registry: one file per effect, each with its parameters (the spec that
//! drives the reader, the JSON Schema, the defaults and the wire form), a description, an
//! `ai_hint` and an example. [`EFFECTS`] registers them.

mod audio_fade;
mod blur;
mod chroma_key;
mod color;
mod fade;
mod grayscale;
mod image_overlay;
mod loudness;
mod lut;
mod sharpen;
mod subtitles;
mod text;
mod volume;

pub(crate) use audio_fade::CURVES as AUDIO_CURVES;

use serde_json::{json, Map, Value};

use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::json::wrong_type;
use crate::model::Clip;
use crate::spec::{
    collect_paths, invalid_choice_error, object_schema, object_to_wire, read_object, resolve_paths,
    with_color_defs, Field, Mode, Obj, PathKind, Resources, Ty,
};
use crate::time::format_seconds;

/// What an effect acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// The picture: the clip must show one.
    Video,
    /// The sound: the clip must have audio.
    Audio,
    /// Picture and sound: the clip must have either.
    Both,
}

impl Applies {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Both => "video_and_audio",
        }
    }
}

/// Cross-field checks of params alone (errors relative to the params object).
type Check = fn(&Obj) -> ValidationErrors;
/// Checks of params against the clip they are on (errors relative to the params object).
type ClipCheck = fn(&Obj, &Clip) -> ValidationErrors;

/// One effect's definition.
pub(crate) struct EffectDef {
    /// The effect type, as `type` in edits.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// One line on when and how to use it, for agents.
    pub ai_hint: &'static str,
    /// What it acts on.
    pub applies: Applies,
    /// Its parameters.
    pub fields: &'static [Field],
    /// Example params.
    pub example: fn() -> Value,
    /// Rules across params.
    pub check: Check,
    /// Rules against the clip.
    pub check_clip: ClipCheck,
    /// How renders draw it (its filter builders).
    pub render: crate::render::effects::EffectRender,
}

pub(crate) fn no_check(_: &Obj) -> ValidationErrors {
    ValidationErrors::default()
}

pub(crate) fn no_clip_check(_: &Obj, _: &Clip) -> ValidationErrors {
    ValidationErrors::default()
}

/// Every effect, in catalog order.
pub(crate) const EFFECTS: &[&EffectDef] = &[
    &text::DEF,
    &fade::DEF,
    &color::DEF,
    &blur::DEF,
    &sharpen::DEF,
    &grayscale::DEF,
    &lut::DEF,
    &chroma_key::DEF,
    &image_overlay::DEF,
    &image_overlay::WATERMARK,
    &subtitles::DEF,
    &volume::DEF,
    &audio_fade::DEF,
    &loudness::DEF,
];

/// The effect types, in catalog order.
pub fn effect_types() -> Vec<&'static str> {
    EFFECTS.iter().map(|d| d.name).collect()
}

pub(crate) fn find(name: &str) -> Option<&'static EffectDef> {
    // A match compares lengths before bytes: this runs for every effect of every clip a
    // render compiles.
    Some(match name {
        "text" => &text::DEF,
        "fade" => &fade::DEF,
        "color" => &color::DEF,
        "blur" => &blur::DEF,
        "sharpen" => &sharpen::DEF,
        "grayscale" => &grayscale::DEF,
        "lut" => &lut::DEF,
        "chroma_key" => &chroma_key::DEF,
        "image_overlay" => &image_overlay::DEF,
        "watermark" => &image_overlay::WATERMARK,
        "subtitles" => &subtitles::DEF,
        "volume" => &volume::DEF,
        "audio_fade" => &audio_fade::DEF,
        "loudness" => &loudness::DEF,
        _ => return None,
    })
}

const EFFECT_BASE: &[Field] = &[Field::opt(
    "effect_id",
    Ty::Id,
    "The new effect's id (default: a generated effect-N)",
)];

/// Reads `{"type", "effect_id"?, "params"?}` plus `extra` fields (an op's `clip_id`, ...),
/// ignoring `skip` keys. The result has `type`, `params` (complete, defaults filled in),
/// and `effect_id` and the extra fields when given.
pub(crate) fn read_effect_with(
    value: &Value,
    extra: &[Field],
    skip: &[&str],
) -> Result<Obj, ValidationErrors> {
    let Value::Object(object) = value else {
        return Err(wrong_type("an effect", "object", value).into());
    };
    let mut errors = ValidationErrors::default();
    let mut skip_all: Vec<&str> = skip.to_vec();
    skip_all.extend(["type", "params"]);
    let mut out = read_object(&[EFFECT_BASE, extra], value, Mode::Full, &skip_all)
        .map_err(|e| errors.extend_prefixed(e, &[]))
        .unwrap_or_default();
    let def = match object.get("type") {
        None | Some(Value::Null) => {
            errors.push(
                ValidationError::new(ErrorCode::MissingField, "type is required")
                    .at("type")
                    .hint(format!("set type to one of: {}", effect_types().join(", ")))
                    .ctx("expected", effect_types()),
            );
            None
        }
        Some(Value::String(name)) => {
            let def = find(name);
            if def.is_none() {
                errors.push(invalid_choice_error("type", name, &effect_types()).at("type"));
            }
            def
        }
        Some(other) => {
            errors.push(wrong_type("type", "string", other).at("type"));
            None
        }
    };
    if let Some(def) = def {
        let empty = Value::Object(Map::new());
        let raw = match object.get("params") {
            None | Some(Value::Null) => &empty,
            Some(v) => v,
        };
        if raw.is_object() {
            match read_object(&[def.fields], raw, Mode::Full, &[]) {
                Ok(params) => {
                    errors.extend_prefixed((def.check)(&params), &["params".into()]);
                    out.insert("type".into(), Value::from(def.name));
                    out.insert("params".into(), Value::Object(params));
                }
                Err(e) => errors.extend_prefixed(e, &["params".into()]),
            }
        } else {
            errors.push(wrong_type("params", "object", raw).at("params"));
        }
    }
    errors.into_result(out)
}

/// Reads one effect of a clip's `effects` list.
pub(crate) fn read_effect(value: &Value) -> Result<Obj, ValidationErrors> {
    read_effect_with(value, &[], &[])
}

/// Reads a patch of an effect's params (partial: only the given fields) and merges it
/// into `current`, re-checking the rules across params.
pub(crate) fn patch_params(
    def: &EffectDef,
    current: &Obj,
    patch: &Value,
) -> Result<Obj, ValidationErrors> {
    let patch = read_object(&[def.fields], patch, Mode::Partial, &[])?;
    let mut merged = current.clone();
    merged.extend(patch);
    (def.check)(&merged).into_result(merged)
}

/// Checks that `def` can act on `clip` and that its params fit the clip; errors relative
/// to the effect object (`type`, `params.*`).
pub(crate) fn check_on_clip(def: &EffectDef, params: &Obj, clip: &Clip) -> ValidationErrors {
    let fits = match def.applies {
        Applies::Video => clip.has_video(),
        Applies::Audio => clip.has_audio(),
        Applies::Both => clip.has_video() || clip.has_audio(),
    };
    if !fits {
        let what = match def.applies {
            Applies::Video => "a picture",
            Applies::Audio => "sound",
            Applies::Both => "a picture or sound",
        };
        return ValidationError::new(
            ErrorCode::EffectNotApplicable,
            format!(
                "{} needs a clip with {what}; clip {:?} has none",
                def.name, clip.id
            ),
        )
        .at("type")
        .hint(format!("put {} on a clip with {what}", def.name))
        .ctx("type", def.name)
        .ctx("applies_to", def.applies.as_str())
        .ctx("clip_id", clip.id.as_str())
        .into();
    }
    let mut errors = ValidationErrors::default();
    errors.extend_prefixed((def.check_clip)(params, clip), &["params".into()]);
    errors
}

/// An error when a clip-relative `key` (start of an overlay, fade length) is not inside
/// the clip's timeline duration.
pub(crate) fn beyond_clip(key: &str, value: i64, clip: &Clip) -> ValidationError {
    let duration = clip.timeline_duration();
    ValidationError::new(
        ErrorCode::TimeBeyondClip,
        format!(
            "{key} ({} s) lies beyond the clip's {} s",
            format_seconds(value),
            format_seconds(duration)
        ),
    )
    .at(key)
    .hint(format!(
        "times inside an effect count from the clip's start; keep {key} under {} s",
        format_seconds(duration)
    ))
    .ctx_seconds("value", value)
    .ctx_seconds("clip_duration", duration)
}

/// The params of an effect of type `kind` in wire units.
pub(crate) fn params_to_wire(kind: &str, params: &Obj) -> Value {
    match find(kind) {
        Some(def) => object_to_wire(&[def.fields], params),
        None => Value::Object(params.clone()),
    }
}

/// A stored effect object (`Ty::Effect`) in wire units.
pub(crate) fn effect_to_wire(map: &Obj) -> Value {
    let mut out = map.clone();
    if let (Some(kind), Some(Value::Object(params))) =
        (map.get("type").and_then(Value::as_str), map.get("params"))
    {
        out.insert("params".into(), params_to_wire(kind, params));
    }
    Value::Object(out)
}

/// The paths in a raw effect object.
pub(crate) fn collect_effect_paths(
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    let Some(def) = raw.get("type").and_then(Value::as_str).and_then(find) else {
        return;
    };
    if let Some(params) = raw.get("params") {
        loc.push("params".into());
        collect_paths(&[def.fields], params, loc, out);
        loc.pop();
    }
}

/// Resolves the paths in a stored effect object (errors relative to it).
pub(crate) fn resolve_effect_paths(
    map: &mut Obj,
    res: &Resources<'_>,
    errors: &mut ValidationErrors,
) {
    let Some(def) = map.get("type").and_then(Value::as_str).and_then(find) else {
        return;
    };
    if let Some(Value::Object(params)) = map.get_mut("params") {
        let mut found = ValidationErrors::default();
        resolve_paths(&[def.fields], params, res, &mut found);
        errors.extend_prefixed(found, &["params".into()]);
    }
}

/// The defaults of an effect's params, in wire units.
fn defaults(def: &EffectDef) -> Value {
    // Required params have no default; reading an empty object fills in all the others.
    let mut filled = Map::new();
    for field in def.fields {
        if let crate::spec::Presence::Default(d) = field.presence {
            if let Ok(v) = crate::spec::default_value(&field.ty, d) {
                filled.insert(field.name.to_owned(), v);
            }
        }
    }
    object_to_wire(&[def.fields], &filled)
}

/// The schema of params of `def` (with the `$defs` it needs).
fn params_schema(def: &EffectDef) -> Value {
    with_color_defs(object_schema(&[def.fields], &[], false))
}

/// Every effect as plain data: `{type, description, ai_hint, applies_to, parameters
/// (JSON Schema), defaults, example (an add_effect edit)}`.
pub fn effects_catalog() -> Vec<Value> {
    EFFECTS
        .iter()
        .map(|def| {
            json!({
                "type": def.name,
                "description": def.description,
                "ai_hint": def.ai_hint,
                "applies_to": def.applies.as_str(),
                "parameters": params_schema(def),
                "defaults": defaults(def),
                "example": example_edit(def),
            })
        })
        .collect()
}

fn example_edit(def: &EffectDef) -> Value {
    json!({"op": "add_effect", "clip_id": "clip-1", "type": def.name, "params": (def.example)()})
}

/// One schema per effect type: `leading` properties, `type` as a constant, `effect_id`,
/// the `extra` fields, and the type's `params`.
pub(crate) fn effect_variants(extra: &[Field], leading: &[(&str, Value)]) -> Vec<Value> {
    EFFECTS
        .iter()
        .map(|def| {
            let mut lead: Vec<(&str, Value)> = leading.to_vec();
            lead.push(("type", json!({"const": def.name})));
            let mut s = object_schema(&[EFFECT_BASE, extra], &lead, false);
            let mut params = object_schema(&[def.fields], &[], false);
            params["description"] = Value::from(def.description);
            s["properties"]["params"] = params;
            if def
                .fields
                .iter()
                .any(|f| matches!(f.presence, crate::spec::Presence::Required))
            {
                if let Some(Value::Array(required)) = s.get_mut("required") {
                    required.push(Value::from("params"));
                }
            }
            s["title"] = Value::from(def.name);
            s
        })
        .collect()
}

/// The `$defs/effect` schema of the edit schema: one alternative per effect type.
pub(crate) fn effect_union_schema() -> Value {
    json!({"oneOf": effect_variants(&[], &[])})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_examples_read() {
        let mut seen = std::collections::HashSet::new();
        for def in EFFECTS {
            assert!(seen.insert(def.name), "{}", def.name);
            assert_eq!(find(def.name).unwrap().name, def.name);
            let value = json!({"type": def.name, "params": (def.example)()});
            let read = read_effect(&value).unwrap_or_else(|e| panic!("{}: {e}", def.name));
            assert_eq!(read["type"], def.name);
            assert!(!def.ai_hint.is_empty() && !def.description.is_empty());
        }
    }

    #[test]
    fn unknown_types_and_params_are_located() {
        let e = read_effect(&json!({"type": "sparkle"})).unwrap_err();
        assert_eq!(e.codes(), ["invalid_choice"]);
        assert_eq!(e.errors()[0].loc, ["type".into()]);
        let e = read_effect(&json!({"type": "blur", "params": {"sigma": -1, "x": 1}})).unwrap_err();
        assert_eq!(e.codes(), ["value_out_of_range", "unknown_field"]);
        assert_eq!(e.errors()[0].loc, ["params".into(), "sigma".into()]);
    }
}
