//! Errors as data: one code enum with stable `snake_case` names, structured locations, and a
//! list type that carries every problem found (after pydantic-core's `errors` module).
//!
//! User errors ([`ValidationErrors`]) are kept apart from internal errors
//! ([`InternalError`]): the first are answers for the caller, the second are bugs or
//! corrupted stored data.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)*) => {
        /// What went wrong, as a stable code. Codes never change once released; add new
        /// ones instead.
        ///
        /// ```
        /// use stoat_core::ErrorCode;
        /// assert_eq!(ErrorCode::ClipNotFound.as_str(), "clip_not_found");
        /// assert_eq!(ErrorCode::from_code("clip_not_found"), Some(ErrorCode::ClipNotFound));
        /// assert!(ErrorCode::ALL.contains(&ErrorCode::EmptyBatch));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable `snake_case` name of the code.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    /// A value has the wrong JSON type (a string where an integer belongs, ...).
    WrongType => "wrong_type",
    /// A required field is absent.
    MissingField => "missing_field",
    /// A field that this object does not have.
    UnknownField => "unknown_field",
    /// An edit's `op` names no known operation.
    UnknownOp => "unknown_op",
    /// A batch with no edits.
    EmptyBatch => "empty_batch",
    /// An edit on a project that has not been created.
    ProjectNotCreated => "project_not_created",
    /// An id that is not 1 to 64 characters of `[A-Za-z0-9_.-]`.
    InvalidId => "invalid_id",
    /// A clip id that is already used on the timeline.
    ClipIdTaken => "clip_id_taken",
    /// A clip id that is not on the timeline.
    ClipNotFound => "clip_not_found",
    /// An insertion index outside `0..=len`.
    IndexOutOfRange => "index_out_of_range",
    /// A source path that has not been probed (absent from the media map).
    SourceUnknown => "source_unknown",
    /// A source without a video stream.
    SourceHasNoVideo => "source_has_no_video",
    /// A negative time.
    TimeNegative => "time_negative",
    /// `in` is not strictly before `out`.
    InNotBeforeOut => "in_not_before_out",
    /// `out` lies past the end of the source.
    OutBeyondDuration => "out_beyond_duration",
    /// A clip shorter than one output frame.
    ClipTooShort => "clip_too_short",
    /// The timeline would exceed the longest supported duration.
    TimelineTooLong => "timeline_too_long",
    /// An `update_clip` that changes nothing.
    NothingToUpdate => "nothing_to_update",
    /// A text that is empty or only whitespace.
    StringBlank => "string_blank",
    /// A text longer than allowed.
    StringTooLong => "string_too_long",
    /// A width or height that is odd or outside 2 to 8192.
    DimensionInvalid => "dimension_invalid",
    /// A frame rate that is not `N` or `N/D`.
    FpsInvalid => "fps_invalid",
    /// A frame rate outside 1 to 240.
    FpsOutOfRange => "fps_out_of_range",
    /// A sample rate that is not one of the supported rates.
    SampleRateUnsupported => "sample_rate_unsupported",
    /// A render preset that does not exist.
    UnknownPreset => "unknown_preset",
    /// A render of a timeline without clips.
    TimelineEmpty => "timeline_empty",
    /// A path that is empty, relative, or otherwise unusable.
    PathInvalid => "path_invalid",
    /// A path that does not exist.
    PathNotFound => "path_not_found",
    /// A path outside every allowed root.
    PathOutsideRoots => "path_outside_roots",
    /// A number outside its allowed range (the context gives `min` and `max`).
    ValueOutOfRange => "value_out_of_range",
    /// A string that is not one of the allowed values (the context lists them).
    InvalidChoice => "invalid_choice",
    /// A colour that is not `#RRGGBB`, `#RRGGBBAA` or a known name.
    ColorInvalid => "color_invalid",
    /// Text with characters that cannot be rendered (NUL).
    TextInvalid => "text_invalid",
    /// A file whose extension does not fit the field (a LUT must be `.cube`, ...).
    FileTypeInvalid => "file_type_invalid",
    /// A list with fewer items than allowed.
    ListTooShort => "list_too_short",
    /// A list with more items than allowed.
    ListTooLong => "list_too_long",
    /// A path the caller did not check (absent from `env.files`).
    FileUnknown => "file_unknown",
    /// A track id that is not in the project.
    TrackNotFound => "track_not_found",
    /// A track id that is already used.
    TrackIdTaken => "track_id_taken",
    /// An effect id that is not in the project.
    EffectNotFound => "effect_not_found",
    /// An effect id that is already used.
    EffectIdTaken => "effect_id_taken",
    /// A clip kind that the track cannot hold (only media clips go on audio tracks).
    ClipKindNotAllowed => "clip_kind_not_allowed",
    /// A source without an audio stream where sound is needed.
    SourceHasNoAudio => "source_has_no_audio",
    /// No track can take the clip and the edit names none.
    NoSuitableTrack => "no_suitable_track",
    /// A field that does not apply to this kind of clip or track.
    FieldNotApplicable => "field_not_applicable",
    /// Two clips on one track would overlap (without a transition between them).
    ClipsOverlap => "clips_overlap",
    /// A clip that a transition leads into has an absolute start.
    StartWithTransition => "start_with_transition",
    /// A transition longer than one of its clips (or the two transitions of a clip
    /// longer than the clip).
    TransitionTooLong => "transition_too_long",
    /// Two clips that are not next to each other on one track.
    ClipsNotAdjacent => "clips_not_adjacent",
    /// No transition between the two clips.
    TransitionNotFound => "transition_not_found",
    /// Keyframe times that are not strictly increasing.
    KeyframesNotIncreasing => "keyframes_not_increasing",
    /// A clip-relative time past the clip's end.
    TimeBeyondClip => "time_beyond_clip",
    /// An effect or keyframed property that the clip cannot take (audio on a silent clip).
    EffectNotApplicable => "effect_not_applicable",
    /// Effect params that contradict each other.
    EffectInvalid => "effect_invalid",
    /// An end that is not after its start.
    EndNotAfterStart => "end_not_after_start",
    /// A freeze frame outside the clip's source span.
    FreezeOutsideSpan => "freeze_outside_span",
    /// A track whose role or kind does not fit (ducking needs music under voice).
    RoleMismatch => "role_mismatch",
    /// Something still referred to by the layout or by ducking.
    StillReferenced => "still_referenced",
    /// The same value twice where each must be unique.
    DuplicateValue => "duplicate_value",
    /// Fields that cannot be given together.
    ConflictingFields => "conflicting_fields",
    /// A crop that leaves nothing (left + right or top + bottom reach 1).
    CropTooLarge => "crop_too_large",
    /// An undo with nothing (or too little) to undo.
    NothingToUndo => "nothing_to_undo",
    /// A redo with nothing (or too little) to redo.
    NothingToRedo => "nothing_to_redo",
    /// A version that the project does not have.
    VersionOutOfRange => "version_out_of_range",
    /// Something on the timeline that the render compiler cannot render yet.
    RenderUnsupported => "render_unsupported",
}

