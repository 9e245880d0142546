//! One-line summaries of events, for a project's history.

use crate::error::InternalError;
use crate::events::{Change, ClipPatch, Event, TrackPatch};
use crate::model::Clip;
use crate::time::format_seconds;

fn clip_what(clip: &Clip) -> String {
    match clip.kind {
        crate::model::ClipKind::Media => {
            let name = clip
                .source
                .as_deref()
                .and_then(|s| s.rsplit('/').next())
                .unwrap_or("?");
            format!(
                "{name} {}–{} s",
                format_seconds(clip.in_point.unwrap_or(0)),
                format_seconds(clip.out_point.unwrap_or(0))
            )
        }
        crate::model::ClipKind::Image => {
            let name = clip
                .source
                .as_deref()
                .and_then(|s| s.rsplit('/').next())
                .unwrap_or("?");
            format!("{name}, {} s", format_seconds(clip.duration.unwrap_or(0)))
        }
        crate::model::ClipKind::Color => format!(
            "{}, {} s",
            clip.color.as_deref().unwrap_or("?"),
            format_seconds(clip.duration.unwrap_or(0))
        ),
        crate::model::ClipKind::Text => {
            let text: String = clip
                .text
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(30)
                .collect();
            format!("“{text}”, {} s", format_seconds(clip.duration.unwrap_or(0)))
        }
    }
}

fn patch_fields<T: serde::Serialize>(patch: &T) -> String {
    match serde_json::to_value(patch) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// One line about `change`.
#[allow(clippy::too_many_lines)] // one arm per event type
pub fn summarize_change(change: &Change) -> String {
    match change {
        Change::ProjectCreated(e) => format!(
            "Created project “{}” ({}x{}, {} fps)",
            e.name, e.output.width, e.output.height, e.output.fps
        ),
        Change::OutputSet(e) => format!(
            "Set output to {}x{} at {} fps",
            e.output.width, e.output.height, e.output.fps
        ),
        Change::TrackAdded(e) => format!("Added {} track {}", e.track.kind.as_str(), e.track.id),
        Change::TrackUpdated(e) => format!(
            "Updated track {}: {}",
            e.track_id,
            patch_fields::<TrackPatch>(&e.changes)
        ),
        Change::TrackRemoved(e) => format!(
            "Removed {} track {} with {}",
            e.track.kind.as_str(),
            e.track.id,
            count(e.track.clips.len(), "clip")
        ),
        Change::ClipAdded(e) => format!(
            "Added {} clip {} ({}) to track {}",
            e.clip.kind.as_str(),
            e.clip.id,
            clip_what(&e.clip),
            if e.track_id.is_empty() {
                "video-1"
            } else {
                &e.track_id
            }
        ),
        Change::ClipTrimmed(e) => format!(
            "Trimmed clip {} to {}–{} s",
            e.clip_id,
            format_seconds(e.in_point),
            format_seconds(e.out_point)
        ),
        Change::ClipMoved(e) => {
            let place = e.start.map_or_else(
                || "after the clip before it".to_owned(),
                |s| format!("at {} s", format_seconds(s)),
            );
            format!("Moved clip {} to track {} {place}", e.clip_id, e.to_track)
        }
        Change::ClipUpdated(e) => format!(
            "Updated clip {}: {}",
            e.clip_id,
            patch_fields::<ClipPatch>(&e.changes)
        ),
        Change::ClipRemoved(e) => format!("Removed clip {} ({})", e.clip.id, clip_what(&e.clip)),
        Change::EffectApplied(e) => format!(
            "Applied {} effect {} to clip {}",
            e.effect.kind, e.effect.id, e.clip_id
        ),
        Change::EffectUpdated(e) => {
            let changed: Vec<&str> = e
                .params
                .iter()
                .filter(|(k, v)| e.previous.get(*k) != Some(*v))
                .map(|(k, _)| k.as_str())
                .collect();
            format!(
                "Updated effect {} on clip {}: {}",
                e.effect_id,
                e.clip_id,
                changed.join(", ")
            )
        }
        Change::EffectRemoved(e) => format!(
            "Removed {} effect {} from clip {}",
            e.effect.kind, e.effect.id, e.clip_id
        ),
        Change::TransitionSet(e) => format!(
            "Set {} transition ({} s) from {} to {}",
            e.transition.name,
            format_seconds(e.transition.duration),
            e.from_clip_id,
            e.to_clip_id
        ),
        Change::TransitionRemoved(e) => format!(
            "Removed {} transition from {} to {}",
            e.transition.name, e.from_clip_id, e.to_clip_id
        ),
        Change::KeyframesSet(e) if e.keyframes.is_empty() => {
            format!("Cleared {} keyframes of clip {}", e.property, e.clip_id)
        }
        Change::KeyframesSet(e) => format!(
            "Set {} on clip {}",
            count(e.keyframes.len(), &format!("{} keyframe", e.property)),
            e.clip_id
        ),
        Change::LayoutSet(e) => match e.layout.as_ref().and_then(|l| l.get("type")) {
            Some(t) => format!("Set the layout to {}", t.as_str().unwrap_or("?")),
            None => "Removed the layout".to_owned(),
        },
        Change::EditsUndone(e) => format!(
            "Undid version {} ({})",
            e.of_version,
            count(e.events.len(), "change")
        ),
        Change::EditsRedone(e) => format!(
            "Redid version {} ({})",
            e.of_version,
            count(e.events.len(), "change")
        ),
        Change::ProjectRestored(e) => format!("Restored version {}", e.to_version),
        Change::ProjectForked(e) => format!(
            "Forked “{}” from project {} at version {}",
            e.name, e.origin_project_id, e.origin_version
        ),
    }
}

/// One line about a stored event, for history.
///
/// ```
/// use serde_json::json;
/// let line = stoat_core::summarize("ClipTrimmed", json!({"clip_id": "a", "in": 1_000_000,
///     "out": 2_500_000, "previous_in": 0, "previous_out": 4_000_000})).unwrap();
/// assert_eq!(line, "Trimmed clip a to 1–2.5 s");
/// ```
pub fn summarize(event_type: &str, data: serde_json::Value) -> Result<String, InternalError> {
    Event::from_parts(event_type, data).map(|e| summarize_change(&e.change))
}
