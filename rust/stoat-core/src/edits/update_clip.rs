//! `update_clip`: trim, move, speed, freeze, volume, transform, text and style of a clip.

use serde_json::{json, Map, Value};

use super::add_clip::{check_freeze, freeze_of, transform_of};
use super::fields::CLIP_ID;
use super::move_clip::{moves, plan_move, MOVE_FIELDS};
use super::support::{check_crop, find_clip, micros, not_applicable, nothing_to_update};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, ClipPatch, ClipTrimmed, ClipUpdated};
use crate::model::{Clip, ClipKind, TEXT_STYLE_FIELDS, TRANSFORM_FIELDS};
use crate::rules::{check_span, Given};
use crate::spec::{num, resolve_paths, Field, Obj, ObjExt, Ty, DURATION, SECONDS};

const PATCH: &[Field] = &[
    Field::opt(
        "in",
        SECONDS,
        "Media clips: new in point, seconds into the source",
    ),
    Field::opt(
        "out",
        SECONDS,
        "Media clips: new out point, seconds into the source",
    ),
    Field::opt(
        "duration",
        DURATION,
        "Image, colour and text clips: new duration, seconds",
    ),
    Field::opt("speed", num(0.25, 4.0), "Media clips: playback speed"),
    Field::opt("reverse", Ty::Bool, "Media clips: play backwards"),
    Field::nullable(
        "freeze",
        Ty::Obj(crate::model::FREEZE_FIELDS),
        "Media clips: hold a frame ({at, duration}); null removes it",
    ),
    Field::opt("volume", num(0.0, 4.0), "Media clips: gain multiplier"),
    Field::opt("muted", Ty::Bool, "Media clips: silence"),
    Field::opt(
        "transform",
        Ty::Obj(TRANSFORM_FIELDS),
        "The fields of the transform to change (the others stay)",
    ),
    Field::opt("text", Ty::Text { max_chars: 2000 }, "Text clips: the text"),
    Field::opt("color", Ty::Color, "Colour clips: the colour"),
    Field::opt(
        "style",
        Ty::Obj(TEXT_STYLE_FIELDS),
        "Text clips: the style fields to change (the others stay)",
    ),
];

const MEDIA_ONLY: &[&str] = &["in", "out", "speed", "reverse", "freeze", "volume", "muted"];

fn check_applicable(args: &Obj, clip: &Clip, errors: &mut ValidationErrors) {
    for key in args.keys() {
        let why = match key.as_str() {
            k if MEDIA_ONLY.contains(&k) && clip.kind != ClipKind::Media => {
                Some("only media clips have it")
            }
            "duration" if clip.kind == ClipKind::Media => {
                Some("a media clip's length comes from in, out, speed and freeze")
            }
            "text" | "style" if clip.kind != ClipKind::Text => Some("only text clips have it"),
            "color" if clip.kind != ClipKind::Color => Some("only colour clips have it"),
            _ => None,
        };
        if let Some(why) = why {
            errors.push(not_applicable(key, why));
        }
    }
}

/// `base` with the keys of `patch` replaced, recursing into objects (crop).
fn merged(base: &Value, patch: &Value) -> Value {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            let mut out: Map<String, Value> = b.clone();
            for (k, v) in p {
                let next = out.get(k).map_or_else(|| v.clone(), |old| merged(old, v));
                out.insert(k.clone(), next);
            }
            Value::Object(out)
        }
        _ => patch.clone(),
    }
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let at = find_clip(
        ctx.doc,
        "clip_id",
        args.str_of("clip_id").unwrap_or_default(),
    )?;
    let clip = &ctx.doc.tracks[at.0].clips[at.1];
    if args.len() == 1 {
        let mut names: Vec<&str> = PATCH.iter().chain(MOVE_FIELDS).map(|f| f.name).collect();
        names.sort_unstable();
        return Err(nothing_to_update("clip", &names).into());
    }
    let mut errors = ValidationErrors::default();
    check_applicable(args, clip, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut changes = Vec::new();
    let mut after = clip.as_ref().clone();
    let trims = args.contains_key("in") || args.contains_key("out");
    if trims {
        let span = (
            micros(args, "in").or(clip.in_point).unwrap_or(0),
            micros(args, "out").or(clip.out_point).unwrap_or(0),
        );
        let given = Given {
            in_point: args.contains_key("in"),
            out_point: args.contains_key("out"),
        };
        let duration = clip.media.as_ref().map_or(0, |m| m.duration);
        check_span(span, given, duration, &mut errors);
        (after.in_point, after.out_point) = (Some(span.0), Some(span.1));
        changes.push(Change::ClipTrimmed(ClipTrimmed {
            clip_id: clip.id.clone(),
            in_point: span.0,
            out_point: span.1,
            previous_in: clip.in_point.unwrap_or(0),
            previous_out: clip.out_point.unwrap_or(0),
        }));
    }
    let mut patch = ClipPatch {
        speed: args.f64_of("speed"),
        reverse: args.bool_of("reverse"),
        freeze: args
            .contains_key("freeze")
            .then(|| freeze_of(args.get("freeze"))),
        volume: args.f64_of("volume"),
        muted: args.bool_of("muted"),
        duration: micros(args, "duration"),
        text: args.str_of("text").map(str::to_owned),
        color: args.str_of("color").map(str::to_owned),
        ..ClipPatch::default()
    };
    if let Some(t) = args.get("transform") {
        let current = serde_json::to_value(&clip.transform).unwrap_or(Value::Null);
        let transform = transform_of(Some(&merged(&current, t)));
        if let Some(e) = check_crop(&transform) {
            errors.push(e.prefixed(&["transform".into()]));
        }
        patch.transform = Some(transform);
    }
    if let Some(Value::Object(style)) = args.get("style") {
        let mut style = style.clone();
        let mut found = ValidationErrors::default();
        resolve_paths(&[TEXT_STYLE_FIELDS], &mut style, &ctx.res, &mut found);
        errors.extend_prefixed(found, &["style".into()]);
        let mut full = clip.style.clone().unwrap_or_default();
        full.extend(style);
        patch.style = Some(full);
    }
    patch.apply_to(&mut after);
    if let Err(e) = check_freeze(&after) {
        errors.push(e);
    }
    if !patch.is_empty() {
        let previous = patch.previous_on(clip);
        changes.push(Change::ClipUpdated(ClipUpdated {
            clip_id: clip.id.clone(),
            changes: patch,
            previous,
        }));
    }
    if moves(args) {
        match plan_move(args, ctx, at) {
            Ok(moved) => {
                // Transitions go first: a clip leaves its neighbours before it moves.
                let (removed, rest): (Vec<Change>, Vec<Change>) = moved
                    .into_iter()
                    .partition(|c| matches!(c, Change::TransitionRemoved(_)));
                changes.splice(0..0, removed);
                changes.extend(rest);
            }
            Err(e) => errors.extend_prefixed(e, &[]),
        }
    }
    errors.into_result(changes)
}

fn example() -> Value {
    json!({"op": "update_clip", "clip_id": "intro", "out": 18.5, "speed": 1.5,
        "transform": {"scale": 0.5, "position": "top_right"}})
}

pub(super) const DEF: OpDef = OpDef {
    name: "update_clip",
    description: "Changes a clip: trim (in, out), move (track_id, start, index), speed, reverse, freeze, volume, mute, transform, duration, text, colour or style; only the fields given change",
    ai_hint: "transform and style are merged field by field; start: null makes the clip follow the previous one",
    fields: &[&[CLIP_ID]],
    patch: &[PATCH, MOVE_FIELDS],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
