//! What a caller asks of a render, read from JSON with located errors.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::presets::QUALITY_LEVELS;
use crate::error::ValidationErrors;
use crate::spec::{read_object, Field, Mode, Obj, ObjExt, Ty, SECONDS};
use crate::time::{Micros, Rational};

const RANGE_FIELDS: &[Field] = &[
    Field::req(
        "start",
        SECONDS,
        "Where the render starts on the timeline, seconds",
    ),
    Field::opt(
        "end",
        SECONDS,
        "Where it ends (default: the timeline's end)",
    ),
];

const DIMENSION: Ty = Ty::Int { min: 2, max: 8192 };

/// The fields of a render request.
pub(crate) const REQUEST_FIELDS: &[Field] = &[
    Field::req(
        "output_path",
        Ty::Text { max_chars: 4096 },
        "Absolute path FFmpeg writes to",
    ),
    Field::req("preset", Ty::Text { max_chars: 64 }, "The render preset"),
    Field::opt(
        "quality",
        Ty::Enum(QUALITY_LEVELS),
        "low, medium, high (default) or max: the preset's CRF (or ProRes profile) for that level",
    ),
    Field::opt(
        "crf",
        Ty::Int { min: 0, max: 63 },
        "An exact CRF for the video encoder, overriding quality",
    ),
    Field::opt(
        "range",
        Ty::Obj(RANGE_FIELDS),
        "Render only this part of the timeline: {start, end?} in seconds",
    ),
    Field::opt(
        "width",
        DIMENSION,
        "Output width in pixels, even (default: the project's, or the preset's limit); the picture keeps its aspect, letterboxed in the background colour",
    ),
    Field::opt("height", DIMENSION, "Output height in pixels, even"),
    Field::opt("fps", Ty::Fps, "Output frame rate (default: the project's)"),
    Field::opt(
        "time",
        SECONDS,
        "Poster presets: the timeline time of the frame, seconds (default 0)",
    ),
    Field::opt(
        "count",
        Ty::Int { min: 1, max: 100 },
        "Thumbnails: how many frames (default 9)",
    ),
    Field::opt(
        "video_encoder",
        Ty::Text { max_chars: 64 },
        "A video encoder other than the preset's software default, e.g. h264_nvenc (see the preset's video_encoders)",
    ),
];

/// What to render and where.
///
/// ```
/// use stoat_core::RenderRequest;
/// let r = RenderRequest::from_json(&serde_json::json!(
///     {"output_path": "/renders/a.mp4", "preset": "h264_aac", "range": {"start": 1.5}}
/// )).unwrap();
/// assert_eq!(r.preset, "h264_aac");
/// assert_eq!(r.range, Some((1_500_000, None)));
/// assert_eq!(RenderRequest::new("/r/b.gif", "gif").quality, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderRequest {
    /// The absolute path FFmpeg writes to (any extension: the preset names the container).
    pub output_path: String,
    /// The preset's name, one of [`crate::render_presets`].
    pub preset: String,
    /// A quality level: `low`, `medium`, `high` or `max`.
    pub quality: Option<String>,
    /// An exact CRF, overriding `quality`.
    pub crf: Option<i64>,
    /// `(start, end)` of the part of the timeline rendered (`end` defaults to its end).
    pub range: Option<(Micros, Option<Micros>)>,
    /// Output width in pixels.
    pub width: Option<u32>,
    /// Output height in pixels.
    pub height: Option<u32>,
    /// Output frame rate.
    pub fps: Option<Rational>,
    /// The poster frame's time.
    pub time: Option<Micros>,
    /// How many thumbnails.
    pub count: Option<u32>,
    /// A video encoder to use instead of the preset's default.
    pub video_encoder: Option<String>,
}

impl RenderRequest {
    /// A request for `preset` written to `output_path`, everything else by default.
    pub fn new(output_path: &str, preset: &str) -> Self {
        Self {
            output_path: output_path.to_owned(),
            preset: preset.to_owned(),
            ..Self::default()
        }
    }

    /// Reads a request from caller JSON, with located structural errors.
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let r = read_object(&[REQUEST_FIELDS], value, Mode::Full, &[])?;
        let dim = |key: &str| r.i64_of(key).and_then(|v| u32::try_from(v).ok());
        Ok(Self {
            output_path: r.str_of("output_path").unwrap_or_default().to_owned(),
            preset: r.str_of("preset").unwrap_or_default().to_owned(),
            quality: r.str_of("quality").map(str::to_owned),
            crf: r.i64_of("crf"),
            range: r.get("range").and_then(Value::as_object).map(range_of),
            width: dim("width"),
            height: dim("height"),
            fps: r.str_of("fps").and_then(|s| s.parse().ok()),
            time: r.i64_of("time"),
            count: r.i64_of("count").and_then(|v| u32::try_from(v).ok()),
            video_encoder: r.str_of("video_encoder").map(str::to_owned),
        })
    }
}

fn range_of(range: &Obj) -> (Micros, Option<Micros>) {
    (range.i64_of("start").unwrap_or(0), range.i64_of("end"))
}
