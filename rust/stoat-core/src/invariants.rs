//! The rules every accepted state keeps, checked on the whole document after each edit:
//! no overlaps on a track except where a transition overlaps two clips, transitions that
//! fit both clips, clips at least a frame long, a bounded timeline, and references (the
//! layout, ducking) that point at things of the right kind.
//!
//! Checking everything after each edit (O(clips)) means no edit can break a rule that its
//! own checks forgot. Problems come back without a location; the decider places them on
//! the edit.

use crate::error::{ErrorCode, ValidationError};
use crate::layouts::referenced_ids;
use crate::model::{Doc, Track, TrackKind, MAX_TIMELINE_DURATION};
use crate::placement::spans;
use crate::time::{format_seconds, Micros, Rational};

/// Every broken rule in `doc`.
pub(crate) fn check(doc: &Doc) -> Vec<ValidationError> {
    let mut problems = Vec::new();
    for track in &doc.tracks {
        check_track(track, doc.output.fps, &mut problems);
    }
    check_ducking(doc, &mut problems);
    check_layout(doc, &mut problems);
    problems
}

#[allow(clippy::too_many_lines)] // the rules read best in one pass over the clips
fn check_track(track: &Track, fps: Rational, problems: &mut Vec<ValidationError>) {
    let spans = spans(track);
    let min = fps.frame_duration_ceil();
    let mut previous_end: Micros = 0;
    for (i, (clip, &(start, end))) in track.clips.iter().zip(&spans).enumerate() {
        let duration = end - start;
        if duration < min {
            problems.push(
                ValidationError::new(
                    ErrorCode::ClipTooShort,
                    format!(
                        "clip {:?} would last {} s, less than one frame ({} s)",
                        clip.id,
                        format_seconds(duration),
                        format_seconds(min)
                    ),
                )
                .hint(format!(
                    "make the clip at least {} s long on the timeline",
                    format_seconds(min)
                ))
                .ctx("clip_id", clip.id.as_str())
                .ctx_seconds("duration", duration)
                .ctx_seconds("min_duration", min),
            );
        }
        match &clip.transition_in {
            Some(t) => {
                let previous = i.checked_sub(1).map(|p| (&track.clips[p], spans[p]));
                if clip.start.is_some() {
                    problems.push(
                        ValidationError::new(
                            ErrorCode::StartWithTransition,
                            format!("clip {:?} has a transition into it and an absolute start", clip.id),
                        )
                        .hint("a clip after a transition follows the clip before it: set its start to null, or remove the transition")
                        .ctx("clip_id", clip.id.as_str()),
                    );
                }
                if let Some((prev, (prev_start, prev_end))) = previous {
                    // Each clip covers its transitions in and out, so the transition
                    // fits in what the neighbours' other transitions leave.
                    let prev_in = prev.transition_in.as_ref().map_or(0, |p| p.duration);
                    let max =
                        (duration - next_transition(track, i)).min(prev_end - prev_start - prev_in);
                    if t.duration > max {
                        problems.push(transition_too_long(&prev.id, &clip.id, t.duration, max));
                    }
                } else {
                    problems.push(
                        ValidationError::new(
                            ErrorCode::ClipsNotAdjacent,
                            format!(
                                "clip {:?} has a transition into it but no clip before it",
                                clip.id
                            ),
                        )
                        .hint("remove the transition")
                        .ctx("clip_id", clip.id.as_str()),
                    );
                }
            }
            None => {
                if start < previous_end {
                    let before = &track.clips[i - 1];
                    problems.push(
                        ValidationError::new(
                            ErrorCode::ClipsOverlap,
                            format!(
                                "clip {:?} would start at {} s, before clip {:?} ends at {} s on track {:?}",
                                clip.id,
                                format_seconds(start),
                                before.id,
                                format_seconds(previous_end),
                                track.id
                            ),
                        )
                        .hint(format!(
                            "start it at {} s or later, leave start out to follow the clip before, or put it on another track",
                            format_seconds(previous_end)
                        ))
                        .ctx("clip_id", clip.id.as_str())
                        .ctx("other_clip_id", before.id.as_str())
                        .ctx("track_id", track.id.as_str())
                        .ctx_seconds("start", start)
                        .ctx_seconds("min_start", previous_end),
                    );
                }
            }
        }
        if end > MAX_TIMELINE_DURATION {
            problems.push(
                ValidationError::new(
                    ErrorCode::TimelineTooLong,
                    format!(
                        "the timeline would last longer than {} s",
                        format_seconds(MAX_TIMELINE_DURATION)
                    ),
                )
                .hint("shorten or remove clips first")
                .ctx_seconds("max_duration", MAX_TIMELINE_DURATION),
            );
        }
        previous_end = end;
    }
}

