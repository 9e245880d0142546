//! The project in wire units (seconds), as `state()` shows it and agents send it back:
//! borrowed views that serialise straight to JSON or to Python data, without building
//! an intermediate tree.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::{
    Clip, ClipKind, Ducking, Effect, MediaInfo, Origin, OutputSettings, Timeline, Track, Transform,
    Transition,
};
use crate::easing::Keyframe;
use crate::spec::Obj;
use crate::time::{micros_to_seconds as s, Rational};

/// A held frame in seconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct WireFreeze {
    at: f64,
    duration: f64,
}

/// A keyframe in seconds.
#[derive(Clone, Debug, Serialize)]
pub struct WireKeyframe<'a> {
    time: f64,
    value: f64,
    easing: &'a str,
}

/// A transition in seconds.
#[derive(Clone, Debug, Serialize)]
pub struct WireTransition<'a> {
    name: &'a str,
    duration: f64,
    audio_curve: &'a str,
}

/// Probed facts, duration in seconds.
#[derive(Clone, Debug, Serialize)]
pub struct WireMedia {
    duration: f64,
    has_video: bool,
    has_audio: bool,
    width: Option<u32>,
    height: Option<u32>,
    fps: Option<Rational>,
    rotation: i64,
    sample_rate: Option<u32>,
    channels: Option<u32>,
}

/// A clip in wire units: the fields `add_clip` takes, plus read-only `timeline_duration`
/// and `media`.
#[derive(Clone, Debug, Serialize)]
pub struct WireClip<'a> {
    id: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    in_point: Option<f64>,
    #[serde(rename = "out", skip_serializing_if = "Option::is_none")]
    out_point: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    style: Option<&'a Obj>,
    start: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    speed: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reverse: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(clippy::option_option)] // absent for other kinds, null for no freeze
    freeze: Option<Option<WireFreeze>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    volume: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<bool>,
    transform: &'a Transform,
    effects: Vec<Value>,
    keyframes: BTreeMap<&'a str, Vec<WireKeyframe<'a>>>,
    transition_in: Option<WireTransition<'a>>,
    timeline_duration: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<WireMedia>,
}

/// Ducking in seconds.
#[derive(Clone, Debug, Serialize)]
pub struct WireDucking<'a> {
    under: &'a str,
    threshold: f64,
    ratio: f64,
    attack: f64,
    release: f64,
}

/// A track in wire units, with its clips unless left out.
#[derive(Clone, Debug, Serialize)]
pub struct WireTrack<'a> {
    id: &'a str,
    kind: &'static str,
    name: &'a str,
    muted: bool,
    hidden: bool,
    volume: f64,
    role: Option<&'a str>,
    ducking: Option<WireDucking<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clips: Option<Vec<WireClip<'a>>>,
}

/// The output settings in wire units.
#[derive(Clone, Debug, Serialize)]
pub struct WireOutput<'a> {
    width: u32,
    height: u32,
    fps: Rational,
    sample_rate: u32,
    background: &'a str,
    loudness: Option<super::Loudness>,
}

/// The whole project in wire units, as `state()` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct WireTimeline<'a> {
    project_id: &'a str,
    name: &'a str,
    version: u64,
    origin: Option<&'a Origin>,
    can_undo: usize,
    can_redo: usize,
    output: WireOutput<'a>,
    layout: Option<&'a Obj>,
    tracks: Vec<WireTrack<'a>>,
}

/// An effect in wire units: `{"id", "type", "params"}`.
pub(crate) fn effect_wire(effect: &Effect) -> Value {
    let params = crate::effects::params_to_wire(&effect.kind, &effect.params);
    json!({"id": effect.id, "type": effect.kind, "params": params})
}

fn keyframe_list(frames: &[Keyframe]) -> Vec<WireKeyframe<'_>> {
    frames
        .iter()
        .map(|k| WireKeyframe {
            time: s(k.time),
            value: k.value,
            easing: &k.easing,
        })
        .collect()
}

/// Keyframes in wire units.
pub(crate) fn keyframes_wire(frames: &[Keyframe]) -> Value {
    serde_json::to_value(keyframe_list(frames)).unwrap_or(Value::Null)
}

