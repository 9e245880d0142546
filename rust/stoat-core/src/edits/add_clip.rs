//! `add_clip`: put a media, image, colour or text clip on a track.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::add_effect::build_effect;
use super::fields::INDEX;
use super::support::{
    broken_transitions, check_crop, check_fits_track, checked_index, find_track, id_taken,
    index_for_start, micros, order,
};
use super::{decorate, Ctx, OpDef};
use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::events::{Change, ClipAdded};
use crate::model::{
    Clip, ClipKind, Doc, Freeze, MediaInfo, TrackKind, Transform, CLIP_COMMON_FIELDS,
    TEXT_STYLE_FIELDS,
};
use crate::rules::{check_span, Given};
use crate::spec::{
    collect_paths, object_schema_modes, read_object, resolve_paths, Def, Field, Mode, Obj, ObjExt,
    PathKind, Ty,
};
use crate::time::format_seconds;

const FIELDS: &[Field] = &[
    Field::opt("clip_id", Ty::Id, "The new clip's id (default: a generated clip-N)"),
    Field::opt(
        "track_id",
        Ty::Id,
        "The track (default: the first video track, or the first audio track for a source without pictures)",
    ),
    Field::opt("index", INDEX.ty, "Place in the track's clip order (default: by start, or the end)"),
    Field::def("kind", Ty::Enum(ClipKind::NAMES), Def::Str("media"), "media (a span of a file), image, color or text"),
];

/// The kind a raw edit asks for: its `kind` when valid, media when absent, `None` when
/// invalid (the reader reports it).
fn kind_of(raw: &Value) -> Option<ClipKind> {
    match raw.get("kind") {
        None | Some(Value::Null) => Some(ClipKind::Media),
        Some(Value::String(k)) => ClipKind::from_name(k),
        Some(_) => None,
    }
}

fn read(_: &OpDef, value: &Value) -> Result<Obj, ValidationErrors> {
    if let Some(kind) = kind_of(value) {
        read_object(
            &[FIELDS, CLIP_COMMON_FIELDS, kind.fields()],
            value,
            Mode::Full,
            &["op"],
        )
    } else {
        // Report the bad kind without calling every kind's fields unknown.
        let mut skip = vec!["op"];
        for kind in ClipKind::NAMES
            .iter()
            .filter_map(|k| ClipKind::from_name(k))
        {
            skip.extend(kind.fields().iter().map(|f| f.name));
        }
        read_object(&[FIELDS, CLIP_COMMON_FIELDS], value, Mode::Full, &skip)
    }
}

fn schema(def: &OpDef) -> Value {
    let variants: Vec<Value> = ClipKind::NAMES
        .iter()
        .filter_map(|k| ClipKind::from_name(k))
        .map(|kind| {
            let mut s = object_schema_modes(
                &[
                    (FIELDS, false),
                    (CLIP_COMMON_FIELDS, false),
                    (kind.fields(), false),
                ],
                &[("op", json!({"const": def.name}))],
            );
            s["properties"]["kind"] = json!({"const": kind.as_str(), "description": FIELDS[3].doc});
            if kind == ClipKind::Media {
                s["properties"]["kind"]["default"] = Value::from("media");
            } else if let Some(Value::Array(required)) = s.get_mut("required") {
                required.push(Value::from("kind"));
            }
            s["title"] = Value::from(format!("add_clip ({})", kind.as_str()));
            s
        })
        .collect();
    let mut s = json!({"type": "object", "required": ["op"], "oneOf": variants});
    decorate(def, &mut s);
    s
}

fn paths(
    _: &OpDef,
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    if let Some(kind) = kind_of(raw) {
        collect_paths(&[FIELDS, CLIP_COMMON_FIELDS, kind.fields()], raw, loc, out);
    }
}

/// The track a clip goes on when the edit names none: the first visual track for clips
/// with pictures, the first audio track for sound-only sources.
fn pick_track(doc: &Doc, visual: bool) -> Result<usize, ValidationError> {
    let wanted = |k: TrackKind| {
        if visual {
            k.is_visual()
        } else {
            k == TrackKind::Audio
        }
    };
    doc.tracks
        .iter()
        .position(|t| wanted(t.kind))
        .ok_or_else(|| {
            let kind = if visual { "video" } else { "audio" };
            ValidationError::new(
                ErrorCode::NoSuitableTrack,
                format!("the project has no {kind} track for this clip"),
            )
            .at("track_id")
            .hint(format!(
                "add one first: {{\"op\": \"add_track\", \"kind\": \"{kind}\"}}, or give track_id"
            ))
            .ctx("kind", kind)
        })
}

