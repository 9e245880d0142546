//! Events: what happened, in the past tense, each carrying what its inverse needs.
//!
//! An [`Event`] is a [`Change`] plus, for events decided from an edit batch, its place in
//! the batch ([`Batch`]): the data of such an event carries `"batch": {"index": i,
//! "size": n}`, so that `evolve` recognises each batch as one undo step on replay.

mod apply;
mod inverse;
mod patch;

pub(crate) use apply::apply;
pub use inverse::inverse;
pub use patch::{ClipPatch, TrackPatch};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::easing::Keyframe;
use crate::error::InternalError;
use crate::model::{Clip, Doc, Effect, OutputSettings, Track, TrackKind, Transition};
use crate::spec::Obj;
use crate::time::Micros;

/// The type names of every event, as stored in the event log.
pub const EVENT_TYPES: &[&str] = &[
    "ProjectCreated",
    "OutputSet",
    "TrackAdded",
    "TrackUpdated",
    "TrackRemoved",
    "ClipAdded",
    "ClipTrimmed",
    "ClipMoved",
    "ClipUpdated",
    "ClipRemoved",
    "EffectApplied",
    "EffectUpdated",
    "EffectRemoved",
    "TransitionSet",
    "TransitionRemoved",
    "KeyframesSet",
    "LayoutSet",
    "EditsUndone",
    "EditsRedone",
    "ProjectRestored",
    "ProjectForked",
];

fn default_tracks() -> Vec<Track> {
    vec![Track::new("video-1", TrackKind::Video, "Video 1")]
}

/// A project came into being (version 1) with its output settings and first tracks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectCreated {
    /// The project's id.
    pub project_id: String,
    /// The project's display name.
    pub name: String,
    /// Its output settings.
    pub output: OutputSettings,
    /// Its first tracks (one video track, `video-1`; also for events written before
    /// tracks existed).
    #[serde(default = "default_tracks")]
    pub tracks: Vec<Track>,
}

/// The output settings changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputSet {
    /// The new settings.
    pub output: OutputSettings,
    /// The settings before.
    pub previous: OutputSettings,
}

/// A track was inserted at `index` in the z-order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackAdded {
    /// The whole track (with its clips when it is an undone removal).
    pub track: Track,
    /// Its position after insertion.
    pub index: usize,
}

/// A track's settings (or its place in the z-order) changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackUpdated {
    /// The track's id.
    pub track_id: String,
    /// The new values of the fields that changed.
    pub changes: TrackPatch,
    /// Their values before.
    pub previous: TrackPatch,
}

/// A track was removed from `index`, with its clips.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRemoved {
    /// The track as it was.
    pub track: Track,
    /// Where it was.
    pub index: usize,
}

/// A clip was inserted on a track at `index`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipAdded {
    /// The track (empty in events written before tracks existed: the first video track).
    #[serde(default)]
    pub track_id: String,
    /// The whole clip, with its (possibly generated) id, effects and media facts.
    pub clip: Clip,
    /// Its position after insertion.
    pub index: usize,
}

/// A media clip's in and out points changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipTrimmed {
    /// The clip's id.
    pub clip_id: String,
    /// The new in point.
    #[serde(rename = "in")]
    pub in_point: Micros,
    /// The new out point.
    #[serde(rename = "out")]
    pub out_point: Micros,
    /// The in point before.
    pub previous_in: Micros,
    /// The out point before.
    pub previous_out: Micros,
}

/// A clip moved: to another track, another place in its track's order, or another start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipMoved {
    /// The clip's id.
    pub clip_id: String,
    /// The track it left.
    pub from_track: String,
    /// Its index there.
    pub from_index: usize,
    /// The track it is on now.
    pub to_track: String,
    /// Its index there, after removal from the old place.
    pub to_index: usize,
    /// Its new absolute start (`None`: right after the previous clip).
    pub start: Option<Micros>,
    /// Its start before.
    pub previous_start: Option<Micros>,
}

