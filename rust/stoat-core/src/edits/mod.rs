//! Edits: the imperative commands of a batch, one operation per file.
//!
//! Each operation's file holds its field specs (which drive the reader, the JSON Schema
//! and path discovery), its description, `ai_hint` and example, and its decision rule.
//! The table [`OPS`] registers them.

mod add_clip;
mod add_effect;
mod add_track;
mod move_clip;
mod remove_clip;
mod remove_effect;
mod remove_track;
mod remove_transition;
mod set_keyframes;
mod set_layout;
mod set_output;
mod set_transition;
mod support;
mod update_clip;
mod update_effect;
mod update_track;

use serde_json::{json, Value};

use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::events::Change;
use crate::json::wrong_type;
use crate::model::{Doc, IdCounters};
use crate::spec::{
    collect_paths, object_schema_modes, read_object_modes, Field, Mode, Obj, PathKind, Resources,
};

/// What an edit is decided against: the document as the edits before it left it, the id
/// counters, and the files Python checked.
pub(crate) struct Ctx<'a> {
    pub doc: &'a Doc,
    pub ids: &'a IdCounters,
    pub res: Resources<'a>,
}

type Decide = fn(&Obj, &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors>;
type Read = fn(&OpDef, &Value) -> Result<Obj, ValidationErrors>;
type Schema = fn(&OpDef) -> Value;
type Paths = fn(&OpDef, &Value, &mut Vec<LocItem>, &mut Vec<(Vec<LocItem>, String, PathKind)>);

/// One operation's definition.
pub(crate) struct OpDef {
    /// The `op` name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// One line on when and how to use it, for agents.
    pub ai_hint: &'static str,
    /// Fields read whole: required ones enforced, defaults filled in.
    pub fields: &'static [&'static [Field]],
    /// Fields read as a patch: all optional, no defaults.
    pub patch: &'static [&'static [Field]],
    /// An example edit.
    pub example: fn() -> Value,
    /// The decision rule.
    pub decide: Decide,
    /// The reader (most ops use [`read_fields`]).
    pub read: Read,
    /// The schema (most ops use [`fields_schema`]).
    pub schema: Schema,
    /// Path discovery (most ops use [`fields_paths`]).
    pub paths: Paths,
}

/// Reads `fields` whole and `patch` partially, with `op` allowed.
pub(crate) fn read_fields(def: &OpDef, value: &Value) -> Result<Obj, ValidationErrors> {
    read_object_modes(&groups(def, Mode::Full, Mode::Partial), value, &["op"])
}

/// The op's field groups, `fields` with `whole` and `patch` with `partial`.
pub(crate) fn groups<M: Copy>(def: &OpDef, whole: M, partial: M) -> Vec<(&'static [Field], M)> {
    def.fields
        .iter()
        .map(|g| (*g, whole))
        .chain(def.patch.iter().map(|g| (*g, partial)))
        .collect()
}

/// The schema of `fields` and `patch` with `op` as a constant.
pub(crate) fn fields_schema(def: &OpDef) -> Value {
    let mut s = object_schema_modes(
        &groups(def, false, true),
        &[("op", json!({"const": def.name}))],
    );
    decorate(def, &mut s);
    s
}

/// Title, description, `ai_hint` and example on an op's schema.
pub(crate) fn decorate(def: &OpDef, schema: &mut Value) {
    schema["title"] = Value::from(def.name);
    schema["description"] = Value::from(def.description);
    schema["ai_hint"] = Value::from(def.ai_hint);
    schema["examples"] = json!([(def.example)()]);
}

/// The paths in `fields` and `patch`.
pub(crate) fn fields_paths(
    def: &OpDef,
    raw: &Value,
    loc: &mut Vec<LocItem>,
    out: &mut Vec<(Vec<LocItem>, String, PathKind)>,
) {
    let all: Vec<&[Field]> = def.fields.iter().chain(def.patch).copied().collect();
    collect_paths(&all, raw, loc, out);
}

/// The operations, in the order the schema lists them.
pub(crate) const OPS: &[&OpDef] = &[
    &set_output::DEF,
    &add_track::DEF,
    &update_track::DEF,
    &remove_track::DEF,
    &add_clip::DEF,
    &update_clip::DEF,
    &remove_clip::DEF,
    &move_clip::DEF,
    &add_effect::DEF,
    &update_effect::DEF,
    &remove_effect::DEF,
    &set_transition::DEF,
    &remove_transition::DEF,
    &set_keyframes::DEF,
    &set_layout::DEF,
];

/// The `op` names of every edit.
pub fn edit_ops() -> Vec<&'static str> {
    OPS.iter().map(|d| d.name).collect()
}

/// One edit of a batch, read and normalised (times in microseconds, colours canonical,
/// defaults filled in), not yet checked against a project.
///
/// ```
/// use stoat_core::Edit;
/// let edit = Edit::from_json(&serde_json::json!(
///     {"op": "update_clip", "clip_id": "clip-1", "out": 2.5}
/// )).unwrap();
/// assert_eq!(edit.op(), "update_clip");
/// assert_eq!(edit.args()["out"], 2_500_000);
/// let bad = Edit::from_json(&serde_json::json!({"op": "explode"})).unwrap_err();
/// assert_eq!(bad.codes(), vec!["unknown_op"]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    def: &'static OpDef,
    args: Obj,
}