/// The media facts and canonical path of a media or image source.
fn source_of<'a>(
    args: &Obj,
    kind: ClipKind,
    ctx: &Ctx<'a>,
    errors: &mut ValidationErrors,
) -> Option<(String, &'a MediaInfo)> {
    let path_kind = if kind == ClipKind::Image {
        PathKind::Image
    } else {
        PathKind::Media
    };
    let given = args.str_of("source")?;
    match ctx.res.probed(given, path_kind) {
        Ok((canonical, info)) => {
            if kind == ClipKind::Image && !info.has_video {
                errors.push(
                    ValidationError::new(
                        ErrorCode::SourceHasNoVideo,
                        format!("{given:?} is not an image"),
                    )
                    .at("source")
                    .hint("use a still image file (PNG, JPEG, ...)")
                    .ctx("source", given),
                );
            }
            Some((canonical, info))
        }
        Err(e) => {
            errors.push(e.at("source"));
            None
        }
    }
}

/// Fills the kind-specific fields of `clip` from `args`.
fn fill_content(
    clip: &mut Clip,
    args: &Obj,
    media: Option<(String, &MediaInfo)>,
    errors: &mut ValidationErrors,
) {
    match clip.kind {
        ClipKind::Media => {
            let Some((source, info)) = media else { return };
            let in_point = micros(args, "in").unwrap_or(0);
            let out_point = micros(args, "out").unwrap_or(info.duration);
            let given = Given {
                in_point: true,
                out_point: args.contains_key("out"),
            };
            check_span((in_point, out_point), given, info.duration, errors);
            clip.source = Some(source);
            clip.in_point = Some(in_point);
            clip.out_point = Some(out_point);
            clip.media = Some(info.clone());
            clip.speed = args.f64_of("speed").unwrap_or(1.0);
            clip.reverse = args.bool_of("reverse").unwrap_or(false);
            clip.volume = args.f64_of("volume").unwrap_or(1.0);
            clip.muted = args.bool_of("muted").unwrap_or(false);
            clip.freeze = freeze_of(args.get("freeze"));
            if let Err(e) = check_freeze(clip) {
                errors.push(e);
            }
        }
        ClipKind::Image => {
            if let Some((source, info)) = media {
                clip.source = Some(source);
                clip.media = Some(info.clone());
            }
            clip.duration = micros(args, "duration");
        }
        ClipKind::Color => {
            clip.color = args.str_of("color").map(str::to_owned);
            clip.duration = micros(args, "duration");
        }
        ClipKind::Text => {
            clip.text = args.str_of("text").map(str::to_owned);
            clip.style = args.get("style").and_then(Value::as_object).cloned();
            clip.duration = micros(args, "duration");
        }
    }
}

/// The freeze of normalised args (`None` for absent or null).
pub(super) fn freeze_of(value: Option<&Value>) -> Option<Freeze> {
    let f = value?.as_object()?;
    Some(Freeze {
        at: f.i64_of("at")?,
        duration: f.i64_of("duration")?,
    })
}

/// `freeze_outside_span` at `freeze.at` unless the held frame lies in `[in, out)`.
pub(super) fn check_freeze(clip: &Clip) -> Result<(), ValidationError> {
    let (Some(freeze), Some(in_point), Some(out_point)) =
        (clip.freeze, clip.in_point, clip.out_point)
    else {
        return Ok(());
    };
    if freeze.at < in_point || freeze.at >= out_point {
        return Err(ValidationError::new(
            ErrorCode::FreezeOutsideSpan,
            format!(
                "the frozen frame at {} s is outside the clip's span {} s to {} s",
                format_seconds(freeze.at),
                format_seconds(in_point),
                format_seconds(out_point)
            ),
        )
        .at("freeze")
        .at("at")
        .hint("freeze.at is a source time from in (inclusive) to out (exclusive)")
        .ctx_seconds("at", freeze.at)
        .ctx_seconds("in", in_point)
        .ctx_seconds("out", out_point));
    }
    Ok(())
}

