//! `set_output`: change the project's output settings.

use serde_json::{json, Value};

use super::support::nothing_to_update;
use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, OutputSet};
use crate::model::OUTPUT_FIELDS;
use crate::spec::Obj;

fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    if args.is_empty() {
        let names: Vec<&str> = OUTPUT_FIELDS.iter().map(|f| f.name).collect();
        return Err(nothing_to_update("output", &names).into());
    }
    let previous = ctx.doc.output.clone();
    let output = previous.patched(args)?;
    Ok(vec![Change::OutputSet(OutputSet { output, previous })])
}

fn example() -> Value {
    json!({"op": "set_output", "preset": "9:16", "fps": "30", "background": "#101010"})
}

pub(super) const DEF: OpDef = OpDef {
    name: "set_output",
    description: "Changes the output settings: size (or an aspect preset), frame rate, sample rate, background colour, and loudness normalisation of the mix",
    ai_hint: "Use preset for common aspects (16:9, 9:16, 1:1, 4:5); give only what changes",
    fields: &[],
    patch: &[OUTPUT_FIELDS],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
