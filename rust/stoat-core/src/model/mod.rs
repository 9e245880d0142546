//! The state that the decider folds events into: the project document (output, tracks,
//! clips, screen layout), the id counters, the undo history and the version.

mod clip;
mod media;
mod output;
mod track;
mod wire;

pub use clip::{Clip, ClipKind, Crop, Effect, Freeze, Transform, Transition, FIT_MODES};
pub(crate) use clip::{CLIP_COMMON_FIELDS, FREEZE_FIELDS, TEXT_STYLE_FIELDS, TRANSFORM_FIELDS};
pub use media::{Env, MediaInfo, MediaMap};
pub use output::{
    output_presets, Loudness, OutputSettings, MAX_DIMENSION, MAX_FPS, MIN_DIMENSION,
    OUTPUT_PRESETS, SAMPLE_RATES,
};
pub(crate) use output::{LOUDNESS_FIELDS, OUTPUT_FIELDS};
pub(crate) use track::TRACK_FIELDS;
pub use track::{Ducking, Track, TrackKind, ROLES};
pub(crate) use wire::{effect_wire, keyframes_wire, transition_wire};
pub use wire::{
    WireClip, WireDucking, WireFreeze, WireKeyframe, WireMedia, WireOutput, WireTimeline,
    WireTrack, WireTransition,
};

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::history::History;
use crate::spec::Obj;
use crate::time::{Micros, MICROS_PER_SECOND};

/// The longest timeline the core accepts: 100 hours. The bound keeps every sum of
/// durations far from overflow.
pub const MAX_TIMELINE_DURATION: Micros = 100 * 3600 * MICROS_PER_SECOND;

/// [`MAX_TIMELINE_DURATION`] in seconds.
pub const MAX_TIMELINE_SECONDS: f64 = 360_000.0;

/// The decider's state: `None` before `ProjectCreated` (or `ProjectForked`).
pub type State = Option<Timeline>;

/// The prefixes of generated ids: `video-1`, `clip-3`, `effect-2`, ...
pub const ID_PREFIXES: &[&str] = &["video", "audio", "overlay", "clip", "effect"];

/// What edits change: output settings, tracks with their clips, and the screen layout.
/// Restore and fork copy a whole `Doc`; undo returns to an equal one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// What renders produce.
    pub output: OutputSettings,
    /// Tracks in z-order: later tracks are drawn on top.
    pub tracks: Vec<Track>,
    /// A picture-in-picture or grid layout (normalised, with its `type`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Obj>,
}

/// Where a clip is: `(track index, clip index)`.
pub type ClipAt = (usize, usize);

impl Doc {
    /// A document with the given output and tracks and no layout.
    pub fn new(output: OutputSettings, tracks: Vec<Track>) -> Self {
        Self {
            output,
            tracks,
            layout: None,
        }
    }

    /// The index of the track with id `id`.
    pub fn track_index(&self, id: &str) -> Option<usize> {
        self.tracks.iter().position(|t| t.id == id)
    }

    /// The track with id `id`.
    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Where the clip with id `id` is.
    pub fn find_clip(&self, id: &str) -> Option<ClipAt> {
        self.tracks
            .iter()
            .enumerate()
            .find_map(|(t, track)| track.position(id).map(|c| (t, c)))
    }

    /// The clip with id `id`.
    pub fn clip(&self, id: &str) -> Option<&Clip> {
        self.find_clip(id).map(|(t, c)| &*self.tracks[t].clips[c])
    }

    /// The clip at `at`, for changing (copied first if shared).
    pub(crate) fn clip_mut(&mut self, (t, c): ClipAt) -> &mut Clip {
        Arc::make_mut(&mut self.tracks[t].clips[c])
    }

    /// Where the effect with id `id` is: `(track, clip, effect index)`.
    pub fn find_effect(&self, id: &str) -> Option<(usize, usize, usize)> {
        self.tracks.iter().enumerate().find_map(|(t, track)| {
            track.clips.iter().enumerate().find_map(|(c, clip)| {
                clip.effects
                    .iter()
                    .position(|e| e.id == id)
                    .map(|e| (t, c, e))
            })
        })
    }

