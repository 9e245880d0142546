//! Reading wire JSON with a spec: every structural and range problem becomes a located
//! error, and what is accepted comes out normalised (see the module docs of `spec`).

use serde_json::{Map, Value};

use super::{Def, Field, Obj, PathKind, Presence, Ty};
use crate::color::parse_color;
use crate::easing::canonical_easing;
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::json::wrong_type;
use crate::rules::{is_valid_id, MAX_ID_LEN};
use crate::time::{format_seconds, seconds_to_micros, Rational};

/// Whether absent fields take their defaults and required ones are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A whole object: required fields enforced, defaults filled in.
    Full,
    /// A patch: every field optional, nothing filled in; nested objects are patches too.
    Partial,
}

/// Reads an object whose fields are the union of `groups`; keys in `skip` are allowed and
/// ignored (an op's `op`, an effect's `type`). Error locations are relative to the object.
pub(crate) fn read_object(
    groups: &[&[Field]],
    value: &Value,
    mode: Mode,
    skip: &[&str],
) -> Result<Obj, ValidationErrors> {
    let moded: Vec<(&[Field], Mode)> = groups.iter().map(|g| (*g, mode)).collect();
    read_object_modes(&moded, value, skip)
}

/// [`read_object`] with a mode per group (an update op: its target id in full mode, the
/// fields it changes in partial mode).
pub(crate) fn read_object_modes(
    groups: &[(&[Field], Mode)],
    value: &Value,
    skip: &[&str],
) -> Result<Obj, ValidationErrors> {
    let (out, errors) = read_object_partial(groups, value, skip);
    errors.into_result(out)
}

/// Reads what can be read and returns it with the errors of the rest, so a caller can
/// still check rules across the valid fields and report every error at once.
pub(crate) fn read_object_partial(
    groups: &[(&[Field], Mode)],
    value: &Value,
    skip: &[&str],
) -> (Obj, ValidationErrors) {
    let Value::Object(object) = value else {
        return (Map::new(), wrong_type("the value", "object", value).into());
    };
    let mut out = Map::new();
    let mut errors = ValidationErrors::default();
    for (group, mode) in groups {
        for field in *group {
            read_field(field, object, *mode, &mut out, &mut errors);
        }
    }
    let all = || groups.iter().flat_map(|(g, _)| g.iter());
    for key in object.keys() {
        let known = skip.contains(&key.as_str()) || all().any(|f| f.name == key);
        if !known {
            let mut allowed: Vec<&str> = skip.to_vec();
            allowed.extend(all().map(|f| f.name));
            errors.push(
                ValidationError::new(
                    ErrorCode::UnknownField,
                    format!("{key} is not a field here"),
                )
                .at(key.as_str())
                .hint(format!("remove it; allowed fields: {}", allowed.join(", ")))
                .ctx("allowed", allowed),
            );
        }
    }
    (out, errors)
}

fn read_field(
    field: &Field,
    object: &Map<String, Value>,
    mode: Mode,
    out: &mut Obj,
    errors: &mut ValidationErrors,
) {
    match (object.get(field.name), field.presence, mode) {
        (Some(Value::Null), Presence::Nullable | Presence::RequiredNullable, _) => {
            out.insert(field.name.to_owned(), Value::Null);
        }
        (Some(Value::Null), _, _) => {
            // Only nullable fields give null a meaning; elsewhere it is a mistake.
            let expected = expected_type(&field.ty);
            errors.push(
                wrong_type(field.name, expected, &Value::Null)
                    .at(field.name)
                    .hint(format!(
                        "send {} as {expected}, or leave it out",
                        field.name
                    )),
            );
        }
        (None, Presence::Required | Presence::RequiredNullable, Mode::Full) => {
            errors.push(missing(field));
        }
        (None, Presence::Default(def), Mode::Full) => match default_value(&field.ty, def) {
            Ok(v) => {
                out.insert(field.name.to_owned(), v);
            }
            Err(e) => errors.extend_prefixed(e, &[field.name.into()]),
        },
        (None, _, _) => {}
        // A nullable field's value replaces the old one whole (ducking, freeze), so it is
        // read whole even in a patch; other objects in a patch are merged (transform).
        (Some(v), presence, _) => match read_value(
            &field.ty,
            v,
            field.name,
            if matches!(presence, Presence::Nullable) {
                Mode::Full
            } else {
                mode
            },
        ) {
            Ok(v) => {
                out.insert(field.name.to_owned(), v);
            }
            Err(e) => errors.extend_prefixed(e, &[field.name.into()]),
        },
    }
}

