//! Where each clip plays: exact positions in microseconds, and frame ranges snapped once.
//!
//! A clip with a `start` sits there; one without follows the clip before it on its track
//! (the first at 0). A transition of `d` into a clip pulls it `d` earlier, overlapping the
//! clip before, so the track gets `d` shorter.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::{Clip, Timeline, Track};
use crate::time::{micros_to_seconds, Micros, Rational};

/// `(start, end)` of each clip of `track` on the timeline, in order. Positions are what
/// the rules say even where they break an invariant (the decider checks those).
pub(crate) fn spans(track: &Track) -> Vec<(Micros, Micros)> {
    let mut out = Vec::with_capacity(track.clips.len());
    let mut previous_end: Micros = 0;
    for clip in &track.clips {
        let start = clip_start(clip, previous_end);
        let end = start.saturating_add(clip.timeline_duration());
        out.push((start, end));
        previous_end = end;
    }
    out
}

/// Where `clip` starts when the clip before it ends at `previous_end`.
pub(crate) fn clip_start(clip: &Clip, previous_end: Micros) -> Micros {
    match (&clip.transition_in, clip.start) {
        (Some(t), _) => previous_end - t.duration,
        (None, Some(start)) => start,
        (None, None) => previous_end,
    }
}

/// A clip placed on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedClip {
    /// The clip's id.
    pub id: String,
    /// Where it starts on the timeline.
    pub start: Micros,
    /// Where it ends (`start + duration`).
    pub end: Micros,
    /// Its length on the timeline.
    pub duration: Micros,
    /// The first output frame it covers: `frame_at(start)`.
    pub frame_start: i64,
    /// How many output frames it covers: `frame_at(end) - frame_at(start)`.
    pub frame_count: i64,
    /// The length of the transition into it (overlapping the clip before), or 0.
    pub transition_in: Micros,
}

/// A track laid out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedTrack {
    /// The track's id.
    pub id: String,
    /// Where its last clip ends (0 when empty).
    pub duration: Micros,
    /// Its clips in playback order.
    pub clips: Vec<PlacedClip>,
}

/// The timeline laid out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// Where the last clip of any track ends.
    pub duration: Micros,
    /// The total number of output frames, `frame_at(duration)`.
    pub frames: i64,
    /// Tracks in z-order.
    pub tracks: Vec<PlacedTrack>,
}

/// Lays out every track. Frame ranges come from snapping each boundary once
/// ([`Rational::frame_at`]) rather than rounding each clip's length, so frame counts of
/// back-to-back clips add up with no drift over long timelines.
///
/// ```
/// use serde_json::json;
/// use stoat_core::*;
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({"fps": "30"})).unwrap() { evolve(&mut state, &e); }
/// let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo { duration: 60_000_000,
///     has_video: true, has_audio: true, ..MediaInfo::default() })]);
/// let edits = [json!({"op": "add_clip", "source": "/m/a.mp4", "out": 1.01}),
///              json!({"op": "add_clip", "source": "/m/a.mp4", "out": 1.01})];
/// for e in decide(&state, &edits, &media, &Env::default()).unwrap() { evolve(&mut state, &e); }
/// let l = layout(state.as_ref().unwrap());
/// let clips = &l.tracks[0].clips;
/// assert_eq!(clips[1].start, 1_010_000);
/// assert_eq!((clips[0].frame_count, clips[1].frame_count), (30, 31)); // 30.3, 60.6
/// assert_eq!(l.frames, 61);
/// ```
pub fn layout(timeline: &Timeline) -> Layout {
    layout_at(timeline, timeline.doc.output.fps)
}

/// [`layout`] with frames counted at `fps` instead of the project's rate (a render at a
/// custom frame rate).
pub(crate) fn layout_at(timeline: &Timeline, fps: Rational) -> Layout {
    let tracks: Vec<PlacedTrack> = timeline
        .doc
        .tracks
        .iter()
        .map(|t| place_track(t, fps))
        .collect();
    let duration = tracks.iter().map(|t| t.duration).max().unwrap_or(0);
    Layout {
        duration,
        frames: fps.frame_at(duration),
        tracks,
    }
}

fn place_track(track: &Track, fps: Rational) -> PlacedTrack {
    let spans = spans(track);
    let clips: Vec<PlacedClip> = track
        .clips
        .iter()
        .zip(&spans)
        .map(|(clip, &(start, end))| {
            let frame_start = fps.frame_at(start);
            PlacedClip {
                id: clip.id.clone(),
                start,
                end,
                duration: end - start,
                frame_start,
                frame_count: fps.frame_at(end) - frame_start,
                transition_in: clip.transition_in.as_ref().map_or(0, |t| t.duration),
            }
        })
        .collect();
    PlacedTrack {
        id: track.id.clone(),
        duration: spans.last().map_or(0, |s| s.1),
        clips,
    }
}

/// The layout in wire units: seconds (and `duration_us`, exact), frame ranges, and the
/// kind, source span and track of every clip.
pub fn layout_wire(timeline: &Timeline) -> Value {
    let l = layout(timeline);
    let s = micros_to_seconds;
    let tracks: Vec<Value> = timeline
        .doc
        .tracks
        .iter()
        .zip(&l.tracks)
        .map(|(track, placed)| {
            let clips: Vec<Value> = track
                .clips
                .iter()
                .zip(&placed.clips)
                .map(|(clip, p)| {
                    json!({
                        "id": p.id,
                        "kind": clip.kind.as_str(),
                        "source": clip.source,
                        "in": clip.in_point.map(s),
                        "out": clip.out_point.map(s),
                        "start": s(p.start),
                        "end": s(p.end),
                        "duration": s(p.duration),
                        "frame_start": p.frame_start,
                        "frame_count": p.frame_count,
                        "transition_in": s(p.transition_in),
                    })
                })
                .collect();
            json!({
                "id": track.id,
                "kind": track.kind.as_str(),
                "duration": s(placed.duration),
                "clips": clips,
            })
        })
        .collect();
    json!({
        "duration": s(l.duration),
        "duration_us": l.duration,
        "frames": l.frames,
        "tracks": tracks,
    })
}
