//! `update_track`: change a track's settings or its place in the z-order.

use serde_json::{json, Value};

use super::add_track::ducking_of;
use super::fields::TRACK_ID;
use super::support::{checked_index, find_track, not_applicable, nothing_to_update};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, TrackPatch, TrackUpdated};
use crate::model::{TrackKind, TRACK_FIELDS};
use crate::spec::{Field, Obj, ObjExt, Ty};

const FIELDS: &[Field] = &[TRACK_ID];
const PATCH: &[Field] = &[Field::opt(
    "index",
    Ty::Int {
        min: 0,
        max: 1_000_000,
    },
    "New place in the z-order, from 0 (bottom)",
)];

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let id = args.str_of("track_id").unwrap_or_default();
    let t = find_track(ctx.doc, "track_id", id)?;
    let track = &ctx.doc.tracks[t];
    if args.len() == 1 {
        let mut names: Vec<&str> = TRACK_FIELDS.iter().map(|f| f.name).collect();
        names.push("index");
        return Err(nothing_to_update("track", &names).into());
    }
    let mut errors = ValidationErrors::default();
    let mut changes = TrackPatch {
        name: args.str_of("name").map(str::to_owned),
        muted: args.bool_of("muted"),
        hidden: args.bool_of("hidden"),
        volume: args.f64_of("volume"),
        role: args.str_of("role").map(str::to_owned),
        ducking: args.get("ducking").map(ducking_of),
        index: None,
    };
    if changes.role.is_some() && track.kind != TrackKind::Audio {
        errors.push(not_applicable("role", "only audio tracks have a role"));
    }
    if let Some(i) = args.i64_of("index") {
        match checked_index("index", i, ctx.doc.tracks.len() - 1) {
            Ok(i) => changes.index = Some(i),
            Err(e) => errors.push(e),
        }
    }
    let previous = TrackPatch {
        name: changes.name.as_ref().map(|_| track.name.clone()),
        muted: changes.muted.map(|_| track.muted),
        hidden: changes.hidden.map(|_| track.hidden),
        volume: changes.volume.map(|_| track.volume),
        role: changes.role.as_ref().and(track.role.clone()),
        ducking: changes.ducking.as_ref().map(|_| track.ducking.clone()),
        index: changes.index.map(|_| t),
    };
    errors.into_result(vec![Change::TrackUpdated(TrackUpdated {
        track_id: id.to_owned(),
        changes,
        previous,
    })])
}

fn example() -> Value {
    json!({"op": "update_track", "track_id": "music", "ducking": {"under": "voice", "ratio": 6}})
}

pub(super) const DEF: OpDef = OpDef {
    name: "update_track",
    description: "Changes a track's name, mute, hide, volume, role, ducking (music under a voice track) or place in the z-order",
    ai_hint: "Duck background music under narration with ducking: {under: <voice track id>} on the music track",
    fields: &[FIELDS],
    patch: &[TRACK_FIELDS, PATCH],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
