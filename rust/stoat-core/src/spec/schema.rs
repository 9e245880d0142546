//! JSON Schema (draft 2020-12) from specs: the schema agents read is generated from the same
//! definitions the reader validates with.

use serde_json::{json, Map, Value};

use super::{Def, Field, Presence, Ty};
use crate::color::{COLOR_HEX_PATTERN, COLOR_NAMES};
use crate::model::MAX_FPS;
use crate::rules::MAX_ID_LEN;

/// The schema of an object whose fields are the union of `groups`; `leading` properties
/// (such as `"op": {"const": ...}`) come first and are required.
pub(crate) fn object_schema(
    groups: &[&[Field]],
    leading: &[(&str, Value)],
    partial: bool,
) -> Value {
    let moded: Vec<(&[Field], bool)> = groups.iter().map(|g| (*g, partial)).collect();
    object_schema_modes(&moded, leading)
}

/// [`object_schema`] with a partial flag per group (partial: nothing required, no defaults).
pub(crate) fn object_schema_modes(groups: &[(&[Field], bool)], leading: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for (name, schema) in leading {
        properties.insert((*name).to_owned(), schema.clone());
        required.push(Value::from(*name));
    }
    for (group, partial) in groups {
        for field in *group {
            let mut schema = field_schema(field);
            if *partial {
                if let Value::Object(map) = &mut schema {
                    map.remove("default");
                }
            } else if matches!(
                field.presence,
                Presence::Required | Presence::RequiredNullable
            ) {
                required.push(Value::from(field.name));
            }
            properties.insert(field.name.to_owned(), schema);
        }
    }
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

fn field_schema(field: &Field) -> Value {
    let mut schema = ty_schema(&field.ty);
    if matches!(
        field.presence,
        Presence::Nullable | Presence::RequiredNullable
    ) {
        schema = json!({"anyOf": [schema, {"type": "null"}]});
    }
    let Value::Object(map) = &mut schema else {
        return schema;
    };
    map.insert("description".into(), Value::from(field.doc));
    if let Presence::Default(def) = field.presence {
        map.insert("default".into(), default_json(def));
    }
    schema
}

fn default_json(def: Def) -> Value {
    match def {
        Def::Bool(b) => Value::from(b),
        Def::Int(i) => Value::from(i),
        Def::Num(n) => Value::from(n),
        Def::Str(s) => Value::from(s),
        Def::EmptyList => json!([]),
        Def::EmptyObj => json!({}),
    }
}

/// The schema of one value of type `ty`. Colours, effects and screen layouts are
/// references into `$defs` (see [`defs_for`]).
pub(crate) fn ty_schema(ty: &Ty) -> Value {
    match *ty {
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Ty::Num {
            min,
            max,
            exclusive_min,
        }
        | Ty::Seconds {
            min,
            max,
            exclusive_min,
        } => {
            let low = if exclusive_min {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            let mut s = json!({"type": "number", "maximum": max});
            s[low] = Value::from(min);
            if matches!(ty, Ty::Seconds { .. }) {
                s["x-unit"] = Value::from("seconds");
            }
            s
        }
        Ty::Enum(choices) => json!({"type": "string", "enum": choices}),
        Ty::Easing => json!({"type": "string", "enum": crate::easing::EASINGS}),
        Ty::Text { max_chars } => {
            json!({"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": "\\S"})
        }
        Ty::Id => json!({
            "type": "string",
            "pattern": format!("^[A-Za-z0-9_.-]{{1,{MAX_ID_LEN}}}$"),
        }),
        Ty::Color => json!({"$ref": "#/$defs/color"}),
        Ty::Fps => json!({"anyOf": [
            {"type": "string", "pattern": "^[0-9]+(/[0-9]+)?$"},
            {"type": "integer", "minimum": 1, "maximum": MAX_FPS},
        ]}),
        Ty::Path(kind) => {
            let mut s = json!({"type": "string", "minLength": 1, "x-path-kind": kind.as_str()});
            let exts = kind.extensions();
            if !exts.is_empty() {
                let alternatives: Vec<String> = exts.iter().map(|e| case_free(e)).collect();
                s["pattern"] = Value::from(format!("\\.({})$", alternatives.join("|")));
            }
            s
        }
        Ty::List { item, min, max } => json!({
            "type": "array",
            "items": ty_schema(item),
            "minItems": min,
            "maxItems": max,
        }),
        Ty::Obj(fields) => object_schema(&[fields], &[], false),
        Ty::Effect => json!({"$ref": "#/$defs/effect"}),
        Ty::ScreenLayout => json!({"$ref": "#/$defs/screen_layout"}),
        Ty::AnyObject => json!({"type": "object"}),
    }
}

/// `cube` as `[Cc][Uu][Bb][Ee]`: ECMA-262 patterns have no case-insensitive flag.
fn case_free(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The colour schema: hexadecimal, or one of FFmpeg's names in lower case.
pub(crate) fn color_schema() -> Value {
    let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
    json!({
        "description": "#RRGGBB, #RRGGBBAA (alpha last) or an FFmpeg colour name in lower case",
        "anyOf": [
            {"type": "string", "pattern": COLOR_HEX_PATTERN},
            {"type": "string", "enum": names},
        ],
    })
}

/// Adds `$defs` for the references `schema` makes that are not yet defined in it
/// (only `color` can occur outside the edit schema).
pub(crate) fn with_color_defs(mut schema: Value) -> Value {
    if schema.to_string().contains("#/$defs/color") {
        schema["$defs"] = json!({"color": color_schema()});
    }
    schema
}
