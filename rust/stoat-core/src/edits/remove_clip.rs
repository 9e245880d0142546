//! `remove_clip`: take a clip off its track, with its effects and keyframes.

use serde_json::{json, Value};

use super::fields::CLIP_ID;
use super::support::{broken_transitions, find_clip, order};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, ClipRemoved};
use crate::spec::{Obj, ObjExt};

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let (t, c) = find_clip(
        ctx.doc,
        "clip_id",
        args.str_of("clip_id").unwrap_or_default(),
    )?;
    let track = &ctx.doc.tracks[t];
    let mut new_order = order(ctx.doc, t);
    new_order.remove(c);
    // Its own transition and the next clip's both go first, so that the removed clip
    // carries none and undo restores them in order.
    let mut changes = broken_transitions(ctx.doc, t, &new_order);
    let mut clip = track.clips[c].as_ref().clone();
    clip.transition_in = None;
    changes.push(Change::ClipRemoved(ClipRemoved {
        track_id: track.id.clone(),
        clip,
        index: c,
    }));
    Ok(changes)
}

fn example() -> Value {
    json!({"op": "remove_clip", "clip_id": "clip-2"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "remove_clip",
    description: "Removes a clip with its effects and keyframes, and the transitions into and out of it; clips after it that follow the one before move up",
    ai_hint: "To keep a gap instead, give the next clip an absolute start first",
    fields: &[&[CLIP_ID]],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
