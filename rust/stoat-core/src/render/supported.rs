//! What this render compiler draws: media clips back to back on one video track, with
//! their sound, at neutral settings. Everything else is reported, not dropped.

use crate::error::{ErrorCode, LocItem, ValidationError, ValidationErrors};
use crate::model::{ClipKind, Timeline, TrackKind, Transform};

/// The index of the track rendered: the first video track with clips.
pub(super) fn main_track(timeline: &Timeline) -> usize {
    let tracks = &timeline.doc.tracks;
    tracks
        .iter()
        .position(|t| t.kind == TrackKind::Video && !t.clips.is_empty())
        .unwrap_or(0)
}

fn unsupported(loc: &[LocItem], what: &str) -> ValidationError {
    ValidationError::new(
        ErrorCode::RenderUnsupported,
        format!("the render compiler cannot draw {what} yet"),
    )
    .prefixed(loc)
    .hint("render a timeline of media clips on one video track, or wait for the full compiler")
    .ctx("feature", what)
}

/// Every part of `timeline` this compiler cannot render, located as
/// `("tracks", i, "clips", j, field)`.
pub(super) fn check(timeline: &Timeline) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let main = main_track(timeline);
    if timeline.doc.layout.is_some() {
        errors.push(unsupported(&["layout".into()], "screen layouts"));
    }
    if timeline.doc.output.loudness.is_some() {
        errors.push(unsupported(
            &["output".into(), "loudness".into()],
            "loudness normalisation",
        ));
    }
    for (i, track) in timeline.doc.tracks.iter().enumerate() {
        let at = |rest: &[LocItem]| {
            let mut loc: Vec<LocItem> = vec!["tracks".into(), i.into()];
            loc.extend_from_slice(rest);
            loc
        };
        if i != main {
            if !track.clips.is_empty() {
                errors.push(unsupported(&at(&[]), "more than one track with clips"));
            }
            continue;
        }
        if track.muted || track.hidden || (track.volume - 1.0).abs() > f64::EPSILON {
            errors.push(unsupported(&at(&[]), "track mute, hide or volume"));
        }
        for (j, clip) in track.clips.iter().enumerate() {
            let here = |field: &str| at(&["clips".into(), j.into(), field.into()]);
            let checks = [
                (
                    clip.kind != ClipKind::Media,
                    "kind",
                    "image, colour and text clips",
                ),
                (clip.start.is_some(), "start", "clips at absolute starts"),
                (
                    (clip.speed - 1.0).abs() > f64::EPSILON,
                    "speed",
                    "speed changes",
                ),
                (clip.reverse, "reverse", "reversed clips"),
                (clip.freeze.is_some(), "freeze", "freeze frames"),
                (
                    (clip.volume - 1.0).abs() > f64::EPSILON || clip.muted,
                    "volume",
                    "clip volume",
                ),
                (
                    clip.transform != Transform::default(),
                    "transform",
                    "transforms",
                ),
                (!clip.effects.is_empty(), "effects", "effects"),
                (!clip.keyframes.is_empty(), "keyframes", "keyframes"),
                (clip.transition_in.is_some(), "transition_in", "transitions"),
            ];
            for (bad, field, what) in checks {
                if bad {
                    errors.push(unsupported(&here(field), what));
                }
            }
        }
    }
    errors
}