/// The JSON type a field of type `ty` takes, for messages.
fn expected_type(ty: &Ty) -> &'static str {
    match ty {
        Ty::Bool => "boolean",
        Ty::Int { .. } => "integer",
        Ty::Num { .. } | Ty::Seconds { .. } => "number",
        Ty::Fps => "string or integer",
        Ty::List { .. } => "array",
        Ty::Obj(_) | Ty::Effect | Ty::ScreenLayout | Ty::AnyObject => "object",
        _ => "string",
    }
}

fn missing(field: &Field) -> ValidationError {
    ValidationError::new(
        ErrorCode::MissingField,
        format!("{} is required", field.name),
    )
    .at(field.name)
    .hint(format!("add {}: {}", field.name, field.doc))
}

/// The stored form of a default.
pub(crate) fn default_value(ty: &Ty, def: Def) -> Result<Value, ValidationErrors> {
    match def {
        Def::Bool(b) => Ok(Value::from(b)),
        Def::Int(i) => read_value(ty, &Value::from(i), "default", Mode::Full),
        Def::Num(n) => read_value(ty, &Value::from(n), "default", Mode::Full),
        Def::Str(s) => read_value(ty, &Value::from(s), "default", Mode::Full),
        Def::EmptyList => Ok(Value::Array(Vec::new())),
        Def::EmptyObj => read_value(ty, &Value::Object(Map::new()), "default", Mode::Full),
    }
}