/// The duration of the transition out of clip `i` (into clip `i + 1`), or 0.
fn next_transition(track: &Track, i: usize) -> Micros {
    track
        .clips
        .get(i + 1)
        .and_then(|c| c.transition_in.as_ref())
        .map_or(0, |t| t.duration)
}

fn transition_too_long(from: &str, to: &str, duration: Micros, max: Micros) -> ValidationError {
    ValidationError::new(
        ErrorCode::TransitionTooLong,
        format!(
            "the {} s transition from {from:?} to {to:?} does not fit in both clips",
            format_seconds(duration)
        ),
    )
    .hint(format!(
        "use a transition of at most {} s (each clip must cover its transitions in and out)",
        format_seconds(max.max(0))
    ))
    .ctx("from_clip_id", from)
    .ctx("to_clip_id", to)
    .ctx_seconds("duration", duration)
    .ctx_seconds("max", max.max(0))
}

fn check_ducking(doc: &Doc, problems: &mut Vec<ValidationError>) {
    for track in &doc.tracks {
        let Some(ducking) = &track.ducking else {
            continue;
        };
        if track.kind != TrackKind::Audio || track.role.as_deref() != Some("music") {
            problems.push(
                ValidationError::new(
                    ErrorCode::RoleMismatch,
                    format!(
                        "track {:?} ducks but is not an audio track with role music",
                        track.id
                    ),
                )
                .hint("put ducking on a music track, or set its role to music")
                .ctx("track_id", track.id.as_str()),
            );
        }
        match doc.track(&ducking.under) {
            None => problems.push(
                ValidationError::new(
                    ErrorCode::StillReferenced,
                    format!(
                        "track {:?} ducks under track {:?}, which does not exist",
                        track.id, ducking.under
                    ),
                )
                .hint(format!(
                    "turn off the ducking of {:?} first (update_track ducking: null)",
                    track.id
                ))
                .ctx("track_id", track.id.as_str())
                .ctx("under", ducking.under.as_str()),
            ),
            Some(voice)
                if voice.kind != TrackKind::Audio || voice.role.as_deref() != Some("voice") =>
            {
                problems.push(
                    ValidationError::new(
                        ErrorCode::RoleMismatch,
                        format!("track {:?} ducks under {:?}, which is not an audio track with role voice", track.id, voice.id),
                    )
                    .hint("duck under an audio track whose role is voice")
                    .ctx("track_id", track.id.as_str())
                    .ctx("under", voice.id.as_str()),
                );
            }
            Some(_) => {}
        }
    }
}

fn check_layout(doc: &Doc, problems: &mut Vec<ValidationError>) {
    let Some(layout) = &doc.layout else { return };
    let mut seen: Vec<&str> = Vec::new();
    for (key, id) in referenced_ids(layout) {
        if seen.contains(&id) {
            problems.push(
                ValidationError::new(
                    ErrorCode::DuplicateValue,
                    format!("the layout names {id:?} twice"),
                )
                .hint("name each track or clip once")
                .ctx("id", id),
            );
        }
        seen.push(id);
        let visual = match (doc.track(id), doc.find_clip(id)) {
            (Some(track), _) => Some(track.kind.is_visual()),
            (None, Some((t, _))) => Some(doc.tracks[t].kind.is_visual() && key == "regions"),
            (None, None) => None,
        };
        match visual {
            None => problems.push(
                ValidationError::new(
                    ErrorCode::StillReferenced,
                    format!("the layout names {id:?}, which does not exist"),
                )
                .hint("change the layout first (set_layout), or keep what it names")
                .ctx("id", id),
            ),
            Some(false) => problems.push(
                ValidationError::new(
                    ErrorCode::RoleMismatch,
                    format!("the layout's {key} names {id:?}, which shows no picture there"),
                )
                .hint(if key == "track_id" {
                    "picture-in-picture takes a video or overlay track"
                } else {
                    "regions take video or overlay tracks, or clips on them"
                })
                .ctx("id", id),
            ),
            Some(true) => {}
        }
    }
}
