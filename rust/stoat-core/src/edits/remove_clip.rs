//! `remove_clip`: take a clip off the timeline.

use serde::{Deserialize, Serialize};

use crate::edits::Edit;
use crate::error::ValidationErrors;
use crate::events::{ClipRemoved, Event};
use crate::json::ObjectReader;
use crate::model::Timeline;
use crate::rules::find_clip;

/// `{"op": "remove_clip", "clip_id": str}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveClip {
    /// The clip to remove.
    pub clip_id: String,
}

pub(super) fn read(mut r: ObjectReader<'_>) -> Result<Edit, ValidationErrors> {
    let Some(clip_id) = r.required_str("clip_id") else {
        return Err(r.into_errors());
    };
    r.finish()?;
    Ok(Edit::RemoveClip(RemoveClip {
        clip_id: clip_id.to_owned(),
    }))
}

impl RemoveClip {
    pub(super) fn decide(&self, timeline: &Timeline) -> Result<Vec<Event>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let Some(index) = find_clip(timeline, &self.clip_id, &mut errors) else {
            return Err(errors);
        };
        Ok(vec![Event::ClipRemoved(ClipRemoved {
            clip: timeline.clips[index].clone(),
            index,
        })])
    }
}
