//! Lookups and checks that several ops share, each giving a located error an agent can
//! act on (the hint names the ids that exist, or the valid range).

use serde_json::Value;

use crate::error::{ErrorCode, ValidationError};
use crate::events::{Change, TransitionRemoved};
use crate::model::{ClipAt, ClipKind, Doc, MediaInfo, Track, TrackKind};
use crate::placement::spans;
use crate::rules::MAX_LISTED_IDS;
use crate::time::Micros;

/// A `*_not_found` error for `id` at `key`, listing up to 20 ids that do exist.
pub(crate) fn not_found<'a>(
    code: ErrorCode,
    what: &str,
    key: &str,
    id: &str,
    existing: impl Iterator<Item = &'a str>,
) -> ValidationError {
    let all: Vec<&str> = existing.collect();
    let listed: Vec<&str> = all.iter().copied().take(MAX_LISTED_IDS).collect();
    let hint = if listed.is_empty() {
        format!("the project has no {what}s; add one first")
    } else {
        let more = all.len() - listed.len();
        let tail = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        format!(
            "use one of the existing {what} ids: {}{tail}",
            listed.join(", ")
        )
    };
    ValidationError::new(code, format!("no {what} has id {id:?}"))
        .at(key)
        .hint(hint)
        .ctx(key, id)
        .ctx("existing", listed)
        .ctx("existing_count", all.len())
}

/// The index of track `id`, or `track_not_found` at `key`.
pub(crate) fn find_track(doc: &Doc, key: &str, id: &str) -> Result<usize, ValidationError> {
    doc.track_index(id).ok_or_else(|| {
        not_found(
            ErrorCode::TrackNotFound,
            "track",
            key,
            id,
            doc.tracks.iter().map(|t| t.id.as_str()),
        )
    })
}

/// Where clip `id` is, or `clip_not_found` at `key`.
pub(crate) fn find_clip(doc: &Doc, key: &str, id: &str) -> Result<ClipAt, ValidationError> {
    doc.find_clip(id).ok_or_else(|| {
        not_found(
            ErrorCode::ClipNotFound,
            "clip",
            key,
            id,
            doc.tracks
                .iter()
                .flat_map(|t| t.clips.iter().map(|c| c.id.as_str())),
        )
    })
}

/// Where effect `id` is, or `effect_not_found` at `key`.
pub(crate) fn find_effect(
    doc: &Doc,
    key: &str,
    id: &str,
) -> Result<(usize, usize, usize), ValidationError> {
    doc.find_effect(id).ok_or_else(|| {
        not_found(
            ErrorCode::EffectNotFound,
            "effect",
            key,
            id,
            doc.tracks.iter().flat_map(|t| {
                t.clips
                    .iter()
                    .flat_map(|c| c.effects.iter().map(|e| e.id.as_str()))
            }),
        )
    })
}

/// An error at `key` when a caller-chosen id is already used by a track, clip or effect.
pub(crate) fn id_taken(
    doc: &Doc,
    taken: &[String],
    key: &str,
    id: &str,
    code: ErrorCode,
) -> Option<ValidationError> {
    (doc.id_in_use(id) || taken.iter().any(|t| t == id)).then(|| {
        ValidationError::new(code, format!("the id {id:?} is already used"))
            .at(key)
            .hint(format!(
                "choose another {key} (ids are unique across tracks, clips and effects), or leave it out to get a generated one"
            ))
            .ctx(key, id)
    })
}

/// An `index_out_of_range` error at `key` for an index that must be `0..=max`.
pub(crate) fn index_error(key: &str, value: i64, max: usize) -> ValidationError {
    ValidationError::new(
        ErrorCode::IndexOutOfRange,
        format!("{key} must be from 0 to {max}, not {value}"),
    )
    .at(key)
    .hint(format!("use an {key} from 0 to {max}, or leave it out"))
    .ctx("value", value)
    .ctx("min", 0)
    .ctx("max", max)
}

/// A checked index `0..=max`, or the error.
pub(crate) fn checked_index(key: &str, value: i64, max: usize) -> Result<usize, ValidationError> {
    usize::try_from(value)
        .ok()
        .filter(|i| *i <= max)
        .ok_or_else(|| index_error(key, value, max))
}

/// `nothing_to_update` at the edit, naming the fields that could be given.
pub(crate) fn nothing_to_update(what: &str, fields: &[&str]) -> ValidationError {
    ValidationError::new(
        ErrorCode::NothingToUpdate,
        format!("the edit changes nothing on the {what}"),
    )
    .hint(format!("give at least one of: {}", fields.join(", ")))
    .ctx("fields", fields.to_vec())
}