/// Reads one value of type `ty`; `key` names it in messages. Errors are relative to it.
#[allow(clippy::too_many_lines)] // one arm per value type
pub(crate) fn read_value(
    ty: &Ty,
    value: &Value,
    key: &str,
    mode: Mode,
) -> Result<Value, ValidationErrors> {
    match *ty {
        Ty::Bool => value
            .as_bool()
            .map(Value::from)
            .ok_or_else(|| wrong_type(key, "boolean", value).into()),
        Ty::Int { min, max } => {
            // JSON Schema counts 2.0 as an integer; so does the reader.
            #[allow(clippy::cast_possible_truncation)] // integral and below 2^53
            let integral = value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0)
                .map(|f| f as i64);
            let n = value
                .as_i64()
                .or(integral)
                .ok_or_else(|| wrong_type(key, "integer", value))?;
            if n < min || n > max {
                return Err(
                    out_of_range(key, value, &min.to_string(), &max.to_string(), false).into(),
                );
            }
            Ok(Value::from(n))
        }
        Ty::Num {
            min,
            max,
            exclusive_min,
        } => {
            let n = number(key, value)?;
            let low_ok = if exclusive_min { n > min } else { n >= min };
            if !low_ok || n > max {
                return Err(
                    out_of_range(key, value, &fmt_num(min), &fmt_num(max), exclusive_min).into(),
                );
            }
            Ok(Value::from(n))
        }
        Ty::Seconds {
            min,
            max,
            exclusive_min,
        } => {
            let n = number(key, value)?;
            let micros = seconds_to_micros(n);
            let (lo, hi) = (
                seconds_to_micros(min).unwrap_or(0),
                seconds_to_micros(max).unwrap_or(0),
            );
            match micros {
                Some(m) if (if exclusive_min { m > lo } else { m >= lo }) && m <= hi => {
                    Ok(Value::from(m))
                }
                _ => Err(out_of_range(
                    key,
                    value,
                    &format_seconds(lo),
                    &format_seconds(hi),
                    exclusive_min,
                )
                .hint(format!(
                    "{key} is in seconds: use {} {} and at most {}",
                    if exclusive_min {
                        "more than"
                    } else {
                        "at least"
                    },
                    format_seconds(lo),
                    format_seconds(hi)
                ))
                .into()),
            }
        }
        Ty::Enum(choices) => {
            let s = string(key, value)?;
            if choices.contains(&s) {
                Ok(Value::from(s))
            } else {
                Err(invalid_choice(key, s, choices))
            }
        }
        Ty::Easing => {
            let s = string(key, value)?;
            canonical_easing(s)
                .map(Value::from)
                .ok_or_else(|| invalid_choice(key, s, crate::easing::EASINGS))
        }
        Ty::Text { max_chars } => read_text(key, value, max_chars),
        Ty::Id => {
            let s = string(key, value)?;
            if is_valid_id(s) {
                Ok(Value::from(s))
            } else {
                Err(invalid_id(key, s).into())
            }
        }
        Ty::Color => {
            let s = string(key, value)?;
            parse_color(s).map(Value::from).ok_or_else(|| {
                ValidationError::new(
                    ErrorCode::ColorInvalid,
                    format!("{key} {s:?} is not a colour"),
                )
                .hint("write a colour as #RRGGBB, #RRGGBBAA (alpha last) or a name such as white")
                .ctx("value", s)
                .into()
            })
        }
        Ty::Fps => read_fps(key, value).map(|fps| Value::from(fps.to_string())),
        Ty::Path(kind) => read_path(key, value, kind),
        Ty::List { item, min, max } => {
            let Value::Array(items) = value else {
                return Err(wrong_type(key, "array", value).into());
            };
            if items.len() < min || items.len() > max {
                let (code, msg) = if items.len() < min {
                    (
                        ErrorCode::ListTooShort,
                        format!("{key} needs at least {min} items"),
                    )
                } else {
                    (
                        ErrorCode::ListTooLong,
                        format!("{key} takes at most {max} items"),
                    )
                };
                return Err(ValidationError::new(code, msg)
                    .hint(format!("give {key} from {min} to {max} items"))
                    .ctx("length", items.len())
                    .ctx("min", min)
                    .ctx("max", max)
                    .into());
            }
            let mut out = Vec::with_capacity(items.len());
            let mut errors = ValidationErrors::default();
            for (i, v) in items.iter().enumerate() {
                match read_value(item, v, key, Mode::Full) {
                    Ok(v) => out.push(v),
                    Err(e) => errors.extend_prefixed(e, &[i.into()]),
                }
            }
            errors.into_result(Value::Array(out))
        }
        Ty::Obj(fields) => {
            if !value.is_object() {
                return Err(wrong_type(key, "object", value).into());
            }
            read_object(&[fields], value, mode, &[]).map(Value::Object)
        }
        Ty::Effect => crate::effects::read_effect(value).map(Value::Object),
        Ty::ScreenLayout => crate::layouts::read_layout(value).map(Value::Object),
        Ty::AnyObject => match value {
            Value::Object(_) => Ok(value.clone()),
            other => Err(wrong_type(key, "object", other).into()),
        },
    }
}

fn number(key: &str, value: &Value) -> Result<f64, ValidationError> {
    match value {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()).ok_or_else(|| {
            ValidationError::new(ErrorCode::ValueOutOfRange, format!("{key} is not finite"))
                .hint(format!("send {key} as a finite number"))
        }),
        other => Err(wrong_type(key, "number", other)),
    }
}

fn string<'a>(key: &str, value: &'a Value) -> Result<&'a str, ValidationError> {
    value
        .as_str()
        .ok_or_else(|| wrong_type(key, "string", value))
}

