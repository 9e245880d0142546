//! Screen layouts: picture-in-picture and split-screen grids. One layout at a time sits on
//! the project; it names tracks or clips (by id) and where in the frame they go.

use serde_json::{json, Value};

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::json::wrong_type;
use crate::spec::{
    invalid_choice_error, num, object_schema, read_object, Def, Field, Mode, Obj, Ty,
};

/// The picture-in-picture corners.
pub const CORNERS: &[&str] = &["top_left", "top_right", "bottom_left", "bottom_right"];

const PIP_FIELDS: &[Field] = &[
    Field::req(
        "track_id",
        Ty::Id,
        "The video or overlay track shown small in a corner (the tracks below fill the frame)",
    ),
    Field::def(
        "corner",
        Ty::Enum(CORNERS),
        Def::Str("bottom_right"),
        "Which corner",
    ),
    Field::def(
        "size",
        num(0.05, 1.0),
        Def::Num(0.3),
        "The inset's width as a fraction of the frame's width",
    ),
    Field::def(
        "margin",
        num(0.0, 0.5),
        Def::Num(0.03),
        "Distance from the frame's edges as a fraction of its width",
    ),
];

macro_rules! grid_fields {
    ($max:literal) => {
        &[
            Field::req(
                "regions",
                Ty::List { item: &Ty::Id, min: 1, max: $max },
                "Track or clip ids, one per region in reading order (left to right, top to bottom); each fills its region with its own fit mode",
            ),
            Field::def("gap", Ty::Int { min: 0, max: 200 }, Def::Int(0), "Pixels between regions, in the background colour"),
        ]
    };
}

/// One layout type.
struct LayoutDef {
    name: &'static str,
    description: &'static str,
    ai_hint: &'static str,
    fields: &'static [Field],
    /// Columns and rows of a grid (`(0, 0)` for picture-in-picture).
    grid: (u32, u32),
    example: fn() -> Value,
}

fn pip_example() -> Value {
    json!({"type": "pip", "track_id": "overlay-1", "corner": "top_right", "size": 0.3, "margin": 0.03})
}

fn two_example() -> Value {
    json!({"type": "side_by_side", "regions": ["video-1", "video-2"]})
}

fn stacked_example() -> Value {
    json!({"type": "top_bottom", "regions": ["video-1", "video-2"], "gap": 8})
}

fn four_example() -> Value {
    json!({"type": "grid_2x2", "regions": ["video-1", "video-2", "video-3", "video-4"]})
}

fn nine_example() -> Value {
    json!({"type": "grid_3x3", "regions": ["clip-1", "clip-2", "clip-3"]})
}

const LAYOUTS: &[LayoutDef] = &[
    LayoutDef {
        name: "pip",
        description: "Picture-in-picture: one track shown small in a corner over full-frame tracks",
        ai_hint: "Name the overlay track; put the main video on a lower track",
        fields: PIP_FIELDS,
        grid: (0, 0),
        example: pip_example,
    },
    LayoutDef {
        name: "side_by_side",
        description: "Split screen: two regions, left and right",
        ai_hint: "Use cover fit on the clips to fill each half",
        fields: grid_fields!(2),
        grid: (2, 1),
        example: two_example,
    },
    LayoutDef {
        name: "top_bottom",
        description: "Split screen: two regions, top and bottom",
        ai_hint: "Suits vertical 9:16 output: reaction on top, content below",
        fields: grid_fields!(2),
        grid: (1, 2),
        example: stacked_example,
    },
    LayoutDef {
        name: "grid_2x2",
        description: "Four regions in a 2x2 grid",
        ai_hint: "Regions left empty show the background colour",
        fields: grid_fields!(4),
        grid: (2, 2),
        example: four_example,
    },
    LayoutDef {
        name: "grid_3x3",
        description: "Nine regions in a 3x3 grid",
        ai_hint: "Regions left empty show the background colour",
        fields: grid_fields!(9),
        grid: (3, 3),
        example: nine_example,
    },
];

