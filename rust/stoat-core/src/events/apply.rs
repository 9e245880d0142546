//! Applying one change to the document: pure and infallible. A change that does not fit
//! (which a correct log never holds) changes nothing.

use std::sync::Arc;

use super::Change;
use crate::model::{Doc, IdCounters, TrackKind};

/// The index of the track `id`, or of the first video track for events written before
/// tracks existed (empty id).
fn track_for(doc: &Doc, id: &str) -> Option<usize> {
    if id.is_empty() {
        doc.tracks.iter().position(|t| t.kind == TrackKind::Video)
    } else {
        doc.track_index(id)
    }
}

/// Applies `change` to `doc`, noting generated ids in `ids`. History events
/// (`EditsUndone`, `EditsRedone`) and creation events are the caller's business and
/// change nothing here.
#[allow(clippy::too_many_lines)] // one arm per event type
pub(crate) fn apply(doc: &mut Doc, ids: &mut IdCounters, change: &Change) {
    match change {
        Change::OutputSet(e) => doc.output = e.output.clone(),
        Change::TrackAdded(e) => {
            let index = e.index.min(doc.tracks.len());
            doc.tracks.insert(index, e.track.clone());
            ids.note(&e.track.id);
            for clip in &e.track.clips {
                ids.note(&clip.id);
                clip.effects.iter().for_each(|f| ids.note(&f.id));
            }
        }
        Change::TrackUpdated(e) => {
            if let Some(t) = doc.track_index(&e.track_id) {
                e.changes.apply_to(&mut doc.tracks[t]);
                if let Some(to) = e.changes.index {
                    let track = doc.tracks.remove(t);
                    let to = to.min(doc.tracks.len());
                    doc.tracks.insert(to, track);
                }
            }
        }
        Change::TrackRemoved(e) => {
            if let Some(t) = doc.track_index(&e.track.id) {
                doc.tracks.remove(t);
            }
        }
        Change::ClipAdded(e) => {
            if let Some(t) = track_for(doc, &e.track_id) {
                let clips = &mut doc.tracks[t].clips;
                clips.insert(e.index.min(clips.len()), Arc::new(e.clip.clone()));
                ids.note(&e.clip.id);
                e.clip.effects.iter().for_each(|f| ids.note(&f.id));
            }
        }
        Change::ClipTrimmed(e) => {
            if let Some(at) = doc.find_clip(&e.clip_id) {
                let clip = doc.clip_mut(at);
                clip.in_point = Some(e.in_point);
                clip.out_point = Some(e.out_point);
            }
        }
        Change::ClipMoved(e) => {
            let (Some((from, c)), Some(to)) =
                (doc.find_clip(&e.clip_id), doc.track_index(&e.to_track))
            else {
                return;
            };
            let mut clip = doc.tracks[from].clips.remove(c);
            Arc::make_mut(&mut clip).start = e.start;
            let clips = &mut doc.tracks[to].clips;
            clips.insert(e.to_index.min(clips.len()), clip);
        }
        Change::ClipUpdated(e) => {
            if let Some(at) = doc.find_clip(&e.clip_id) {
                e.changes.apply_to(doc.clip_mut(at));
            }
        }
        Change::ClipRemoved(e) => {
            if let Some((t, c)) = doc.find_clip(&e.clip.id) {
                doc.tracks[t].clips.remove(c);
            }
        }
        Change::EffectApplied(e) => {
            if let Some(at) = doc.find_clip(&e.clip_id) {
                let effects = &mut doc.clip_mut(at).effects;
                effects.insert(e.index.min(effects.len()), e.effect.clone());
                ids.note(&e.effect.id);
            }
        }
        Change::EffectUpdated(e) => {
            if let Some((t, c, i)) = doc.find_effect(&e.effect_id) {
                doc.clip_mut((t, c)).effects[i].params.clone_from(&e.params);
            }
        }
        Change::EffectRemoved(e) => {
            if let Some((t, c, i)) = doc.find_effect(&e.effect.id) {
                doc.clip_mut((t, c)).effects.remove(i);
            }
        }
        Change::TransitionSet(e) => {
            if let Some(at) = doc.find_clip(&e.to_clip_id) {
                doc.clip_mut(at).transition_in = Some(e.transition.clone());
            }
        }
        Change::TransitionRemoved(e) => {
            if let Some(at) = doc.find_clip(&e.to_clip_id) {
                doc.clip_mut(at).transition_in = None;
            }
        }
        Change::KeyframesSet(e) => {
            if let Some(at) = doc.find_clip(&e.clip_id) {
                let keyframes = &mut doc.clip_mut(at).keyframes;
                if e.keyframes.is_empty() {
                    keyframes.remove(&e.property);
                } else {
                    keyframes.insert(e.property.clone(), e.keyframes.clone());
                }
            }
        }
        Change::LayoutSet(e) => doc.layout.clone_from(&e.layout),
        Change::ProjectRestored(e) => {
            *doc = e.state.clone();
            ids.note_all(doc);
        }
        Change::ProjectCreated(_)
        | Change::ProjectForked(_)
        | Change::EditsUndone(_)
        | Change::EditsRedone(_) => {}
    }
}