impl PartialEq for OpDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for OpDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The op definition named by a raw edit's `op`, or the located error.
fn op_of(value: &Value) -> Result<&'static OpDef, ValidationErrors> {
    let Value::Object(object) = value else {
        return Err(wrong_type("edit", "object", value).into());
    };
    match object.get("op") {
        None => Err(
            ValidationError::new(ErrorCode::MissingField, "op is required")
                .at("op")
                .hint(format!("set op to one of: {}", edit_ops().join(", ")))
                .ctx("expected", edit_ops())
                .into(),
        ),
        Some(Value::String(op)) => OPS.iter().copied().find(|d| d.name == op).ok_or_else(|| {
            ValidationError::new(
                ErrorCode::UnknownOp,
                format!("{op:?} is not an edit operation"),
            )
            .at("op")
            .hint(format!("use one of: {}", edit_ops().join(", ")))
            .ctx("op", op.as_str())
            .ctx("expected", edit_ops())
            .into()
        }),
        Some(other) => Err(wrong_type("op", "string", other).at("op").into()),
    }
}

impl Edit {
    /// Reads an edit from caller JSON, reporting every structural problem with its
    /// location relative to the edit (`("out",)`, `("op",)`, or `()` for the edit itself).
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let def = op_of(value)?;
        let args = (def.read)(def, value)?;
        Ok(Self { def, args })
    }

    /// The edit's `op` name.
    pub fn op(&self) -> &'static str {
        self.def.name
    }

    /// The normalised fields (without `op`).
    pub fn args(&self) -> &Obj {
        &self.args
    }

    /// Decides the changes of this one edit; error locations are relative to the edit.
    pub(crate) fn decide(&self, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
        (self.def.decide)(&self.args, ctx)
    }

    /// Where to put a problem that the invariants found after this edit: the first
    /// field it gave of those that move or resize things.
    pub(crate) fn blame(&self) -> Vec<LocItem> {
        const ORDER: &[&str] = &[
            "start",
            "out",
            "in",
            "duration",
            "speed",
            "freeze",
            "role",
            "ducking",
            "layout",
            "fps",
            "preset",
            "index",
            "track_id",
            "to_clip_id",
            "params",
        ];
        ORDER
            .iter()
            .find(|k| self.args.contains_key(**k))
            .map(|k| vec![LocItem::from(*k)])
            .unwrap_or_default()
    }
}

/// `(loc, path, kind)` for every path in `edits` (raw caller JSON), located as
/// `("edits", i, ...)`: what Python must check (and probe, for media and image files)
/// before `decide`. Edits that do not read are searched as far as their `op` allows.
///
/// ```
/// use serde_json::json;
/// use stoat_core::{referenced_paths, LocItem};
/// let edits = [json!({"op": "add_clip", "source": "/m/a.mp4"}),
///              json!({"op": "add_effect", "clip_id": "c", "type": "lut",
///                     "params": {"path": "/m/look.cube"}})];
/// let paths = referenced_paths(&edits);
/// assert_eq!(paths[0].1, "/m/a.mp4");
/// assert_eq!(paths[0].2, "media");
/// assert_eq!(paths[1].0, vec![LocItem::from("edits"), LocItem::from(1),
///     LocItem::from("params"), LocItem::from("path")]);
/// ```
pub fn referenced_paths(edits: &[Value]) -> Vec<(Vec<LocItem>, String, &'static str)> {
    let mut out = Vec::new();
    for (i, raw) in edits.iter().enumerate() {
        let Ok(def) = op_of(raw) else { continue };
        let mut loc = vec![LocItem::from("edits"), LocItem::from(i)];
        (def.paths)(def, raw, &mut loc, &mut out);
    }
    out.into_iter()
        .map(|(loc, path, kind)| (loc, path, kind.as_str()))
        .collect()
}

/// The JSON Schema (draft 2020-12) of one edit: `oneOf` the ops, discriminated by `op`.
/// `transitions` lists the transition names to allow (FFmpeg 5.1's when `None`).
pub fn edit_schema(transitions: Option<&[String]>) -> Value {
    let mut ops: Vec<Value> = OPS.iter().map(|d| (d.schema)(d)).collect();
    let names = crate::transitions::allowed(transitions);
    for op in &mut ops {
        if op["title"] == "set_transition" {
            op["properties"]["name"]["enum"] = json!(names);
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stoat.dev/schemas/edit.json",
        "title": "Edit",
        "description": "One edit of a batch (POST /v1/projects/{id}/edits). Times are seconds; ids are opaque strings; a batch applies all of its edits or none.",
        "type": "object",
        "required": ["op"],
        "properties": {"op": {"enum": edit_ops()}},
        "discriminator": {"propertyName": "op"},
        "oneOf": ops,
        "$defs": {
            "color": crate::spec::color_schema(),
            "effect": crate::effects::effect_union_schema(),
            "screen_layout": crate::layouts::layout_union_schema(),
        },
    })
}

/// The example edit of every op (for tests and docs).
pub fn example_edits() -> Vec<Value> {
    OPS.iter().map(|d| (d.example)()).collect()
}

/// Fields several ops share.
pub(crate) mod fields {
    use crate::spec::{Field, Ty};

    pub(crate) const CLIP_ID: Field = Field::req("clip_id", Ty::Id, "The clip's id");
    pub(crate) const TRACK_ID: Field = Field::req("track_id", Ty::Id, "The track's id");
    pub(crate) const EFFECT_ID: Field = Field::req("effect_id", Ty::Id, "The effect's id");
    pub(crate) const INDEX: Field = Field::opt(
        "index",
        Ty::Int {
            min: 0,
            max: 1_000_000,
        },
        "Position in the list, from 0 (default: the end)",
    );
}