impl ErrorCode {
    /// Looks a code up by its stable name.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code {code:?}")))
    }
}

/// One step of an error location: an object key or a list index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocItem {
    /// An object key, such as `"out"`.
    Key(String),
    /// A list index, such as the `2` of `("edits", 2, "out")`.
    Index(usize),
}

impl From<&str> for LocItem {
    fn from(key: &str) -> Self {
        Self::Key(key.to_owned())
    }
}

impl From<usize> for LocItem {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

impl fmt::Display for LocItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(k) => f.write_str(k),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// One problem found in a caller's input.
///
/// ```
/// use stoat_core::{ErrorCode, LocItem, ValidationError};
/// let e = ValidationError::new(ErrorCode::TimeNegative, "in must not be negative")
///     .at("in")
///     .prefixed(&["edits".into(), 0.into()]);
/// assert_eq!(e.loc, vec![LocItem::from("edits"), LocItem::from(0), LocItem::from("in")]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidationError {
    /// The stable code.
    pub code: ErrorCode,
    /// Where the problem is, outermost first.
    pub loc: Vec<LocItem>,
    /// A human-readable message.
    pub msg: String,
    /// What to do about it, phrased for an automated agent.
    pub hint: Option<String>,
    /// Structured details (limits, the offending value, the allowed values, ...).
    pub ctx: Map<String, Value>,
}

