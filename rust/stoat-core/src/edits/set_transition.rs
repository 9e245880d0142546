//! `set_transition`: a transition between two adjacent clips on a track, with its paired
//! audio crossfade.

use serde_json::{json, Value};

use super::support::find_clip;
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{Change, TransitionSet};
use crate::model::{ClipAt, Doc, Transition};
use crate::spec::{invalid_choice_error, Field, Obj, ObjExt, Ty};
use crate::transitions::{allowed, TRANSITION_FIELDS};

pub(super) const PAIR: &[Field] = &[
    Field::req("from_clip_id", Ty::Id, "The first clip"),
    Field::req(
        "to_clip_id",
        Ty::Id,
        "The clip right after it on the same track",
    ),
];

/// Where the two clips of a transition are, when both exist and `to` follows `from` on
/// one track; located errors otherwise.
pub(super) fn adjacent_pair(doc: &Doc, args: &Obj) -> Result<(ClipAt, ClipAt), ValidationErrors> {
    let from_id = args.str_of("from_clip_id").unwrap_or_default();
    let to_id = args.str_of("to_clip_id").unwrap_or_default();
    let from = find_clip(doc, "from_clip_id", from_id);
    let to = find_clip(doc, "to_clip_id", to_id);
    let (from, to) = match (from, to) {
        (Ok(from), Ok(to)) => (from, to),
        (from, to) => {
            let errors: Vec<ValidationError> =
                [from.err(), to.err()].into_iter().flatten().collect();
            return Err(errors.into());
        }
    };
    if from.0 != to.0 || from.1 + 1 != to.1 {
        let track = &doc.tracks[from.0];
        let next = track.clips.get(from.1 + 1).map(|c| c.id.as_str());
        let hint = match next {
            Some(next) => format!("the clip after {from_id:?} on its track is {next:?}"),
            None => format!("{from_id:?} is the last clip on its track"),
        };
        return Err(ValidationError::new(
            ErrorCode::ClipsNotAdjacent,
            format!("{to_id:?} does not follow {from_id:?} on one track"),
        )
        .at("to_clip_id")
        .hint(hint)
        .ctx("from_clip_id", from_id)
        .ctx("to_clip_id", to_id)
        .ctx("next_clip_id", next)
        .into());
    }
    Ok((from, to))
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = args.str_of("name").unwrap_or("fade");
    let names = allowed(ctx.res.env.transitions.as_deref());
    if !names.contains(&name) {
        errors.push(invalid_choice_error("name", name, &names).at("name"));
    }
    let pair = adjacent_pair(ctx.doc, args).map_err(|e| errors.extend_prefixed(e, &[]));
    let Ok((from, to)) = pair else {
        return Err(errors);
    };
    let to_clip = &ctx.doc.tracks[to.0].clips[to.1];
    if to_clip.start.is_some() {
        errors.push(
            ValidationError::new(
                ErrorCode::StartWithTransition,
                format!("{:?} has an absolute start, so it cannot overlap the clip before it", to_clip.id),
            )
            .at("to_clip_id")
            .hint(format!(
                "make it follow the clip before first: {{\"op\": \"update_clip\", \"clip_id\": {:?}, \"start\": null}}",
                to_clip.id
            ))
            .ctx("clip_id", to_clip.id.as_str()),
        );
    }
    let transition = Transition {
        name: name.to_owned(),
        duration: args.i64_of("duration").unwrap_or(0),
        audio_curve: args.str_of("audio_curve").unwrap_or("tri").to_owned(),
    };
    errors.into_result(vec![Change::TransitionSet(TransitionSet {
        from_clip_id: ctx.doc.tracks[from.0].clips[from.1].id.clone(),
        to_clip_id: to_clip.id.clone(),
        transition,
        previous: to_clip.transition_in.clone(),
    })])
}

fn example() -> Value {
    json!({"op": "set_transition", "from_clip_id": "clip-1", "to_clip_id": "clip-2", "name": "wipeleft", "duration": 0.75})
}

pub(super) const DEF: OpDef = OpDef {
    name: "set_transition",
    description: "Sets (or replaces) the transition between two adjacent clips on a track: an FFmpeg xfade for the picture and an acrossfade for the sound, both over duration seconds; the second clip starts that much earlier",
    ai_hint: "GET /v1/transitions lists the names; the duration must fit in both clips (each clip covers its transitions in and out)",
    fields: &[PAIR, TRANSITION_FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
