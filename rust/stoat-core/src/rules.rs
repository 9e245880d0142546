//! Checks shared by several edits: id syntax and source spans.

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::time::{format_seconds, Micros};

/// The longest id.
pub const MAX_ID_LEN: usize = 64;
/// How many existing ids a `*_not_found` error lists at most.
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
        errors.push(crate::spec::invalid_id(key, id).at(key));
    }
    ok
}

/// Which of `in` and `out` the edit itself gave (errors point at what the caller wrote).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Given {
    pub in_point: bool,
    pub out_point: bool,
}

/// Checks a media clip's source span `[in_point, out_point)` against its source's
/// duration: `in < out` and `out <= duration`. Returns whether the span is acceptable.
/// (Length on the timeline, at least one frame, is an invariant checked after the edit.)
pub(crate) fn check_span(
    (in_point, out_point): (Micros, Micros),
    given: Given,
    duration: Micros,
    errors: &mut ValidationErrors,
) -> bool {
    let before = errors.errors().len();
    let key = if given.out_point || !given.in_point {
        "out"
    } else {
        "in"
    };
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
    }
    if out_point > duration {
        let key = if given.out_point { "out" } else { "in" };
        errors.push(
            ValidationError::new(
                ErrorCode::OutBeyondDuration,
                format!(
                    "out ({} s) is past the end of the source ({} s)",
                    format_seconds(out_point),
                    format_seconds(duration)
                ),
            )
            .at(key)
            .hint(format!(
                "out must be at most {} s, the source's duration",
                format_seconds(duration)
            ))
            .ctx_seconds("out", out_point)
            .ctx_seconds("max", duration),
        );
    }
    errors.errors().len() == before
}
