//! `add_track`: add a video, audio or overlay track to the z-order.

use serde_json::{json, Value};

use super::fields::INDEX;
use super::support::{checked_index, id_taken, not_applicable};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::{ErrorCode, ValidationErrors};
use crate::events::{Change, TrackAdded};
use crate::model::{Ducking, Track, TrackKind, TRACK_FIELDS};
use crate::spec::{Field, Obj, ObjExt, Ty};

const FIELDS: &[Field] = &[
    Field::opt("track_id", Ty::Id, "The new track's id (default: video-N, audio-N or overlay-N)"),
    Field::req("kind", Ty::Enum(TrackKind::NAMES), "video (pictures and their sound), audio (sound only) or overlay (pictures composited on top)"),
    Field::opt("index", INDEX.ty, "Place in the z-order from 0 (bottom); default: on top"),
];

/// The ducking settings of normalised `update_track`/`add_track` args.
pub(super) fn ducking_of(value: &Value) -> Option<Ducking> {
    let d = value.as_object()?;
    Some(Ducking {
        under: d.str_of("under")?.to_owned(),
        threshold: d.f64_of("threshold")?,
        ratio: d.f64_of("ratio")?,
        attack: d.i64_of("attack")?,
        release: d.i64_of("release")?,
    })
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = args
        .str_of("kind")
        .and_then(TrackKind::from_name)
        .unwrap_or_default();
    let id = match args.str_of("track_id") {
        Some(id) => {
            if let Some(e) = id_taken(ctx.doc, &[], "track_id", id, ErrorCode::TrackIdTaken) {
                errors.push(e);
            }
            id.to_owned()
        }
        None => ctx.ids.generate(ctx.doc, kind.as_str(), &[]),
    };
    let len = ctx.doc.tracks.len();
    let index = match args.i64_of("index") {
        Some(i) => checked_index("index", i, len)
            .map_err(|e| errors.push(e))
            .ok(),
        None => Some(len),
    };
    let count = ctx.doc.tracks.iter().filter(|t| t.kind == kind).count();
    let default_name = format!(
        "{}{} {}",
        &kind.as_str()[..1].to_uppercase(),
        &kind.as_str()[1..],
        count + 1
    );
    let mut track = Track::new(&id, kind, args.str_of("name").unwrap_or(&default_name));
    track.muted = args.bool_of("muted").unwrap_or(false);
    track.hidden = args.bool_of("hidden").unwrap_or(false);
    track.volume = args.f64_of("volume").unwrap_or(1.0);
    if let Some(role) = args.str_of("role") {
        if kind == TrackKind::Audio {
            track.role = Some(role.to_owned());
        } else {
            errors.push(not_applicable("role", "only audio tracks have a role"));
        }
    }
    if let Some(d) = args.get("ducking").and_then(ducking_of) {
        track.ducking = Some(d);
    }
    match index {
        Some(index) if errors.is_empty() => {
            Ok(vec![Change::TrackAdded(TrackAdded { track, index })])
        }
        _ => Err(errors),
    }
}

fn example() -> Value {
    json!({"op": "add_track", "kind": "audio", "track_id": "music", "role": "music", "volume": 0.6})
}

pub(super) const DEF: OpDef = OpDef {
    name: "add_track",
    description: "Adds a track: video, audio (with a role: voice, music or sfx) or overlay, at a place in the z-order (later tracks are drawn on top)",
    ai_hint: "Projects start with one video track, video-1; add an audio track for music or voice-over and an overlay track for titles and picture-in-picture",
    fields: &[FIELDS, TRACK_FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
