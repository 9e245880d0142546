//! The inverse of each change: what undo applies. Every change carries what its inverse
//! needs, so this is a pure function of the change alone.

use super::{
    Change, ClipAdded, ClipMoved, ClipRemoved, ClipTrimmed, ClipUpdated, EffectApplied,
    EffectRemoved, EffectUpdated, KeyframesSet, LayoutSet, OutputSet, ProjectRestored, TrackAdded,
    TrackRemoved, TrackUpdated, TransitionRemoved, TransitionSet,
};

/// The change that undoes `change`, or `None` for changes that are not undone (project
/// creation and forks, and undo and redo themselves).
///
/// ```
/// use stoat_core::{inverse, Change, ClipTrimmed};
/// let trim = Change::ClipTrimmed(ClipTrimmed { clip_id: "a".into(), in_point: 1,
///     out_point: 5, previous_in: 0, previous_out: 9 });
/// let Some(Change::ClipTrimmed(back)) = inverse(&trim) else { panic!() };
/// assert_eq!((back.in_point, back.out_point), (0, 9));
/// assert_eq!(inverse(&inverse(&trim).unwrap()), Some(trim));
/// ```
#[allow(clippy::too_many_lines)] // one arm per event type
pub fn inverse(change: &Change) -> Option<Change> {
    Some(match change {
        Change::OutputSet(e) => Change::OutputSet(OutputSet {
            output: e.previous.clone(),
            previous: e.output.clone(),
        }),
        Change::TrackAdded(e) => Change::TrackRemoved(TrackRemoved {
            track: e.track.clone(),
            index: e.index,
        }),
        Change::TrackUpdated(e) => Change::TrackUpdated(TrackUpdated {
            track_id: e.track_id.clone(),
            changes: e.previous.clone(),
            previous: e.changes.clone(),
        }),
        Change::TrackRemoved(e) => Change::TrackAdded(TrackAdded {
            track: e.track.clone(),
            index: e.index,
        }),
        Change::ClipAdded(e) => Change::ClipRemoved(ClipRemoved {
            track_id: e.track_id.clone(),
            clip: e.clip.clone(),
            index: e.index,
        }),
        Change::ClipTrimmed(e) => Change::ClipTrimmed(ClipTrimmed {
            clip_id: e.clip_id.clone(),
            in_point: e.previous_in,
            out_point: e.previous_out,
            previous_in: e.in_point,
            previous_out: e.out_point,
        }),
        Change::ClipMoved(e) => Change::ClipMoved(ClipMoved {
            clip_id: e.clip_id.clone(),
            from_track: e.to_track.clone(),
            from_index: e.to_index,
            to_track: e.from_track.clone(),
            to_index: e.from_index,
            start: e.previous_start,
            previous_start: e.start,
        }),
        Change::ClipUpdated(e) => Change::ClipUpdated(ClipUpdated {
            clip_id: e.clip_id.clone(),
            changes: e.previous.clone(),
            previous: e.changes.clone(),
        }),
        Change::ClipRemoved(e) => Change::ClipAdded(ClipAdded {
            track_id: e.track_id.clone(),
            clip: e.clip.clone(),
            index: e.index,
        }),
        Change::EffectApplied(e) => Change::EffectRemoved(EffectRemoved {
            clip_id: e.clip_id.clone(),
            effect: e.effect.clone(),
            index: e.index,
        }),
        Change::EffectUpdated(e) => Change::EffectUpdated(EffectUpdated {
            clip_id: e.clip_id.clone(),
            effect_id: e.effect_id.clone(),
            params: e.previous.clone(),
            previous: e.params.clone(),
        }),
        Change::EffectRemoved(e) => Change::EffectApplied(EffectApplied {
            clip_id: e.clip_id.clone(),
            effect: e.effect.clone(),
            index: e.index,
        }),
        Change::TransitionSet(e) => match &e.previous {
            Some(previous) => Change::TransitionSet(TransitionSet {
                from_clip_id: e.from_clip_id.clone(),
                to_clip_id: e.to_clip_id.clone(),
                transition: previous.clone(),
                previous: Some(e.transition.clone()),
            }),
            None => Change::TransitionRemoved(TransitionRemoved {
                from_clip_id: e.from_clip_id.clone(),
                to_clip_id: e.to_clip_id.clone(),
                transition: e.transition.clone(),
            }),
        },
        Change::TransitionRemoved(e) => Change::TransitionSet(TransitionSet {
            from_clip_id: e.from_clip_id.clone(),
            to_clip_id: e.to_clip_id.clone(),
            transition: e.transition.clone(),
            previous: None,
        }),
        Change::KeyframesSet(e) => Change::KeyframesSet(KeyframesSet {
            clip_id: e.clip_id.clone(),
            property: e.property.clone(),
            keyframes: e.previous.clone(),
            previous: e.keyframes.clone(),
        }),
        Change::LayoutSet(e) => Change::LayoutSet(LayoutSet {
            layout: e.previous.clone(),
            previous: e.layout.clone(),
        }),
        Change::ProjectRestored(e) => Change::ProjectRestored(ProjectRestored {
            to_version: e.to_version,
            state: e.previous.clone(),
            previous: e.state.clone(),
        }),
        Change::ProjectCreated(_)
        | Change::ProjectForked(_)
        | Change::EditsUndone(_)
        | Change::EditsRedone(_) => return None,
    })
}
