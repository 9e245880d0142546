//! `remove_transition`: remove the transition between two clips.

use serde_json::{json, Value};

use super::set_transition::{adjacent_pair, PAIR};
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{Change, TransitionRemoved};
use crate::spec::Obj;

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let (from, to) = adjacent_pair(ctx.doc, args)?;
    let from_clip = &ctx.doc.tracks[from.0].clips[from.1];
    let to_clip = &ctx.doc.tracks[to.0].clips[to.1];
    let Some(transition) = &to_clip.transition_in else {
        return Err(ValidationError::new(
            ErrorCode::TransitionNotFound,
            format!(
                "there is no transition from {:?} to {:?}",
                from_clip.id, to_clip.id
            ),
        )
        .at("to_clip_id")
        .hint("nothing to remove; set_transition adds one")
        .ctx("from_clip_id", from_clip.id.as_str())
        .ctx("to_clip_id", to_clip.id.as_str())
        .into());
    };
    Ok(vec![Change::TransitionRemoved(TransitionRemoved {
        from_clip_id: from_clip.id.clone(),
        to_clip_id: to_clip.id.clone(),
        transition: transition.clone(),
    })])
}

fn example() -> Value {
    json!({"op": "remove_transition", "from_clip_id": "clip-1", "to_clip_id": "clip-2"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "remove_transition",
    description: "Removes the transition between two adjacent clips; the second clip then starts where the first ends",
    ai_hint: "The track gets longer by the transition's duration",
    fields: &[PAIR],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
