//! `add_clip`: insert a span of a probed source, at the end or at `index`.

use serde::{Deserialize, Serialize};

use crate::edits::Edit;
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::events::{ClipAdded, Event};
use crate::json::ObjectReader;
use crate::model::{Clip, MediaMap, Timeline};
use crate::rules::{check_id, check_span, check_timeline_growth, Given};
use crate::time::Micros;

/// `{"op": "add_clip", "clip_id"?: str, "source": str, "in": int, "out": int, "index"?: int}`
///
/// Without `clip_id` the clip gets a generated id (see [`Timeline::generate_clip_id`]);
/// without `index` it goes at the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddClip {
    /// The new clip's id, or `None` to generate one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_id: Option<String>,
    /// The source's canonical path, a key of the media map.
    pub source: String,
    /// Where the clip starts in the source.
    #[serde(rename = "in")]
    pub in_point: Micros,
    /// Where it ends in the source.
    #[serde(rename = "out")]
    pub out_point: Micros,
    /// Where to insert it (`0..=len`), or `None` to append.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
}

pub(super) fn read(mut r: ObjectReader<'_>) -> Result<Edit, ValidationErrors> {
    let clip_id = r.optional_str("clip_id").map(str::to_owned);
    let source = r.required_str("source");
    let in_point = r.required_int("in");
    let out_point = r.required_int("out");
    let index = r.optional_int("index");
    let (Some(source), Some(in_point), Some(out_point)) = (source, in_point, out_point) else {
        return Err(r.into_errors());
    };
    r.finish()?;
    Ok(Edit::AddClip(AddClip {
        clip_id,
        source: source.to_owned(),
        in_point,
        out_point,
        index,
    }))
}

impl AddClip {
    pub(super) fn decide(
        &self,
        timeline: &Timeline,
        media: &MediaMap,
    ) -> Result<Vec<Event>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let id = match &self.clip_id {
            Some(id) => {
                if check_id("clip_id", id, &mut errors) && timeline.clip(id).is_some() {
                    errors.push(
                        ValidationError::new(
                            ErrorCode::ClipIdTaken,
                            format!("a clip with id {id:?} already exists"),
                        )
                        .at("clip_id")
                        .hint("choose another clip_id, or leave it out to get a generated one")
                        .ctx("clip_id", id.as_str()),
                    );
                }
                id.clone()
            }
            None => timeline.generate_clip_id(),
        };

        let info = media.get(&self.source);
        match info {
            None => errors.push(
                ValidationError::new(
                    ErrorCode::SourceUnknown,
                    format!("the source {:?} has not been probed", self.source),
                )
                .at("source")
                .hint("import or probe the file first, then use its canonical path as source")
                .ctx("source", self.source.as_str()),
            ),
            Some(info) if !info.has_video => errors.push(
                ValidationError::new(
                    ErrorCode::SourceHasNoVideo,
                    format!("the source {:?} has no video stream", self.source),
                )
                .at("source")
                .hint("use a source with a video stream; audio-only clips are not supported yet")
                .ctx("source", self.source.as_str()),
            ),
            Some(_) => {}
        }

        let span = (self.in_point, self.out_point);
        let given = Given {
            in_point: true,
            out_point: true,
        };
        let duration = info.map(|m| m.duration);
        if check_span(span, given, duration, timeline.output.fps, &mut errors) {
            check_timeline_growth(
                "out",
                timeline.duration(),
                self.out_point - self.in_point,
                &mut errors,
            );
        }

        let len = timeline.clips.len();
        let index = match self.index {
            None => Some(len),
            Some(i) => usize::try_from(i).ok().filter(|i| *i <= len),
        };
        if index.is_none() {
            errors.push(
                ValidationError::new(
                    ErrorCode::IndexOutOfRange,
                    format!("index must be from 0 to {len}"),
                )
                .at("index")
                .hint(format!(
                    "use an index from 0 to {len}, or leave it out to append"
                ))
                .ctx("value", self.index)
                .ctx("min", 0)
                .ctx("max", len),
            );
        }

        match (info, index) {
            (Some(info), Some(index)) if errors.is_empty() => {
                Ok(vec![Event::ClipAdded(ClipAdded {
                    clip: Clip {
                        id,
                        source: self.source.clone(),
                        in_point: self.in_point,
                        out_point: self.out_point,
                        media: info.clone(),
                    },
                    index,
                })])
            }
            _ => Err(errors),
        }
    }
}