impl ValidationError {
    /// An error at the empty location, without hint or context.
    pub fn new(code: ErrorCode, msg: impl Into<String>) -> Self {
        Self {
            code,
            loc: Vec::new(),
            msg: msg.into(),
            hint: None,
            ctx: Map::new(),
        }
    }

    /// Appends `item` to the location (innermost last).
    #[must_use]
    pub fn at(mut self, item: impl Into<LocItem>) -> Self {
        self.loc.push(item.into());
        self
    }

    /// Puts `outer` in front of the location.
    #[must_use]
    pub fn prefixed(mut self, outer: &[LocItem]) -> Self {
        self.loc.splice(0..0, outer.iter().cloned());
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds one context entry.
    #[must_use]
    pub fn ctx(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.ctx.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a time to the context in seconds, the unit clients speak at the HTTP edge.
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // exact for any time below 2^53 µs (285 years)
    pub fn ctx_seconds(self, key: &str, micros: crate::time::Micros) -> Self {
        self.ctx(key, micros as f64 / 1_000_000.0)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc: Vec<String> = self.loc.iter().map(ToString::to_string).collect();
        write!(f, "{}: {} [{}]", loc.join("."), self.msg, self.code)
    }
}

/// Every problem found in one call, in the order found. Never empty when returned as an
/// error.
///
/// ```
/// use stoat_core::{ErrorCode, ValidationError, ValidationErrors};
/// let mut errors = ValidationErrors::default();
/// errors.push(ValidationError::new(ErrorCode::EmptyBatch, "no edits").at("edits"));
/// assert_eq!(errors.codes(), vec!["empty_batch"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<ValidationError>);

impl ValidationErrors {
    /// Adds one error.
    pub fn push(&mut self, error: ValidationError) {
        self.0.push(error);
    }

    /// Adds every error of `other`, with `outer` put in front of each location.
    pub fn extend_prefixed(&mut self, other: ValidationErrors, outer: &[LocItem]) {
        self.0
            .extend(other.0.into_iter().map(|e| e.prefixed(outer)));
    }

    /// Whether no error was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors, in the order found.
    pub fn errors(&self) -> &[ValidationError] {
        &self.0
    }

    /// The errors, by value.
    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }

    /// The codes of the errors, in order (handy in tests).
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code.as_str()).collect()
    }

    /// `Ok(value)` when no error was found, the errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(error: ValidationError) -> Self {
        Self(vec![error])
    }
}

impl From<Vec<ValidationError>> for ValidationErrors {
    fn from(errors: Vec<ValidationError>) -> Self {
        Self(errors)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} validation error{}", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A failure that is not the caller's fault: stored data that does not decode, or a broken
/// invariant. Reported as a bug, never as a 422.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InternalError {
    /// An event type name that this version does not know.
    UnknownEventType(String),
    /// Event data that does not decode as its type.
    InvalidEventData {
        /// The event type name.
        event_type: String,
        /// The decoder's message.
        reason: String,
    },
    /// A snapshot that does not decode.
    InvalidSnapshot(String),
    /// A value that could not be encoded (should never happen).
    Encode(String),
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownEventType(t) => write!(f, "unknown event type {t:?}"),
            Self::InvalidEventData { event_type, reason } => {
                write!(f, "invalid {event_type} event data: {reason}")
            }
            Self::InvalidSnapshot(reason) => write!(f, "invalid snapshot: {reason}"),
            Self::Encode(reason) => write!(f, "cannot encode value: {reason}"),
        }
    }
}

impl std::error::Error for InternalError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert_eq!(ErrorCode::from_code(s), Some(*code));
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, Value::from(s));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), *code);
        }
    }

    #[test]
    fn locations_serialise_as_strings_and_integers() {
        let e = ValidationError::new(ErrorCode::WrongType, "m")
            .at("out")
            .prefixed(&["edits".into(), 3.into()]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["loc"], serde_json::json!(["edits", 3, "out"]));
        assert_eq!(json["code"], "wrong_type");
        assert_eq!(json["hint"], Value::Null);
    }
}
