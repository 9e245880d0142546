//! The timeline state that the decider folds events into.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::output::OutputSettings;
use crate::time::{Micros, MICROS_PER_SECOND};

/// The longest timeline the core accepts: 100 hours. The bound keeps every sum of
/// durations far from overflow.
pub const MAX_TIMELINE_DURATION: Micros = 100 * 3600 * MICROS_PER_SECOND;

/// The decider's state: `None` before `ProjectCreated`, the timeline afterwards.
pub type State = Option<Timeline>;

/// Probed facts about a source file, keyed by its canonical path in a [`MediaMap`].
///
/// ```
/// use stoat_core::MediaInfo;
/// let m: MediaInfo = serde_json::from_value(serde_json::json!(
///     {"duration": 12_500_000, "has_video": true, "has_audio": false}
/// )).unwrap();
/// assert_eq!(m.width, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// The source's duration.
    pub duration: Micros,
    /// Whether it has a video stream.
    pub has_video: bool,
    /// Whether it has an audio stream.
    pub has_audio: bool,
    /// The video width, when known.
    #[serde(default)]
    pub width: Option<u32>,
    /// The video height, when known.
    #[serde(default)]
    pub height: Option<u32>,
}

/// Media facts by source path: the `media` argument of [`crate::decide`]. The caller
/// probes files (FFprobe) so that the core stays pure.
pub type MediaMap = BTreeMap<String, MediaInfo>;

/// A span of a source file placed on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clip {
    /// The clip's id, unique on its timeline.
    pub id: String,
    /// The source's absolute path.
    pub source: String,
    /// Where the clip starts in the source.
    #[serde(rename = "in")]
    pub in_point: Micros,
    /// Where the clip ends in the source (exclusive).
    #[serde(rename = "out")]
    pub out_point: Micros,
    /// What the source held when the clip was added.
    pub media: MediaInfo,
}

impl Clip {
    /// The clip's length on the timeline.
    ///
    /// ```
    /// # use stoat_core::{Clip, MediaInfo};
    /// let media = MediaInfo { duration: 9_000_000, has_video: true, has_audio: true,
    ///     width: None, height: None };
    /// let clip = Clip { id: "a".into(), source: "/m/a.mp4".into(), in_point: 1_000_000,
    ///     out_point: 3_500_000, media };
    /// assert_eq!(clip.duration(), 2_500_000);
    /// ```
    pub const fn duration(&self) -> Micros {
        self.out_point - self.in_point
    }
}

/// A project's timeline: clips played back to back.
///
/// ```
/// use stoat_core::{Timeline, OutputSettings};
/// let t = Timeline::new("p1", "Demo", OutputSettings::default());
/// assert!(t.clips.is_empty());
/// assert_eq!(t.next_clip_number, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The project's id.
    pub project_id: String,
    /// The project's display name.
    pub name: String,
    /// What renders produce.
    pub output: OutputSettings,
    /// The clips, in playback order.
    pub clips: Vec<Clip>,
    /// The smallest `n` for which a generated id `clip-{n}` may be used.
    pub next_clip_number: u64,
}

impl Timeline {
    /// A timeline without clips.
    pub fn new(project_id: &str, name: &str, output: OutputSettings) -> Self {
        Self {
            project_id: project_id.to_owned(),
            name: name.to_owned(),
            output,
            clips: Vec::new(),
            next_clip_number: 1,
        }
    }

    /// The position of the clip with id `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.clips.iter().position(|c| c.id == id)
    }

    /// The clip with id `id`.
    pub fn clip(&self, id: &str) -> Option<&Clip> {
        self.clips.iter().find(|c| c.id == id)
    }

    /// The sum of the clips' durations.
    pub fn duration(&self) -> Micros {
        self.clips.iter().map(Clip::duration).sum()
    }

    /// The id an added clip gets when the edit names none: `clip-{n}` for the first `n` at
    /// or after `next_clip_number` that no clip uses. Deterministic, so replay reproduces
    /// it (and it is recorded in the event anyway).
    ///
    /// ```
    /// use stoat_core::{Timeline, OutputSettings};
    /// let t = Timeline::new("p1", "Demo", OutputSettings::default());
    /// assert_eq!(t.generate_clip_id(), "clip-1");
    /// ```
    pub fn generate_clip_id(&self) -> String {
        let mut n = self.next_clip_number;
        loop {
            let id = format!("clip-{n}");
            if self.clip(&id).is_none() {
                return id;
            }
            n = n.saturating_add(1);
        }
    }
}

/// The number `n` of a generated-looking id `clip-{n}` (canonical digits only).
pub(crate) fn generated_clip_number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("clip-")?;
    let n: u64 = digits.parse().ok()?;
    (n.to_string() == digits).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_generated_ids() {
        assert_eq!(generated_clip_number("clip-12"), Some(12));
        assert_eq!(generated_clip_number("clip-012"), None);
        assert_eq!(generated_clip_number("clip-+1"), None);
        assert_eq!(generated_clip_number("intro"), None);
    }
}
