//! `set_keyframes`: animate one property of a clip (an empty list clears it).

use serde_json::{json, Value};

use super::fields::CLIP_ID;
use super::support::find_clip;
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::easing::{not_increasing, Keyframe, KEYFRAME_FIELDS};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{Change, KeyframesSet};
use crate::model::Clip;
use crate::spec::{Field, Obj, ObjExt, Ty};

/// The animatable properties, with their value ranges and what they need from the clip.
pub const PROPERTIES: &[(&str, f64, f64, &str)] = &[
    ("opacity", 0.0, 1.0, "0 invisible, 1 opaque"),
    ("volume", 0.0, 4.0, "gain multiplier of the clip's sound"),
    ("x", -16384.0, 16384.0, "horizontal offset in output pixels"),
    ("y", -16384.0, 16384.0, "vertical offset in output pixels"),
    ("scale", 0.01, 10.0, "size multiplier"),
    (
        "blur",
        0.0,
        100.0,
        "blur strength (Gaussian sigma in pixels)",
    ),
];

const NAMES: &[&str] = &["opacity", "volume", "x", "y", "scale", "blur"];

const FIELDS: &[Field] = &[
    CLIP_ID,
    Field::req(
        "property",
        Ty::Enum(NAMES),
        "opacity (0..1), volume (0..4), x and y (pixels), scale (0.01..10) or blur (0..100)",
    ),
    Field::req(
        "keyframes",
        Ty::List {
            item: &Ty::Obj(KEYFRAME_FIELDS),
            min: 0,
            max: 1000,
        },
        "Keyframes in increasing time order (times unique); an empty list removes the animation",
    ),
];

fn fits(property: &str, clip: &Clip) -> bool {
    if property == "volume" {
        clip.has_audio()
    } else {
        clip.has_video()
    }
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let at = find_clip(
        ctx.doc,
        "clip_id",
        args.str_of("clip_id").unwrap_or_default(),
    )?;
    let clip = &ctx.doc.tracks[at.0].clips[at.1];
    let property = args.str_of("property").unwrap_or_default();
    let Some(&(_, min, max, what)) = PROPERTIES.iter().find(|p| p.0 == property) else {
        return Err(ValidationErrors::default());
    };
    let mut errors = ValidationErrors::default();
    if !fits(property, clip) {
        errors.push(
            ValidationError::new(
                ErrorCode::EffectNotApplicable,
                format!(
                    "clip {:?} has no {} to animate",
                    clip.id,
                    if property == "volume" {
                        "sound"
                    } else {
                        "picture"
                    }
                ),
            )
            .at("property")
            .hint(
                "animate volume on clips with sound, the other properties on clips with a picture",
            )
            .ctx("property", property),
        );
    }
    let duration = clip.timeline_duration();
    let mut keyframes = Vec::new();
    let items = args
        .get("keyframes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let Some(k) = item.as_object() else { continue };
        let time = k.i64_of("time").unwrap_or(0);
        let value = k.f64_of("value").unwrap_or(0.0);
        let loc = |key: &str| vec!["keyframes".into(), i.into(), key.into()];
        if let Some(previous) = keyframes
            .last()
            .map(|p: &Keyframe| p.time)
            .filter(|p| time <= *p)
        {
            errors.push(not_increasing(i, time, previous).prefixed(&["keyframes".into()]));
        }
        if time > duration {
            errors.push(
                crate::effects::beyond_clip("time", time, clip)
                    .prefixed(&["keyframes".into(), i.into()]),
            );
        }
        if value < min || value > max {
            errors.push(
                ValidationError::new(
                    ErrorCode::ValueOutOfRange,
                    format!("{property} must be from {min} to {max} ({what}), not {value}"),
                )
                .prefixed(&loc("value"))
                .hint(format!("use a {property} value from {min} to {max}"))
                .ctx("value", value)
                .ctx("min", min)
                .ctx("max", max),
            );
        }
        keyframes.push(Keyframe {
            time,
            value,
            easing: k.str_of("easing").unwrap_or("linear").to_owned(),
        });
    }
    errors.into_result(vec![Change::KeyframesSet(KeyframesSet {
        clip_id: clip.id.clone(),
        property: property.to_owned(),
        keyframes,
        previous: clip.keyframes.get(property).cloned().unwrap_or_default(),
    })])
}

fn example() -> Value {
    json!({"op": "set_keyframes", "clip_id": "clip-1", "property": "opacity", "keyframes": [
        {"time": 0, "value": 0, "easing": "ease_out_cubic"}, {"time": 1, "value": 1}]})
}

pub(super) const DEF: OpDef = OpDef {
    name: "set_keyframes",
    description: "Animates one property of a clip (opacity, volume, x, y, scale or blur) with keyframes at clip-relative times; each keyframe's easing shapes the way to the next",
    ai_hint: "Before the first keyframe the property holds the first value, after the last the last value; send an empty list to remove the animation",
    fields: &[FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