/// The transform of normalised args.
pub(super) fn transform_of(value: Option<&Value>) -> Transform {
    value
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Builds the clip's effects (ids, paths, checks against the clip); errors located at
/// `("effects", j, ...)`.
fn fill_effects(clip: &mut Clip, args: &Obj, ctx: &Ctx<'_>, errors: &mut ValidationErrors) {
    let Some(Value::Array(list)) = args.get("effects") else {
        return;
    };
    let mut taken: Vec<String> = vec![clip.id.clone()];
    for (j, item) in list.iter().enumerate() {
        let Some(object) = item.as_object() else {
            continue;
        };
        match build_effect(object, ctx, &taken, clip) {
            Ok(effect) => {
                taken.push(effect.id.clone());
                clip.effects.push(effect);
            }
            Err(e) => errors.extend_prefixed(e, &["effects".into(), j.into()]),
        }
    }
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = args
        .str_of("kind")
        .and_then(ClipKind::from_name)
        .unwrap_or_default();
    let id = match args.str_of("clip_id") {
        Some(id) => {
            if let Some(e) = id_taken(ctx.doc, &[], "clip_id", id, ErrorCode::ClipIdTaken) {
                errors.push(e);
            }
            id.to_owned()
        }
        None => ctx.ids.generate(ctx.doc, "clip", &[]),
    };
    let media = match kind {
        ClipKind::Media | ClipKind::Image => {
            let found = source_of(args, kind, ctx, &mut errors);
            if found.is_none() {
                return Err(errors);
            }
            found
        }
        _ => None,
    };
    let info = media.as_ref().map(|m| m.1);
    let t = match args.str_of("track_id") {
        Some(track_id) => find_track(ctx.doc, "track_id", track_id),
        None => pick_track(
            ctx.doc,
            kind != ClipKind::Media || info.is_some_and(|m| m.has_video),
        ),
    };
    let t = match t {
        Ok(t) => t,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    let track = &ctx.doc.tracks[t];
    let key = if args.contains_key("track_id") {
        "track_id"
    } else {
        "kind"
    };
    if let Err(e) = check_fits_track(track, kind, info, key) {
        errors.push(e);
    }

    let mut clip = Clip::new(&id, kind);
    clip.start = micros(args, "start");
    clip.transform = transform_of(args.get("transform"));
    if let Some(e) = check_crop(&clip.transform) {
        errors.push(e.prefixed(&["transform".into()]));
    }
    fill_content(&mut clip, args, media, &mut errors);
    if let Some(style) = &mut clip.style {
        let mut found = ValidationErrors::default();
        resolve_paths(&[TEXT_STYLE_FIELDS], style, &ctx.res, &mut found);
        errors.extend_prefixed(found, &["style".into()]);
    }
    clip.keyframes = BTreeMap::new();
    fill_effects(&mut clip, args, ctx, &mut errors);

    let len = track.clips.len();
    let index = match (args.i64_of("index"), clip.start) {
        (Some(i), _) => checked_index("index", i, len)
            .map_err(|e| errors.push(e))
            .ok(),
        (None, Some(start)) => Some(index_for_start(track, start, None)),
        (None, None) => Some(len),
    };
    let Some(index) = index.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let mut new_order = order(ctx.doc, t);
    new_order.insert(index, &id);
    let mut changes = broken_transitions(ctx.doc, t, &new_order);
    changes.push(Change::ClipAdded(ClipAdded {
        track_id: track.id.clone(),
        clip,
        index,
    }));
    Ok(changes)
}

fn example() -> Value {
    json!({"op": "add_clip", "source": "/media/interview.mp4", "in": 12.5, "out": 20, "clip_id": "intro"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "add_clip",
    description: "Puts a clip on a track: a span of a media file (kind media, the default), a still image, a solid colour or a text title; placed at start, or right after the previous clip on the track",
    ai_hint: "Leave start out to play clips back to back; give track_id to layer clips on other tracks (later tracks are on top)",
    fields: &[FIELDS, CLIP_COMMON_FIELDS],
    patch: &[],
    example,
    decide,
    read,
    schema,
    paths,
};