/// `field_not_applicable` at `key`.
pub(crate) fn not_applicable(key: &str, why: &str) -> ValidationError {
    ValidationError::new(
        ErrorCode::FieldNotApplicable,
        format!("{key} does not apply: {why}"),
    )
    .at(key)
    .hint(format!("remove {key}"))
}

/// Checks that a clip of `kind` (with `media`, for media clips) can go on `track`;
/// errors at `key`.
pub(crate) fn check_fits_track(
    track: &Track,
    kind: ClipKind,
    media: Option<&MediaInfo>,
    key: &str,
) -> Result<(), ValidationError> {
    match (track.kind, kind) {
        (TrackKind::Audio, ClipKind::Media) if media.is_some_and(|m| !m.has_audio) => {
            Err(ValidationError::new(
                ErrorCode::SourceHasNoAudio,
                format!(
                    "track {:?} is an audio track and the source has no sound",
                    track.id
                ),
            )
            .at(key)
            .hint("put the clip on a video or overlay track, or use a source with audio")
            .ctx("track_id", track.id.as_str()))
        }
        (TrackKind::Audio, ClipKind::Media) => Ok(()),
        (TrackKind::Audio, other) => Err(ValidationError::new(
            ErrorCode::ClipKindNotAllowed,
            format!("an audio track cannot hold a {} clip", other.as_str()),
        )
        .at(key)
        .hint("put image, colour and text clips on a video or overlay track")
        .ctx("track_id", track.id.as_str())
        .ctx("kind", other.as_str())),
        (_, ClipKind::Media) if media.is_some_and(|m| !m.has_video) => Err(ValidationError::new(
            ErrorCode::SourceHasNoVideo,
            format!(
                "track {:?} shows pictures and the source has none",
                track.id
            ),
        )
        .at(key)
        .hint("put audio-only sources on an audio track (add_track kind audio)")
        .ctx("track_id", track.id.as_str())),
        _ => Ok(()),
    }
}

/// The index at which a clip starting at `start` goes in time order on `track`
/// (after every clip that starts at or before it), ignoring the clip `skip`.
pub(crate) fn index_for_start(track: &Track, start: Micros, skip: Option<&str>) -> usize {
    let spans = spans(track);
    track
        .clips
        .iter()
        .zip(&spans)
        .filter(|(c, _)| Some(c.id.as_str()) != skip)
        .take_while(|(_, s)| s.0 <= start)
        .count()
}

/// `TransitionRemoved` for every transition on track `t` whose two clips stop being
/// neighbours when the track's clips become `new_order` (ids).
pub(crate) fn broken_transitions(doc: &Doc, t: usize, new_order: &[&str]) -> Vec<Change> {
    let clips = &doc.tracks[t].clips;
    let mut out = Vec::new();
    for (i, clip) in clips.iter().enumerate() {
        let Some(transition) = &clip.transition_in else {
            continue;
        };
        let Some(before) = i.checked_sub(1).map(|p| clips[p].id.as_str()) else {
            continue;
        };
        let now_before = new_order
            .iter()
            .position(|id| *id == clip.id)
            .and_then(|p| p.checked_sub(1))
            .map(|p| new_order[p]);
        if now_before != Some(before) {
            out.push(Change::TransitionRemoved(TransitionRemoved {
                from_clip_id: before.to_owned(),
                to_clip_id: clip.id.clone(),
                transition: transition.clone(),
            }));
        }
    }
    out
}

/// The ids of track `t` in order.
pub(crate) fn order(doc: &Doc, t: usize) -> Vec<&str> {
    doc.tracks[t].clips.iter().map(|c| c.id.as_str()).collect()
}

/// The integer (microseconds) at `key`, when present.
pub(crate) fn micros(args: &crate::spec::Obj, key: &str) -> Option<Micros> {
    args.get(key).and_then(Value::as_i64)
}

/// A `crop_too_large` error (relative to the transform) when the crop leaves nothing.
pub(crate) fn check_crop(transform: &crate::model::Transform) -> Option<ValidationError> {
    let c = transform.crop;
    let (key, total) = if c.left + c.right >= 1.0 {
        ("right", c.left + c.right)
    } else if c.top + c.bottom >= 1.0 {
        ("bottom", c.top + c.bottom)
    } else {
        return None;
    };
    Some(
        ValidationError::new(
            ErrorCode::CropTooLarge,
            format!("the crop removes the whole picture ({total} of it on one axis)"),
        )
        .at("crop")
        .at(key)
        .hint("keep left + right and top + bottom below 1")
        .ctx("total", total),
    )
}