fn fmt_num(n: f64) -> String {
    let s = format!("{n}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

fn out_of_range(
    key: &str,
    value: &Value,
    min: &str,
    max: &str,
    exclusive_min: bool,
) -> ValidationError {
    let low = if exclusive_min {
        format!("above {min}")
    } else {
        format!("from {min}")
    };
    ValidationError::new(
        ErrorCode::ValueOutOfRange,
        format!("{key} must be {low} to {max}, not {value}"),
    )
    .hint(format!("use a {key} {low} to {max}"))
    .ctx("value", value.clone())
    .ctx("min", min)
    .ctx("max", max)
    .ctx("exclusive_min", exclusive_min)
}

pub(crate) fn invalid_choice(key: &str, got: &str, choices: &[&str]) -> ValidationErrors {
    invalid_choice_error(key, got, choices).into()
}

/// An `invalid_choice` error at the empty location.
pub(crate) fn invalid_choice_error(key: &str, got: &str, choices: &[&str]) -> ValidationError {
    let listed: Vec<&str> = choices.iter().copied().take(60).collect();
    ValidationError::new(
        ErrorCode::InvalidChoice,
        format!("{key} {got:?} is not one of the allowed values"),
    )
    .hint(format!("use one of: {}", listed.join(", ")))
    .ctx("value", got)
    .ctx("expected", listed)
}

pub(crate) fn invalid_id(key: &str, id: &str) -> ValidationError {
    ValidationError::new(
        ErrorCode::InvalidId,
        format!("{key} must be 1 to {MAX_ID_LEN} characters of A-Z, a-z, 0-9, _ . -"),
    )
    .hint(format!(
        "choose a {key} such as \"intro-1\", or leave it out"
    ))
    .ctx("value", id)
    .ctx("pattern", "^[A-Za-z0-9_.-]{1,64}$")
}

fn read_text(key: &str, value: &Value, max_chars: usize) -> Result<Value, ValidationErrors> {
    let s = string(key, value)?;
    if s.trim().is_empty() {
        return Err(ValidationError::new(
            ErrorCode::StringBlank,
            format!("{key} must not be blank"),
        )
        .hint(format!("give {key} some visible text"))
        .into());
    }
    let chars = s.chars().count();
    if chars > max_chars {
        return Err(ValidationError::new(
            ErrorCode::StringTooLong,
            format!("{key} must be at most {max_chars} characters, not {chars}"),
        )
        .hint(format!("shorten {key} to {max_chars} characters or fewer"))
        .ctx("max_length", max_chars)
        .ctx("length", chars)
        .into());
    }
    if s.contains('\0') {
        return Err(ValidationError::new(
            ErrorCode::TextInvalid,
            format!("{key} contains a NUL character"),
        )
        .hint("remove the NUL (\\u0000) characters")
        .into());
    }
    Ok(Value::from(s))
}

/// A frame rate from `"N"`, `"N/D"` or a whole number, from 1 to [`crate::MAX_FPS`].
pub(crate) fn read_fps(key: &str, value: &Value) -> Result<Rational, ValidationErrors> {
    let parsed = match value {
        Value::String(s) => s.parse::<Rational>().map_err(|e| e.to_string()),
        #[allow(clippy::cast_possible_truncation)] // integral and far below 2^53
        Value::Number(n) => match n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        }) {
            Some(n) => Rational::new(n, 1).map_err(|e| e.to_string()),
            None => Err("a whole number or a fraction N/D is required".to_owned()),
        },
        other => return Err(wrong_type(key, "string", other).into()),
    };
    match parsed {
        Err(reason) => Err(ValidationError::new(
            ErrorCode::FpsInvalid,
            format!("{key} is invalid: {reason}"),
        )
        .hint("write fps as N or N/D, e.g. \"30\" or \"30000/1001\" (not 29.97)")
        .ctx("value", value.clone())
        .into()),
        Ok(fps) if fps.cmp_int(1).is_lt() || fps.cmp_int(crate::MAX_FPS).is_gt() => {
            let max = crate::MAX_FPS;
            Err(ValidationError::new(
                ErrorCode::FpsOutOfRange,
                format!("{key} must be from 1 to {max}, not {fps}"),
            )
            .hint(format!("use a frame rate from 1 to {max}, e.g. \"30\""))
            .ctx("value", fps.to_string())
            .ctx("min", "1")
            .ctx("max", max.to_string())
            .into())
        }
        Ok(fps) => Ok(fps),
    }
}

fn read_path(key: &str, value: &Value, kind: PathKind) -> Result<Value, ValidationErrors> {
    let s = string(key, value)?;
    if s.is_empty() || s.contains('\0') {
        return Err(ValidationError::new(
            ErrorCode::PathInvalid,
            format!("{key} must be a non-empty path without NUL"),
        )
        .hint("give an absolute path inside an allowed media root, e.g. /media/clip.mp4")
        .ctx("path", s)
        .into());
    }
    let allowed = kind.extensions();
    if !allowed.is_empty() {
        let ext = s
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !allowed.contains(&ext.as_str()) {
            return Err(ValidationError::new(
                ErrorCode::FileTypeInvalid,
                format!("{key} must be a {} file", kind.as_str()),
            )
            .hint(format!("use a file ending in .{}", allowed.join(", .")))
            .ctx("path", s)
            .ctx("expected", allowed.to_vec())
            .into());
        }
    }
    Ok(Value::from(s))
}
