//! Where each clip plays: exact positions in microseconds and frame ranges snapped once.

use serde::{Deserialize, Serialize};

use crate::model::Timeline;
use crate::time::Micros;

/// A clip placed on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedClip {
    /// The clip's id.
    pub id: String,
    /// The source's path.
    pub source: String,
    /// Where the clip starts in the source.
    #[serde(rename = "in")]
    pub in_point: Micros,
    /// Where it ends in the source.
    #[serde(rename = "out")]
    pub out_point: Micros,
    /// Where it starts on the timeline.
    pub start: Micros,
    /// Where it ends on the timeline (`start + duration`).
    pub end: Micros,
    /// `out - in`.
    pub duration: Micros,
    /// The first output frame it covers: `frame_at(start)`.
    pub frame_start: i64,
    /// How many output frames it covers: `frame_at(end) - frame_at(start)`.
    pub frame_count: i64,
}

/// The timeline laid out: clips back to back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The total duration, the sum of the clips' durations.
    pub duration: Micros,
    /// The total number of output frames, `frame_at(duration)`.
    pub frames: i64,
    /// The clips in playback order.
    pub clips: Vec<PlacedClip>,
}

/// Lays the clips out back to back. Frame ranges come from snapping each boundary once
/// ([`crate::Rational::frame_at`]) rather than rounding each clip's length, so the frame
/// counts add up to the total with no drift over long timelines.
///
/// ```
/// use stoat_core::{layout, Clip, MediaInfo, OutputSettings, Timeline};
/// let media = MediaInfo { duration: 60_000_000, has_video: true, has_audio: true,
///     width: None, height: None };
/// let mut t = Timeline::new("p1", "Demo", OutputSettings::default()); // 30 fps
/// for (id, out) in [("a", 1_010_000), ("b", 1_010_000)] {
///     t.clips.push(Clip { id: id.into(), source: "/m/a.mp4".into(), in_point: 0,
///         out_point: out, media: media.clone() });
/// }
/// let l = layout(&t);
/// assert_eq!(l.clips[1].start, 1_010_000);
/// assert_eq!((l.clips[0].frame_count, l.clips[1].frame_count), (30, 31)); // 30.3, 60.6
/// assert_eq!(l.frames, 61);
/// ```
pub fn layout(timeline: &Timeline) -> Layout {
    let fps = timeline.output.fps;
    let mut start: Micros = 0;
    let mut clips = Vec::with_capacity(timeline.clips.len());
    for clip in &timeline.clips {
        let duration = clip.duration();
        let end = start + duration;
        let frame_start = fps.frame_at(start);
        clips.push(PlacedClip {
            id: clip.id.clone(),
            source: clip.source.clone(),
            in_point: clip.in_point,
            out_point: clip.out_point,
            start,
            end,
            duration,
            frame_start,
            frame_count: fps.frame_at(end) - frame_start,
        });
        start = end;
    }
    Layout {
        duration: start,
        frames: fps.frame_at(start),
        clips,
    }
}
