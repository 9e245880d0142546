//! Checks shared by several edits: id syntax, clip lookup, time spans.
//!
//! Each check appends located errors (relative to the edit) to a list and returns what the
//! caller needs to go on, so that one edit reports every problem it has.

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::model::{Timeline, MAX_TIMELINE_DURATION};
use crate::time::{format_seconds, Micros, Rational};

/// The longest id.
pub const MAX_ID_LEN: usize = 64;
/// How many existing ids a `clip_not_found` error lists at most.
pub const MAX_LISTED_IDS: usize = 20;

/// Whether `id` is 1 to 64 characters of `[A-Za-z0-9_.-]`.
///
/// ```
/// use stoat_core::is_valid_id;
/// assert!(is_valid_id("clip-1"));
/// assert!(!is_valid_id("clip 1"));
/// assert!(!is_valid_id(""));
/// ```
pub fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Records `invalid_id` at `key` unless `id` is valid.
pub(crate) fn check_id(key: &'static str, id: &str, errors: &mut ValidationErrors) -> bool {
    let ok = is_valid_id(id);
    if !ok {
        errors.push(
            ValidationError::new(
                ErrorCode::InvalidId,
                format!("{key} must be 1 to {MAX_ID_LEN} characters of A-Z, a-z, 0-9, _ . -"),
            )
            .at(key)
            .hint(format!(
                "choose a {key} such as \"intro-1\", or leave it out"
            ))
            .ctx("value", id)
            .ctx("pattern", "^[A-Za-z0-9_.-]{1,64}$"),
        );
    }
    ok
}

/// Records `clip_not_found` at `clip_id` unless the clip exists; returns its position.
pub(crate) fn find_clip(
    timeline: &Timeline,
    id: &str,
    errors: &mut ValidationErrors,
) -> Option<usize> {
    let found = timeline.position(id);
    if found.is_none() {
        let ids: Vec<&str> = timeline
            .clips
            .iter()
            .take(MAX_LISTED_IDS)
            .map(|c| c.id.as_str())
            .collect();
        let hint = if ids.is_empty() {
            "the timeline has no clips; add one first".to_owned()
        } else {
            let more = timeline.clips.len() - ids.len();
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            format!("use one of the existing clip ids: {}{tail}", ids.join(", "))
        };
        errors.push(
            ValidationError::new(ErrorCode::ClipNotFound, format!("no clip has id {id:?}"))
                .at("clip_id")
                .hint(hint)
                .ctx("clip_id", id)
                .ctx("existing", ids)
                .ctx("existing_count", timeline.clips.len()),
        );
    }
    found
}

/// Which of `in` and `out` the edit itself gave (errors point at what the caller wrote).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Given {
    pub in_point: bool,
    pub out_point: bool,
}

impl Given {
    /// The key to blame for a problem involving both points: `out` when given.
    fn span_key(self) -> &'static str {
        if self.out_point || !self.in_point {
            "out"
        } else {
            "in"
        }
    }
}

/// Checks a clip span `[in_point, out_point)` against its source's duration and the
/// output frame rate: non-negative times, `in < out`, `out <= duration`, at least one
/// frame long. Returns whether the span is acceptable.
pub(crate) fn check_span(
    (in_point, out_point): (Micros, Micros),
    given: Given,
    duration: Option<Micros>,
    fps: Rational,
    errors: &mut ValidationErrors,
) -> bool {
    let before = errors.errors().len();
    for (key, value, was_given) in [
        ("in", in_point, given.in_point),
        ("out", out_point, given.out_point),
    ] {
        if was_given && value < 0 {
            errors.push(
                ValidationError::new(
                    ErrorCode::TimeNegative,
                    format!("{key} must not be negative"),
                )
                .at(key)
                .hint(format!(
                    "{key} is seconds from the start of the source; use 0 or more"
                ))
                .ctx_seconds("value", value),
            );
        }
    }
    if errors.errors().len() > before {
        return false;
    }
    let key = given.span_key();
    if in_point >= out_point {
        errors.push(
            ValidationError::new(
                ErrorCode::InNotBeforeOut,
                format!(
                    "in ({} s) must be before out ({} s)",
                    format_seconds(in_point),
                    format_seconds(out_point)
                ),
            )
            .at(key)
            .hint("make out greater than in; both are seconds into the source")
            .ctx_seconds("in", in_point)
            .ctx_seconds("out", out_point),
        );
    } else {
        let min = fps.frame_duration_ceil();
        if out_point - in_point < min {
            errors.push(
                ValidationError::new(
                    ErrorCode::ClipTooShort,
                    format!(
                        "a clip must last at least one frame ({} s)",
                        format_seconds(min)
                    ),
                )
                .at(key)
                .hint(format!(
                    "make out at least {} s after in",
                    format_seconds(min)
                ))
                .ctx_seconds("duration", out_point - in_point)
                .ctx_seconds("min_duration", min),
            );
        }
    }
    if let Some(duration) = duration {
        if given.out_point && out_point > duration {
            errors.push(
                ValidationError::new(
                    ErrorCode::OutBeyondDuration,
                    format!(
                        "out ({} s) is past the end of the source ({} s)",
                        format_seconds(out_point),
                        format_seconds(duration)
                    ),
                )
                .at("out")
                .hint(format!(
                    "out must be at most {} s, the source's duration",
                    format_seconds(duration)
                ))
                .ctx_seconds("out", out_point)
                .ctx_seconds("max", duration),
            );
        }
    }
    errors.errors().len() == before
}

/// Records `timeline_too_long` at `key` when a timeline of `current` micros would grow by
/// `delta` beyond [`MAX_TIMELINE_DURATION`].
pub(crate) fn check_timeline_growth(
    key: &'static str,
    current: Micros,
    delta: Micros,
    errors: &mut ValidationErrors,
) {
    let total = i128::from(current) + i128::from(delta);
    if total > i128::from(MAX_TIMELINE_DURATION) {
        errors.push(
            ValidationError::new(
                ErrorCode::TimelineTooLong,
                format!(
                    "the timeline would last longer than {} s",
                    format_seconds(MAX_TIMELINE_DURATION)
                ),
            )
            .at(key)
            .hint("shorten or remove clips first")
            .ctx_seconds("max_duration", MAX_TIMELINE_DURATION),
        );
    }
}
