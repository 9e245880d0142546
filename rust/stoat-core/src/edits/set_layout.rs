//! `set_layout`: picture-in-picture or a split-screen grid (null clears it).

use serde_json::{json, Value};

use super::{fields_paths, fields_schema, read_fields, Ctx, OpDef};
use crate::error::ValidationErrors;
use crate::events::{Change, LayoutSet};
use crate::spec::{Field, Obj, Ty};

const FIELDS: &[Field] = &[Field::req_nullable(
    "layout",
    Ty::ScreenLayout,
    "The layout (GET /v1/layouts), or null for none",
)];

#[allow(clippy::unnecessary_wraps)] // the signature every op shares
fn decide(args: &Obj, ctx: &Ctx<'_>) -> Result<Vec<Change>, ValidationErrors> {
    // The ids it names are checked with the other invariants once it is applied.
    Ok(vec![Change::LayoutSet(LayoutSet {
        layout: args.get("layout").and_then(Value::as_object).cloned(),
        previous: ctx.doc.layout.clone(),
    })])
}

fn example() -> Value {
    json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "overlay-1", "corner": "bottom_right", "size": 0.3}})
}

pub(super) const DEF: OpDef = OpDef {
    name: "set_layout",
    description: "Sets the screen layout: picture-in-picture (a track small in a corner) or a split screen (side_by_side, top_bottom, grid_2x2, grid_3x3) whose regions show tracks or clips",
    ai_hint: "GET /v1/layouts lists the types; the layout names track or clip ids, which must show pictures",
    fields: &[FIELDS],
    patch: &[],
    example,
    decide,
    read: read_fields,
    schema: fields_schema,
    paths: fields_paths,
};
