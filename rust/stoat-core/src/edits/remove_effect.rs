//! `remove_effect`: take an effect off its clip.

use serde_json::{json, Value};

use super::fields::EFFECT_ID;
use super::support::find_effect;
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, EffectRemoved};
use crate::spec::{Obj, ObjExt};

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let (t, c, e) = find_effect(
        ctx.doc,
        "effect_id",
        args.str_of("effect_id").unwrap_or_default(),
    )?;
    let clip = &ctx.doc.tracks[t].clips[c];
    Ok(vec![Change::EffectRemoved(EffectRemoved {
        clip_id: clip.id.clone(),
        effect: clip.effects[e].clone(),
        index: e,
    })])
}

fn example() -> Value {
    json!({"op": "remove_effect", "effect_id": "effect-3"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "remove_effect",
    description: "Removes an effect from its clip",
    ai_hint: "Effect ids are unique across the project, so the clip need not be named",
    fields: &[&[EFFECT_ID]],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