/// Other settings of a clip changed (speed, transform, volume, text, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipUpdated {
    /// The clip's id.
    pub clip_id: String,
    /// The new values of the fields that changed.
    pub changes: ClipPatch,
    /// Their values before.
    pub previous: ClipPatch,
}

/// A clip was removed from `index` of its track, with its effects and keyframes. (Its
/// transitions are removed by `TransitionRemoved` events just before, in the same batch.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipRemoved {
    /// The track (empty in events written before tracks existed).
    #[serde(default)]
    pub track_id: String,
    /// The clip as it was.
    pub clip: Clip,
    /// Where it was.
    pub index: usize,
}

/// An effect was inserted on a clip at `index`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectApplied {
    /// The clip's id.
    pub clip_id: String,
    /// The effect, with its params complete.
    pub effect: Effect,
    /// Its position in the clip's effects.
    pub index: usize,
}

/// An effect's params changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectUpdated {
    /// The clip's id.
    pub clip_id: String,
    /// The effect's id.
    pub effect_id: String,
    /// All params after.
    pub params: Obj,
    /// All params before.
    pub previous: Obj,
}

/// An effect was removed from `index` of its clip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectRemoved {
    /// The clip's id.
    pub clip_id: String,
    /// The effect as it was.
    pub effect: Effect,
    /// Where it was.
    pub index: usize,
}

/// A transition between two adjacent clips was set (or replaced).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionSet {
    /// The first clip.
    pub from_clip_id: String,
    /// The second clip, right after it on the same track.
    pub to_clip_id: String,
    /// The transition.
    pub transition: Transition,
    /// The transition it replaced, if any.
    pub previous: Option<Transition>,
}

/// A transition was removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRemoved {
    /// The first clip.
    pub from_clip_id: String,
    /// The second clip.
    pub to_clip_id: String,
    /// The transition as it was.
    pub transition: Transition,
}

/// The keyframes of one property of a clip were replaced (an empty list clears them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyframesSet {
    /// The clip's id.
    pub clip_id: String,
    /// `opacity`, `volume`, `x`, `y`, `scale` or `blur`.
    pub property: String,
    /// The keyframes after.
    pub keyframes: Vec<Keyframe>,
    /// The keyframes before.
    pub previous: Vec<Keyframe>,
}

/// The screen layout was set or cleared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutSet {
    /// The layout after (normalised), or `None`.
    pub layout: Option<Obj>,
    /// The layout before.
    pub previous: Option<Obj>,
}

/// Edit batches were undone: one event per step, wrapping the inverse events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditsUndone {
    /// The version the undone step produced (the version of its last event).
    pub of_version: u64,
    /// The inverse events, in the order they apply.
    pub events: Vec<Change>,
}

/// Undone edit batches were redone: one event per step, wrapping the original events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditsRedone {
    /// The version the step first produced.
    pub of_version: u64,
    /// The original events, in order.
    pub events: Vec<Change>,
}

/// The document was set back to what it was at `to_version` (undoable as one step).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRestored {
    /// The version restored.
    pub to_version: u64,
    /// The document as of that version.
    pub state: Doc,
    /// The document before the restore (for undo).
    pub previous: Doc,
}

/// A project began as a copy of another project at some version (its version 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectForked {
    /// The new project's id.
    pub project_id: String,
    /// The new project's name.
    pub name: String,
    /// The project it was copied from.
    pub origin_project_id: String,
    /// The version copied.
    pub origin_version: u64,
    /// The document copied.
    pub state: Doc,
}

