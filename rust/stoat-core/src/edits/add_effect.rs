//! `add_effect`: put an effect on a clip.

use serde_json::{json, Value};

use super::fields::{CLIP_ID, INDEX};
use super::support::{checked_index, find_clip, id_taken};
use super::{decorate, Ctx, OpDef};
use crate::effects::{self, check_on_clip, read_effect_with};
use crate::error::{ErrorCode, LocItem, ValidationErrors};
use crate::events::{Change, EffectApplied};
use crate::model::{Clip, Effect};
use crate::spec::{collect_paths, Field, Obj, ObjExt, PathKind};

const FIELDS: &[Field] = &[CLIP_ID, INDEX];

/// An effect from its normalised object (`type`, `effect_id`?, `params`): its id (given
/// and unused, or generated past `taken`), its paths resolved, and its params checked
/// against `clip`. Errors are relative to the effect object.
pub(super) fn build_effect(
    object: &Obj,
    ctx: &Ctx<'_>,
    taken: &[String],
    clip: &Clip,
) -> Result<Effect, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = object.str_of("type").unwrap_or_default();
    let id = match object.str_of("effect_id") {
        Some(id) => {
            if let Some(e) = id_taken(ctx.doc, taken, "effect_id", id, ErrorCode::EffectIdTaken) {
                errors.push(e);
            }
            id.to_owned()
        }
        None => ctx.ids.generate(ctx.doc, "effect", taken),
    };
    let mut object = object.clone();
    effects::resolve_effect_paths(&mut object, &ctx.res, &mut errors);
    let params = match object.remove("params") {
        Some(Value::Object(params)) => params,
        _ => Obj::new(),
    };
    if let Some(def) = effects::find(kind) {
        errors.extend_prefixed(check_on_clip(def, &params, clip), &[]);
    }
    errors.into_result(Effect {
        id,
        kind: kind.to_owned(),
        params,
    })
}

fn read(_: &OpDef, value: &Value) -> Result<Obj, ValidationErrors> {
    read_effect_with(value, FIELDS, &["op"])
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let at = find_clip(
        ctx.doc,
        "clip_id",
        args.str_of("clip_id").unwrap_or_default(),
    )?;
    let clip = &ctx.doc.tracks[at.0].clips[at.1];
    let mut errors = ValidationErrors::default();
    let len = clip.effects.len();
    let index = match args.i64_of("index") {
        Some(i) => checked_index("index", i, len)
            .map_err(|e| errors.push(e))
            .ok(),
        None => Some(len),
    };
    let effect = build_effect(args, ctx, &[], clip).map_err(|e| errors.extend_prefixed(e, &[]));
    match (effect, index) {
        (Ok(effect), Some(index)) if errors.is_empty() => {
            Ok(vec![Change::EffectApplied(EffectApplied {
                clip_id: clip.id.clone(),
                effect,
                index,
            })])
        }
        _ => Err(errors),
    }
}

fn schema(def: &OpDef) -> Value {
    let variants = effects::effect_variants(FIELDS, &[("op", json!({"const": def.name}))]);
    let mut s = json!({"type": "object", "required": ["op", "clip_id", "type"], "oneOf": variants});
    decorate(def, &mut s);
    s
}

fn paths(
    _: &OpDef,
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    effects::collect_effect_paths(raw, loc, out);
    collect_paths(&[FIELDS], raw, loc, out);
}

fn example() -> Value {
    json!({"op": "add_effect", "clip_id": "clip-1", "type": "text",
        "params": {"text": "Hello", "start": 0.5, "duration": 2, "style": {"position": "bottom_center"}}})
}

pub(super) const DEF: OpDef = OpDef {
    name: "add_effect",
    description: "Puts an effect on a clip (text overlay, fade, colour, blur, sharpen, grayscale, LUT, chroma key, image overlay or watermark, subtitles, volume, audio fade, loudness); effects apply in list order",
    ai_hint: "GET /v1/effects lists every type with its parameters and an example; times in params count from the clip's start",
    fields: &[FIELDS],
    patch: &[],
    example,
    decide,
    read,
    schema,
    paths,
};
