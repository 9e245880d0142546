//! Events: what happened, in the past tense, carrying what undo will need.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::InternalError;
use crate::model::Clip;
use crate::output::OutputSettings;
use crate::time::Micros;

/// The type names of every event, as stored in the event log.
pub const EVENT_TYPES: &[&str] = &["ProjectCreated", "ClipAdded", "ClipTrimmed", "ClipRemoved"];

/// A project came into being.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCreated {
    /// The project's id.
    pub project_id: String,
    /// The project's display name.
    pub name: String,
    /// Its output settings.
    pub output: OutputSettings,
}

/// A clip was inserted at `index`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipAdded {
    /// The whole clip, with its (possibly generated) id and media facts.
    pub clip: Clip,
    /// Its position after insertion.
    pub index: usize,
}

/// A clip's in and out points changed; the previous ones are kept for undo.
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

/// A clip was removed from `index`; the whole clip is kept for undo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipRemoved {
    /// The clip as it was.
    pub clip: Clip,
    /// Where it was.
    pub index: usize,
}

/// Every event of the timeline.
///
/// ```
/// use stoat_core::{Event, EVENT_TYPES};
/// let data = serde_json::json!({"clip_id": "a", "in": 0, "out": 5, "previous_in": 0,
///                               "previous_out": 9});
/// let event = Event::from_parts("ClipTrimmed", data.clone()).unwrap();
/// assert_eq!(event.type_name(), "ClipTrimmed");
/// assert_eq!(event.data().unwrap(), data);
/// assert!(EVENT_TYPES.contains(&event.type_name()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
#[non_exhaustive]
pub enum Event {
    /// See [`ProjectCreated`].
    ProjectCreated(ProjectCreated),
    /// See [`ClipAdded`].
    ClipAdded(ClipAdded),
    /// See [`ClipTrimmed`].
    ClipTrimmed(ClipTrimmed),
    /// See [`ClipRemoved`].
    ClipRemoved(ClipRemoved),
}

impl Event {
    /// The event's type name, one of [`EVENT_TYPES`].
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::ProjectCreated(_) => "ProjectCreated",
            Self::ClipAdded(_) => "ClipAdded",
            Self::ClipTrimmed(_) => "ClipTrimmed",
            Self::ClipRemoved(_) => "ClipRemoved",
        }
    }

    /// The event's data as JSON (without the type name).
    pub fn data(&self) -> Result<Value, InternalError> {
        let encoded = match self {
            Self::ProjectCreated(e) => serde_json::to_value(e),
            Self::ClipAdded(e) => serde_json::to_value(e),
            Self::ClipTrimmed(e) => serde_json::to_value(e),
            Self::ClipRemoved(e) => serde_json::to_value(e),
        };
        encoded.map_err(|e| InternalError::Encode(e.to_string()))
    }

    /// Rebuilds an event from its stored type name and data.
    pub fn from_parts(type_name: &str, data: Value) -> Result<Self, InternalError> {
        fn decode<T: serde::de::DeserializeOwned>(
            type_name: &str,
            data: Value,
        ) -> Result<T, InternalError> {
            serde_json::from_value(data).map_err(|e| InternalError::InvalidEventData {
                event_type: type_name.to_owned(),
                reason: e.to_string(),
            })
        }
        Ok(match type_name {
            "ProjectCreated" => Self::ProjectCreated(decode(type_name, data)?),
            "ClipAdded" => Self::ClipAdded(decode(type_name, data)?),
            "ClipTrimmed" => Self::ClipTrimmed(decode(type_name, data)?),
            "ClipRemoved" => Self::ClipRemoved(decode(type_name, data)?),
            other => return Err(InternalError::UnknownEventType(other.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_match_serde_tags_and_type_names() {
        let data = serde_json::json!({
            "ProjectCreated": {"project_id": "p", "name": "n", "output":
                {"width": 2, "height": 2, "fps": "30", "sample_rate": 48000}},
            "ClipAdded": {"index": 0, "clip": {"id": "a", "source": "/a", "in": 0, "out": 1,
                "media": {"duration": 1, "has_video": true, "has_audio": false,
                          "width": null, "height": null}}},
            "ClipTrimmed": {"clip_id": "a", "in": 0, "out": 1, "previous_in": 0,
                            "previous_out": 2},
            "ClipRemoved": {"index": 0, "clip": {"id": "a", "source": "/a", "in": 0, "out": 1,
                "media": {"duration": 1, "has_video": true, "has_audio": false,
                          "width": null, "height": null}}},
        });
        for name in EVENT_TYPES {
            let event = Event::from_parts(name, data[name].clone()).unwrap();
            assert_eq!(event.type_name(), *name);
            let tagged = serde_json::to_value(&event).unwrap();
            assert_eq!(tagged["type"], *name);
            assert_eq!(tagged["data"], event.data().unwrap());
            assert_eq!(event.data().unwrap(), data[name]);
        }
        assert_eq!(data.as_object().unwrap().len(), EVENT_TYPES.len());
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
    }
}