/// The layout type names.
pub fn layout_types() -> Vec<&'static str> {
    LAYOUTS.iter().map(|l| l.name).collect()
}

/// Reads `{"type", ...}` into a normalised layout (errors relative to it).
pub(crate) fn read_layout(value: &Value) -> Result<Obj, ValidationErrors> {
    let Value::Object(object) = value else {
        return Err(wrong_type("layout", "object", value).into());
    };
    let def = match object.get("type") {
        Some(Value::String(name)) => LAYOUTS
            .iter()
            .find(|l| l.name == name)
            .ok_or_else(|| invalid_choice_error("type", name, &layout_types()).at("type"))?,
        None | Some(Value::Null) => {
            return Err(
                ValidationError::new(ErrorCode::MissingField, "type is required")
                    .at("type")
                    .hint(format!("set type to one of: {}", layout_types().join(", ")))
                    .into(),
            )
        }
        Some(other) => return Err(wrong_type("type", "string", other).at("type").into()),
    };
    let mut out = read_object(&[def.fields], value, Mode::Full, &["type"])?;
    out.insert("type".into(), Value::from(def.name));
    Ok(out)
}

/// The ids a layout refers to, with the key they are under (`track_id` or `regions`).
pub(crate) fn referenced_ids(layout: &Obj) -> Vec<(&str, &str)> {
    let mut ids = Vec::new();
    if let Some(id) = layout.get("track_id").and_then(Value::as_str) {
        ids.push(("track_id", id));
    }
    if let Some(Value::Array(regions)) = layout.get("regions") {
        ids.extend(
            regions
                .iter()
                .filter_map(Value::as_str)
                .map(|id| ("regions", id)),
        );
    }
    ids
}

/// A stored layout in wire units (layouts hold no times, so it is unchanged).
pub(crate) fn layout_to_wire(layout: &Obj) -> Value {
    Value::Object(layout.clone())
}

/// Every layout type as plain data: `{type, description, ai_hint, grid: {columns, rows}
/// | null, parameters (JSON Schema), example (a set_layout edit)}`.
pub fn layouts_catalog() -> Vec<Value> {
    LAYOUTS
        .iter()
        .map(|def| {
            json!({
                "type": def.name,
                "description": def.description,
                "ai_hint": def.ai_hint,
                "grid": (def.grid.0 > 0).then(|| json!({"columns": def.grid.0, "rows": def.grid.1})),
                "parameters": variant_schema(def),
                "example": {"op": "set_layout", "layout": (def.example)()},
            })
        })
        .collect()
}

fn variant_schema(def: &LayoutDef) -> Value {
    let mut s = object_schema(
        &[def.fields],
        &[("type", json!({"const": def.name}))],
        false,
    );
    s["title"] = Value::from(def.name);
    s["description"] = Value::from(def.description);
    s
}

/// The `$defs/screen_layout` schema of the edit schema.
pub(crate) fn layout_union_schema() -> Value {
    json!({"oneOf": LAYOUTS.iter().map(variant_schema).collect::<Vec<_>>()})
}

/// The grid size of a layout type, `(columns, rows)`, for the renderer.
pub fn grid_of(layout_type: &str) -> Option<(u32, u32)> {
    LAYOUTS
        .iter()
        .find(|l| l.name == layout_type && l.grid.0 > 0)
        .map(|l| l.grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_read_and_limits_apply() {
        for def in LAYOUTS {
            let layout = read_layout(&(def.example)()).unwrap();
            assert_eq!(layout["type"], def.name);
        }
        let e =
            read_layout(&json!({"type": "side_by_side", "regions": ["a", "b", "c"]})).unwrap_err();
        assert_eq!(e.codes(), ["list_too_long"]);
        assert_eq!(e.errors()[0].loc, ["regions".into()]);
        let e = read_layout(&json!({"type": "mosaic"})).unwrap_err();
        assert_eq!(e.codes(), ["invalid_choice"]);
    }
}