fn transition_view(t: &Transition) -> WireTransition<'_> {
    WireTransition {
        name: &t.name,
        duration: s(t.duration),
        audio_curve: &t.audio_curve,
    }
}

/// A transition in wire units.
pub(crate) fn transition_wire(t: &Transition) -> Value {
    serde_json::to_value(transition_view(t)).unwrap_or(Value::Null)
}

fn media_view(m: &MediaInfo) -> WireMedia {
    WireMedia {
        duration: s(m.duration),
        has_video: m.has_video,
        has_audio: m.has_audio,
        width: m.width,
        height: m.height,
        fps: m.fps,
        rotation: m.rotation,
        sample_rate: m.sample_rate,
        channels: m.channels,
    }
}

impl Clip {
    /// The clip in wire units, as a borrowed view.
    pub fn wire(&self) -> WireClip<'_> {
        let media = self.kind == ClipKind::Media;
        WireClip {
            id: &self.id,
            kind: self.kind.as_str(),
            source: self.source.as_deref(),
            in_point: self.in_point.map(s),
            out_point: self.out_point.map(s),
            duration: self.duration.map(s),
            color: self.color.as_deref(),
            text: self.text.as_deref(),
            style: self.style.as_ref(),
            start: self.start.map(s),
            speed: media.then_some(self.speed),
            reverse: media.then_some(self.reverse),
            freeze: media.then(|| {
                self.freeze.map(|f| WireFreeze {
                    at: s(f.at),
                    duration: s(f.duration),
                })
            }),
            volume: media.then_some(self.volume),
            muted: media.then_some(self.muted),
            transform: &self.transform,
            effects: self.effects.iter().map(effect_wire).collect(),
            keyframes: self
                .keyframes
                .iter()
                .map(|(p, k)| (p.as_str(), keyframe_list(k)))
                .collect(),
            transition_in: self.transition_in.as_ref().map(transition_view),
            timeline_duration: s(self.timeline_duration()),
            media: self.media.as_ref().map(media_view),
        }
    }

    /// The clip in wire units (seconds), as `state()` shows it.
    pub fn to_wire(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or(Value::Null)
    }
}

fn ducking_view(d: &Ducking) -> WireDucking<'_> {
    WireDucking {
        under: &d.under,
        threshold: d.threshold,
        ratio: d.ratio,
        attack: s(d.attack),
        release: s(d.release),
    }
}

impl Track {
    /// The track in wire units, with its clips when `with_clips`.
    pub fn wire(&self, with_clips: bool) -> WireTrack<'_> {
        WireTrack {
            id: &self.id,
            kind: self.kind.as_str(),
            name: &self.name,
            muted: self.muted,
            hidden: self.hidden,
            volume: self.volume,
            role: self.role.as_deref(),
            ducking: self.ducking.as_ref().map(ducking_view),
            clips: with_clips.then(|| self.clips.iter().map(|c| c.wire()).collect()),
        }
    }

    /// The track's settings in wire units, without its clips.
    pub fn settings_wire(&self) -> Value {
        serde_json::to_value(self.wire(false)).unwrap_or(Value::Null)
    }
}

impl OutputSettings {
    /// The settings in wire units, as a borrowed view.
    pub fn wire(&self) -> WireOutput<'_> {
        WireOutput {
            width: self.width,
            height: self.height,
            fps: self.fps,
            sample_rate: self.sample_rate,
            background: &self.background,
            loudness: self.loudness,
        }
    }

    /// The settings in wire form (what `state()` shows and `set_output` takes).
    pub(crate) fn to_wire(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or(Value::Null)
    }
}

impl Timeline {
    /// The project in wire units, as a borrowed view (serialise it with serde).
    pub fn wire(&self) -> WireTimeline<'_> {
        WireTimeline {
            project_id: &self.project_id,
            name: &self.name,
            version: self.version,
            origin: self.origin.as_ref(),
            can_undo: self.history.undo_len(),
            can_redo: self.history.redo_len(),
            output: self.doc.output.wire(),
            layout: self.doc.layout.as_ref(),
            tracks: self.doc.tracks.iter().map(|t| t.wire(true)).collect(),
        }
    }

    /// The project as plain data in wire units (seconds), as the API shows it.
    pub fn to_wire(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or(Value::Null)
    }
}
