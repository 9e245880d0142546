//! `move_clip`: move a clip to another track, another place in its track's order, or
//! another start. (`update_clip` takes the same fields and moves the same way.)

use serde_json::{json, Value};

use super::fields::CLIP_ID;
use super::support::{
    broken_transitions, check_fits_track, checked_index, find_clip, find_track, index_for_start,
    micros, nothing_to_update, order,
};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, ClipMoved};
use crate::model::ClipAt;
use crate::spec::{Field, Obj, ObjExt, Ty, SECONDS};

/// The fields that move a clip.
pub(super) const MOVE_FIELDS: &[Field] = &[
    Field::opt("track_id", Ty::Id, "Move to this track"),
    Field::nullable(
        "start",
        SECONDS,
        "New position on the timeline in seconds; null makes the clip follow the previous one",
    ),
    Field::opt(
        "index",
        Ty::Int {
            min: 0,
            max: 1_000_000,
        },
        "New place in the track's clip order (default: by start, or the end of another track)",
    ),
];

/// Whether `args` asks for a move.
pub(super) fn moves(args: &Obj) -> bool {
    MOVE_FIELDS.iter().any(|f| args.contains_key(f.name))
}

/// The changes that move the clip at `at` as `args` says: `TransitionRemoved` for every
/// transition whose clips stop being neighbours, then `ClipMoved`.
pub(super) fn plan_move(
    args: &Obj,
    ctx: &Ctx<'_>,
    (t0, c0): ClipAt,
) -> Result<Vec<Change>, ValidationErrors> {
    let doc = ctx.doc;
    let clip = &doc.tracks[t0].clips[c0];
    let t1 = match args.str_of("track_id") {
        Some(id) => find_track(doc, "track_id", id)?,
        None => t0,
    };
    let track = &doc.tracks[t1];
    if t1 != t0 {
        check_fits_track(track, clip.kind, clip.media.as_ref(), "track_id")?;
    }
    let start = if args.contains_key("start") {
        micros(args, "start")
    } else {
        clip.start
    };
    let room = track.clips.len() - usize::from(t1 == t0);
    let index = match (args.i64_of("index"), start) {
        (Some(i), _) => checked_index("index", i, room)?,
        (None, Some(s)) if args.contains_key("start") || t1 != t0 => {
            index_for_start(track, s, Some(&clip.id))
        }
        (None, _) if t1 != t0 => room,
        (None, _) => c0,
    };
    let mut changes;
    if t1 == t0 {
        let mut new_order = order(doc, t0);
        new_order.remove(c0);
        new_order.insert(index, &clip.id);
        changes = broken_transitions(doc, t0, &new_order);
    } else {
        let mut source = order(doc, t0);
        source.remove(c0);
        let mut target = order(doc, t1);
        target.insert(index, &clip.id);
        changes = broken_transitions(doc, t0, &source);
        changes.extend(broken_transitions(doc, t1, &target));
    }
    changes.push(Change::ClipMoved(ClipMoved {
        clip_id: clip.id.clone(),
        from_track: doc.tracks[t0].id.clone(),
        from_index: c0,
        to_track: track.id.clone(),
        to_index: index,
        start,
        previous_start: clip.start,
    }));
    Ok(changes)
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let at = find_clip(
        ctx.doc,
        "clip_id",
        args.str_of("clip_id").unwrap_or_default(),
    )?;
    if !moves(args) {
        return Err(nothing_to_update("clip's place", &["track_id", "start", "index"]).into());
    }
    plan_move(args, ctx, at)
}

fn example() -> Value {
    json!({"op": "move_clip", "clip_id": "logo", "track_id": "overlay-1", "start": 4})
}

pub(super) const DEF: OpDef = OpDef {
    name: "move_clip",
    description: "Moves a clip to another track, to another place in its track's order, or to another start",
    ai_hint: "Moving a clip removes the transitions it had with its old neighbours; give start: null to make it follow the clip before it",
    fields: &[&[CLIP_ID]],
    patch: &[MOVE_FIELDS],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