    /// Every id in the document: tracks, clips and effects.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.tracks.iter().flat_map(|t| {
            std::iter::once(t.id.as_str()).chain(t.clips.iter().flat_map(|c| {
                std::iter::once(c.id.as_str()).chain(c.effects.iter().map(|e| e.id.as_str()))
            }))
        })
    }

    /// Whether a track, clip or effect uses `id` (ids are unique across all three).
    pub fn id_in_use(&self, id: &str) -> bool {
        self.ids().any(|used| used == id)
    }

    /// How many clips there are on all tracks.
    pub fn clip_count(&self) -> usize {
        self.tracks.iter().map(|t| t.clips.len()).sum()
    }
}

/// For each id prefix, the smallest number a generated id may use: generated ids are never
/// reused, even after the thing that had one was removed or undone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdCounters(BTreeMap<String, u64>);

impl IdCounters {
    /// The id a new thing gets when the edit names none: `{prefix}-{n}` for the first `n`
    /// at or after the counter that no id in `doc` uses. Deterministic, so replay
    /// reproduces it (and it is recorded in the event anyway).
    pub fn generate(&self, doc: &Doc, prefix: &str, taken: &[String]) -> String {
        let mut n = self.0.get(prefix).copied().unwrap_or(1);
        loop {
            let id = format!("{prefix}-{n}");
            if !doc.id_in_use(&id) && !taken.contains(&id) {
                return id;
            }
            n = n.saturating_add(1);
        }
    }

    /// Moves the counter of `id`'s prefix past it, when `id` looks generated.
    pub fn note(&mut self, id: &str) {
        if let Some((prefix, n)) = generated_number(id) {
            let next = self.0.entry(prefix.to_owned()).or_insert(1);
            *next = (*next).max(n.saturating_add(1));
        }
    }

    /// Notes every id in `doc`.
    pub fn note_all(&mut self, doc: &Doc) {
        for id in doc.ids() {
            self.note(id);
        }
    }
}

/// `("clip", 12)` for `clip-12` (known prefixes, canonical digits only).
pub(crate) fn generated_number(id: &str) -> Option<(&'static str, u64)> {
    let (prefix, digits) = id.rsplit_once('-')?;
    let prefix = ID_PREFIXES.iter().copied().find(|p| *p == prefix)?;
    let n: u64 = digits.parse().ok()?;
    (n.to_string() == digits).then_some((prefix, n))
}

/// Where a fork came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The project forked.
    pub project_id: String,
    /// Its version at the fork.
    pub version: u64,
}

/// A project's timeline: identity, the document, id counters, undo history and version.
///
/// ```
/// use stoat_core::{Doc, OutputSettings, Timeline};
/// let t = Timeline::new("p1", "Demo", Doc::new(OutputSettings::default(), vec![]));
/// assert_eq!(t.version, 0);
/// assert!(t.doc.tracks.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The project's id.
    pub project_id: String,
    /// The project's display name.
    pub name: String,
    /// How many events have been applied (`ProjectCreated` makes it 1).
    pub version: u64,
    /// What edits change.
    pub doc: Doc,
    /// Counters for generated ids.
    #[serde(default)]
    pub ids: IdCounters,
    /// Undo and redo stacks, rebuilt from events on replay.
    #[serde(default)]
    pub history: History,
    /// The project this one was forked from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Timeline {
    /// A timeline at version 0 (the creating event's `evolve` makes it 1).
    pub fn new(project_id: &str, name: &str, doc: Doc) -> Self {
        let mut ids = IdCounters::default();
        ids.note_all(&doc);
        Self {
            project_id: project_id.to_owned(),
            name: name.to_owned(),
            version: 0,
            doc,
            ids,
            history: History::default(),
            origin: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_generated_ids() {
        assert_eq!(generated_number("clip-12"), Some(("clip", 12)));
        assert_eq!(generated_number("video-1"), Some(("video", 1)));
        assert_eq!(generated_number("clip-012"), None);
        assert_eq!(generated_number("clip-+1"), None);
        assert_eq!(generated_number("intro"), None);
        assert_eq!(generated_number("my-clip-3"), None);
    }
}