/// What an event records, tagged with its type name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is documented on its struct
pub enum Change {
    ProjectCreated(ProjectCreated),
    OutputSet(OutputSet),
    TrackAdded(TrackAdded),
    TrackUpdated(TrackUpdated),
    TrackRemoved(TrackRemoved),
    ClipAdded(ClipAdded),
    ClipTrimmed(ClipTrimmed),
    ClipMoved(ClipMoved),
    ClipUpdated(ClipUpdated),
    ClipRemoved(ClipRemoved),
    EffectApplied(EffectApplied),
    EffectUpdated(EffectUpdated),
    EffectRemoved(EffectRemoved),
    TransitionSet(TransitionSet),
    TransitionRemoved(TransitionRemoved),
    KeyframesSet(KeyframesSet),
    LayoutSet(LayoutSet),
    EditsUndone(EditsUndone),
    EditsRedone(EditsRedone),
    ProjectRestored(ProjectRestored),
    ProjectForked(ProjectForked),
}

impl Change {
    /// The type name, one of [`EVENT_TYPES`].
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::ProjectCreated(_) => "ProjectCreated",
            Self::OutputSet(_) => "OutputSet",
            Self::TrackAdded(_) => "TrackAdded",
            Self::TrackUpdated(_) => "TrackUpdated",
            Self::TrackRemoved(_) => "TrackRemoved",
            Self::ClipAdded(_) => "ClipAdded",
            Self::ClipTrimmed(_) => "ClipTrimmed",
            Self::ClipMoved(_) => "ClipMoved",
            Self::ClipUpdated(_) => "ClipUpdated",
            Self::ClipRemoved(_) => "ClipRemoved",
            Self::EffectApplied(_) => "EffectApplied",
            Self::EffectUpdated(_) => "EffectUpdated",
            Self::EffectRemoved(_) => "EffectRemoved",
            Self::TransitionSet(_) => "TransitionSet",
            Self::TransitionRemoved(_) => "TransitionRemoved",
            Self::KeyframesSet(_) => "KeyframesSet",
            Self::LayoutSet(_) => "LayoutSet",
            Self::EditsUndone(_) => "EditsUndone",
            Self::EditsRedone(_) => "EditsRedone",
            Self::ProjectRestored(_) => "ProjectRestored",
            Self::ProjectForked(_) => "ProjectForked",
        }
    }

    /// The change's data as JSON (without the type name).
    pub fn data(&self) -> Result<Value, InternalError> {
        let mut tagged =
            serde_json::to_value(self).map_err(|e| InternalError::Encode(e.to_string()))?;
        Ok(tagged.get_mut("data").map_or(Value::Null, Value::take))
    }

    /// Rebuilds a change from its type name and data.
    pub fn from_parts(type_name: &str, data: Value) -> Result<Self, InternalError> {
        if !EVENT_TYPES.contains(&type_name) {
            return Err(InternalError::UnknownEventType(type_name.to_owned()));
        }
        let mut tagged = Map::new();
        tagged.insert("type".into(), Value::from(type_name));
        tagged.insert("data".into(), data);
        serde_json::from_value(Value::Object(tagged)).map_err(|e| InternalError::InvalidEventData {
            event_type: type_name.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// An event's place in the edit batch that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Its index in the batch's events, from 0.
    pub index: u32,
    /// How many events the batch has.
    pub size: u32,
}

impl Batch {
    /// Whether this is the batch's last event.
    pub const fn is_last(self) -> bool {
        self.index + 1 >= self.size
    }
}

/// One event of a project's log: a [`Change`], and its [`Batch`] place when it came from
/// an edit batch.
///
/// ```
/// use stoat_core::{Event, EVENT_TYPES};
/// let data = serde_json::json!({"clip_id": "a", "in": 0, "out": 5, "previous_in": 0,
///     "previous_out": 9, "batch": {"index": 0, "size": 1}});
/// let event = Event::from_parts("ClipTrimmed", data.clone()).unwrap();
/// assert_eq!(event.type_name(), "ClipTrimmed");
/// assert_eq!(event.batch.unwrap().size, 1);
/// assert_eq!(event.data().unwrap(), data);
/// assert!(EVENT_TYPES.contains(&event.type_name()));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub change: Change,
    /// Where in its edit batch, for events decided from edits.
    pub batch: Option<Batch>,
}

impl Event {
    /// An event outside any edit batch.
    pub const fn single(change: Change) -> Self {
        Self {
            change,
            batch: None,
        }
    }

    /// The event's type name, one of [`EVENT_TYPES`].
    pub const fn type_name(&self) -> &'static str {
        self.change.type_name()
    }

    /// The event's data as JSON (without the type name), with `batch` when set.
    pub fn data(&self) -> Result<Value, InternalError> {
        let mut data = self.change.data()?;
        if let (Some(batch), Value::Object(map)) = (self.batch, &mut data) {
            map.insert(
                "batch".into(),
                serde_json::to_value(batch).map_err(|e| InternalError::Encode(e.to_string()))?,
            );
        }
        Ok(data)
    }

    /// Rebuilds an event from its stored type name and data.
    pub fn from_parts(type_name: &str, mut data: Value) -> Result<Self, InternalError> {
        let batch =
            match data.as_object_mut().and_then(|m| m.remove("batch")) {
                None | Some(Value::Null) => None,
                Some(b) => Some(serde_json::from_value(b).map_err(|e| {
                    InternalError::InvalidEventData {
                        event_type: type_name.to_owned(),
                        reason: format!("batch: {e}"),
                    }
                })?),
            };
        Ok(Self {
            change: Change::from_parts(type_name, data)?,
            batch,
        })
    }
}

