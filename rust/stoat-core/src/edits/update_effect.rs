//! `update_effect`: change some params of an effect.

use serde_json::{json, Value};

use super::fields::EFFECT_ID;
use super::support::{find_effect, nothing_to_update};
use super::{fields_schema, read_fields, Ctx, OpDef};
use crate::effects::{self, check_on_clip, patch_params};
use crate::error::LocItem;
use crate::error::ValidationErrors;
use crate::events::{Change, EffectUpdated};
use crate::spec::{
    collect_paths, invalid_choice_error, resolve_paths, Field, Obj, ObjExt, PathKind, Ty,
};

const FIELDS: &[Field] = &[
    EFFECT_ID,
    Field::req(
        "params",
        Ty::AnyObject,
        "The params to change (the others stay); see GET /v1/effects/{type}",
    ),
    Field::opt(
        "type",
        Ty::Text { max_chars: 64 },
        "The effect's type, as a check (it cannot change)",
    ),
];

/// The kind of a path in a patch whose effect type is not given: by its key and
/// extension.
fn guess_kind(key: &str, path: &str) -> PathKind {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if key == "font_file" {
        return PathKind::Font;
    }
    [PathKind::Lut, PathKind::Subtitles, PathKind::Font]
        .into_iter()
        .find(|k| k.extensions().contains(&ext.as_str()))
        .unwrap_or(PathKind::Image)
}

fn paths(
    _: &OpDef,
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    let Some(Value::Object(params)) = raw.get("params") else {
        return;
    };
    loc.push("params".into());
    match raw
        .get("type")
        .and_then(Value::as_str)
        .and_then(effects::find)
    {
        Some(def) => collect_paths(&[def.fields], &raw["params"], loc, out),
        None => {
            for (key, value) in params {
                if let (true, Some(path)) =
                    (matches!(key.as_str(), "path" | "font_file"), value.as_str())
                {
                    let mut at = loc.clone();
                    at.push(key.as_str().into());
                    out.push((at, path.to_owned(), guess_kind(key, path)));
                }
            }
        }
    }
    loc.pop();
}

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    let (t, c, e) = find_effect(
        ctx.doc,
        "effect_id",
        args.str_of("effect_id").unwrap_or_default(),
    )?;
    let clip = &ctx.doc.tracks[t].clips[c];
    let effect = &clip.effects[e];
    let patch = args.get("params").cloned().unwrap_or(Value::Null);
    let Some(def) = effects::find(&effect.kind) else {
        return Err(nothing_to_update("effect", &[]).into());
    };
    if patch.as_object().is_some_and(serde_json::Map::is_empty) {
        let names: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
        return Err(nothing_to_update("effect", &names).at("params").into());
    }
    let mut errors = ValidationErrors::default();
    if let Some(kind) = args.str_of("type").filter(|k| *k != effect.kind) {
        errors.push(invalid_choice_error("type", kind, &[effect.kind.as_str()]).at("type"));
        return Err(errors);
    }
    let mut params = patch_params(def, &effect.params, &patch)
        .map_err(|e| errors.extend_prefixed(e, &["params".into()]))
        .unwrap_or_default();
    if errors.is_empty() {
        let mut found = ValidationErrors::default();
        resolve_paths(&[def.fields], &mut params, &ctx.res, &mut found);
        errors.extend_prefixed(found, &["params".into()]);
        errors.extend_prefixed(check_on_clip(def, &params, clip), &[]);
    }
    errors.into_result(vec![Change::EffectUpdated(EffectUpdated {
        clip_id: clip.id.clone(),
        effect_id: effect.id.clone(),
        params,
        previous: effect.params.clone(),
    })])
}

fn example() -> Value {
    json!({"op": "update_effect", "effect_id": "effect-1", "params": {"sigma": 12}})
}

pub(super) const DEF: OpDef = OpDef {
    name: "update_effect",
    description: "Changes some params of an effect; the others keep their values",
    ai_hint: "Read the effect's current params from the project state first; to change its type, remove it and add another",
    fields: &[FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths,
};
