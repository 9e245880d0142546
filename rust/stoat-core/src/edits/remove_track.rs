//! `remove_track`: remove a track with its clips.

use serde_json::{json, Value};

use super::fields::TRACK_ID;
use super::support::find_track;
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, TrackRemoved};
use crate::spec::{Field, Obj, ObjExt};

const FIELDS: &[Field] = &[TRACK_ID];

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let t = find_track(
        ctx.doc,
        "track_id",
        args.str_of("track_id").unwrap_or_default(),
    )?;
    Ok(vec![Change::TrackRemoved(TrackRemoved {
        track: ctx.doc.tracks[t].clone(),
        index: t,
    })])
}

fn example() -> Value {
    json!({"op": "remove_track", "track_id": "overlay-1"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "remove_track",
    description: "Removes a track and every clip on it",
    ai_hint: "Undo brings the track back with its clips; change the layout or ducking that names it first",
    fields: &[FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
