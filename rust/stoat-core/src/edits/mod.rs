//! Edits: the imperative commands of a batch, one operation per file.
//!
//! Each operation's file holds its payload type, its reader from caller JSON and its
//! decision rule, so one definition serves all three. The table [`OPS`] registers them.

mod add_clip;
mod remove_clip;
mod update_clip;

pub use add_clip::AddClip;
pub use remove_clip::RemoveClip;
pub use update_clip::UpdateClip;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::Event;
use crate::json::{wrong_type, ObjectReader};
use crate::model::{MediaMap, Timeline};

/// One edit of a batch, tagged on `"op"` as callers write it.
///
/// ```
/// use stoat_core::Edit;
/// let edit = Edit::from_json(&serde_json::json!(
///     {"op": "remove_clip", "clip_id": "clip-1"}
/// )).unwrap();
/// assert_eq!(edit.op(), "remove_clip");
/// let bad = Edit::from_json(&serde_json::json!({"op": "explode"})).unwrap_err();
/// assert_eq!(bad.codes(), vec!["unknown_op"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Edit {
    /// Insert a clip.
    AddClip(AddClip),
    /// Change a clip's in and/or out point.
    UpdateClip(UpdateClip),
    /// Remove a clip.
    RemoveClip(RemoveClip),
}

type Reader = fn(ObjectReader<'_>) -> Result<Edit, ValidationErrors>;

/// The operations, by `op` name.
const OPS: &[(&str, Reader)] = &[
    ("add_clip", add_clip::read),
    ("update_clip", update_clip::read),
    ("remove_clip", remove_clip::read),
];

/// The `op` names of every edit.
pub fn edit_ops() -> Vec<&'static str> {
    OPS.iter().map(|(op, _)| *op).collect()
}

impl Edit {
    /// Reads an edit from caller JSON, reporting every structural problem with its
    /// location relative to the edit (`("out",)`, `("op",)`, or `()` for the edit itself).
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let mut reader = ObjectReader::new(value, "edit")?;
        let op = match value.get("op") {
            None => {
                return Err(
                    ValidationError::new(ErrorCode::MissingField, "op is required")
                        .at("op")
                        .hint(format!("set op to one of: {}", edit_ops().join(", ")))
                        .ctx("expected", edit_ops())
                        .into(),
                )
            }
            Some(Value::String(op)) => op,
            Some(other) => return Err(wrong_type("op", "string", other).at("op").into()),
        };
        let Some((_, read)) = OPS.iter().find(|(name, _)| name == op) else {
            return Err(ValidationError::new(
                ErrorCode::UnknownOp,
                format!("{op:?} is not an edit operation"),
            )
            .at("op")
            .hint(format!("use one of: {}", edit_ops().join(", ")))
            .ctx("op", op.as_str())
            .ctx("expected", edit_ops())
            .into());
        };
        reader.skip("op");
        read(reader)
    }

    /// The edit's `op` name.
    pub const fn op(&self) -> &'static str {
        match self {
            Self::AddClip(_) => "add_clip",
            Self::UpdateClip(_) => "update_clip",
            Self::RemoveClip(_) => "remove_clip",
        }
    }

    /// Decides the events of this one edit against `timeline`; error locations are
    /// relative to the edit.
    pub(crate) fn decide(
        &self,
        timeline: &Timeline,
        media: &MediaMap,
    ) -> Result<Vec<Event>, ValidationErrors> {
        match self {
            Self::AddClip(edit) => edit.decide(timeline, media),
            Self::UpdateClip(edit) => edit.decide(timeline),
            Self::RemoveClip(edit) => edit.decide(timeline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_and_serde_tags_agree() {
        let samples = [
            json!({"op": "add_clip", "source": "/a", "in": 0, "out": 1}),
            json!({"op": "update_clip", "clip_id": "a", "in": 0}),
            json!({"op": "remove_clip", "clip_id": "a"}),
        ];
        assert_eq!(samples.len(), OPS.len());
        for (sample, (op, _)) in samples.iter().zip(OPS) {
            let edit = Edit::from_json(sample).unwrap();
            assert_eq!(edit.op(), *op);
            assert_eq!(serde_json::to_value(&edit).unwrap(), *sample);
            assert_eq!(
                serde_json::from_value::<Edit>(sample.clone()).unwrap(),
                edit
            );
        }
    }

    #[test]
    fn structural_errors_are_located() {
        let e = Edit::from_json(&json!({"clip_id": "a"})).unwrap_err();
        assert_eq!(e.codes(), ["missing_field"]);
        assert_eq!(e.errors()[0].loc, ["op".into()]);
        let e = Edit::from_json(&json!({"op": 3})).unwrap_err();
        assert_eq!(e.codes(), ["wrong_type"]);
        let e = Edit::from_json(&json!("add_clip")).unwrap_err();
        assert_eq!(e.codes(), ["wrong_type"]);
        assert!(e.errors()[0].loc.is_empty());
        let e = Edit::from_json(&json!({"op": "remove_clip", "clip_id": "a", "x": 1})).unwrap_err();
        assert_eq!(e.codes(), ["unknown_field"]);
        assert_eq!(e.errors()[0].loc, ["x".into()]);
    }
}