impl Serialize for Event {
    /// `{"type": name, "data": data}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = self.data().map_err(serde::ser::Error::custom)?;
        let mut map = Map::new();
        map.insert("type".into(), Value::from(self.type_name()));
        map.insert("data".into(), data);
        map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Parts {
            #[serde(rename = "type")]
            type_name: String,
            data: Value,
        }
        let parts = Parts::deserialize(deserializer)?;
        Self::from_parts(&parts.type_name, parts.data).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_match_type_names_and_serde_tags() {
        let seen: Vec<&str> = crate::test_support::one_change_of_each()
            .iter()
            .map(|c| {
                let tagged = serde_json::to_value(c).unwrap();
                assert_eq!(tagged["type"], c.type_name());
                let back = Change::from_parts(c.type_name(), c.data().unwrap()).unwrap();
                assert_eq!(&back, c);
                c.type_name()
            })
            .collect();
        assert_eq!(seen, EVENT_TYPES);
    }

    #[test]
    fn bad_parts_are_internal_errors() {
        assert_eq!(
            Event::from_parts("ClipExploded", Value::Null),
            Err(InternalError::UnknownEventType("ClipExploded".into()))
        );
        assert!(matches!(
            Event::from_parts("ClipTrimmed", serde_json::json!({"clip_id": 1})),
            Err(InternalError::InvalidEventData { .. })
        ));
        assert!(matches!(
            Event::from_parts("ClipTrimmed", serde_json::json!({"batch": 3})),
            Err(InternalError::InvalidEventData { .. })
        ));
    }

    #[test]
    fn old_events_without_tracks_decode() {
        let created = Event::from_parts(
            "ProjectCreated",
            serde_json::json!({"project_id": "p", "name": "n", "output":
                {"width": 2, "height": 2, "fps": "30", "sample_rate": 48000}}),
        )
        .unwrap();
        let Change::ProjectCreated(c) = created.change else {
            panic!()
        };
        assert_eq!(c.tracks[0].id, "video-1");
        let added = Event::from_parts(
            "ClipAdded",
            serde_json::json!({"index": 0, "clip": {"id": "a", "source": "/a", "in": 0,
                "out": 1, "media": {"duration": 1, "has_video": true, "has_audio": false,
                "width": null, "height": null}}}),
        )
        .unwrap();
        let Change::ClipAdded(a) = added.change else {
            panic!()
        };
        assert_eq!((a.track_id.as_str(), a.clip.speed), ("", 1.0));
    }
}
