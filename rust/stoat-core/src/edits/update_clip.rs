//! `update_clip`: move a clip's in and/or out point (a trim).

use serde::{Deserialize, Serialize};

use crate::edits::Edit;
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{ClipTrimmed, Event};
use crate::json::ObjectReader;
use crate::model::Timeline;
use crate::rules::{check_span, check_timeline_growth, find_clip, Given};
use crate::time::Micros;

/// `{"op": "update_clip", "clip_id": str, "in"?: int, "out"?: int}`; at least one of `in`
/// and `out`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateClip {
    /// The clip to change.
    pub clip_id: String,
    /// The new in point, or `None` to keep it.
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub in_point: Option<Micros>,
    /// The new out point, or `None` to keep it.
    #[serde(rename = "out", default, skip_serializing_if = "Option::is_none")]
    pub out_point: Option<Micros>,
}

pub(super) fn read(mut r: ObjectReader<'_>) -> Result<Edit, ValidationErrors> {
    let clip_id = r.required_str("clip_id");
    let in_point = r.optional_int("in");
    let out_point = r.optional_int("out");
    let Some(clip_id) = clip_id else {
        return Err(r.into_errors());
    };
    r.finish()?;
    Ok(Edit::UpdateClip(UpdateClip {
        clip_id: clip_id.to_owned(),
        in_point,
        out_point,
    }))
}

impl UpdateClip {
    pub(super) fn decide(&self, timeline: &Timeline) -> Result<Vec<Event>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let position = find_clip(timeline, &self.clip_id, &mut errors);
        if self.in_point.is_none() && self.out_point.is_none() {
            errors.push(
                ValidationError::new(ErrorCode::NothingToUpdate, "give in, out, or both")
                    .hint("set in and/or out (microseconds into the source) to trim the clip"),
            );
        }
        let Some(position) = position.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        let clip = &timeline.clips[position];
        let span = (
            self.in_point.unwrap_or(clip.in_point),
            self.out_point.unwrap_or(clip.out_point),
        );
        let given = Given {
            in_point: self.in_point.is_some(),
            out_point: self.out_point.is_some(),
        };
        if check_span(
            span,
            given,
            Some(clip.media.duration),
            timeline.output.fps,
            &mut errors,
        ) {
            let key = if given.out_point { "out" } else { "in" };
            let delta = (span.1 - span.0) - clip.duration();
            check_timeline_growth(key, timeline.duration(), delta, &mut errors);
        }
        errors.into_result(vec![Event::ClipTrimmed(ClipTrimmed {
            clip_id: clip.id.clone(),
            in_point: span.0,
            out_point: span.1,
            previous_in: clip.in_point,
            previous_out: clip.out_point,
        })])
    }
}
