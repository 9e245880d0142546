//! Clips: what plays on a track, with its transform, effects, keyframes and the transition
//! from the clip before it. The field specs here define `add_clip` and `update_clip`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::easing::Keyframe;
use crate::model::MediaInfo;
use crate::spec::{num, Def, Field, Obj, PathKind, Ty, ANCHORS, DURATION, SECONDS};
use crate::time::Micros;

/// What a clip shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipKind {
    /// A span of a video or audio file.
    #[default]
    Media,
    /// A still image for a duration.
    Image,
    /// A solid colour for a duration.
    Color,
    /// A title: text on a transparent background for a duration.
    Text,
}

impl ClipKind {
    /// Every kind's name.
    pub const NAMES: &'static [&'static str] = &["media", "image", "color", "text"];

    /// The kind's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Media => "media",
            Self::Image => "image",
            Self::Color => "color",
            Self::Text => "text",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Media, Self::Image, Self::Color, Self::Text]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The fields only this kind has.
    pub(crate) const fn fields(self) -> &'static [Field] {
        match self {
            Self::Media => MEDIA_FIELDS,
            Self::Image => IMAGE_FIELDS,
            Self::Color => COLOR_FIELDS,
            Self::Text => TEXT_FIELDS,
        }
    }
}

/// The fit modes.
pub const FIT_MODES: &[&str] = &["contain", "cover", "stretch"];

pub(crate) const CROP_FIELDS: &[Field] = &[
    Field::def(
        "left",
        num(0.0, 0.99),
        Def::Num(0.0),
        "Fraction of the source width cut from the left",
    ),
    Field::def(
        "top",
        num(0.0, 0.99),
        Def::Num(0.0),
        "Fraction of the source height cut from the top",
    ),
    Field::def(
        "right",
        num(0.0, 0.99),
        Def::Num(0.0),
        "Fraction of the source width cut from the right",
    ),
    Field::def(
        "bottom",
        num(0.0, 0.99),
        Def::Num(0.0),
        "Fraction of the source height cut from the bottom",
    ),
];

/// How a visual clip is placed in the frame.
pub(crate) const TRANSFORM_FIELDS: &[Field] = &[
    Field::def(
        "fit",
        Ty::Enum(FIT_MODES),
        Def::Str("contain"),
        "contain letterboxes in the background colour, cover fills and crops, stretch distorts",
    ),
    Field::def(
        "scale",
        num(0.01, 10.0),
        Def::Num(1.0),
        "Size multiplier applied after fitting",
    ),
    Field::def(
        "position",
        Ty::Enum(ANCHORS),
        Def::Str("center"),
        "Anchor in the frame",
    ),
    Field::def(
        "x",
        num(-16384.0, 16384.0),
        Def::Num(0.0),
        "Horizontal offset from the anchor in output pixels (right is positive)",
    ),
    Field::def(
        "y",
        num(-16384.0, 16384.0),
        Def::Num(0.0),
        "Vertical offset from the anchor in output pixels (down is positive)",
    ),
    Field::def(
        "crop",
        Ty::Obj(CROP_FIELDS),
        Def::EmptyObj,
        "Edges cut from the source before fitting",
    ),
    Field::def(
        "rotate",
        num(-360.0, 360.0),
        Def::Num(0.0),
        "Rotation in degrees, clockwise, any angle",
    ),
    Field::def("flip_h", Ty::Bool, Def::Bool(false), "Mirror left to right"),
    Field::def("flip_v", Ty::Bool, Def::Bool(false), "Mirror top to bottom"),
    Field::def(
        "opacity",
        num(0.0, 1.0),
        Def::Num(1.0),
        "0 is invisible, 1 opaque",
    ),
];

pub(crate) const FREEZE_FIELDS: &[Field] = &[
    Field::req(
        "at",
        SECONDS,
        "Source time of the frame to hold (between in and out)",
    ),
    Field::req(
        "duration",
        DURATION,
        "How long to hold it on the timeline, in seconds",
    ),
];

/// Text appearance, shared by text clips and the `text` effect.
pub(crate) const TEXT_STYLE_FIELDS: &[Field] = &[
    Field::def(
        "font",
        Ty::Text { max_chars: 200 },
        Def::Str("Sans"),
        "Font family name (fontconfig)",
    ),
    Field::opt(
        "font_file",
        Ty::Path(PathKind::Font),
        "A .ttf/.otf/.ttc font file; overrides font",
    ),
    Field::def(
        "size",
        Ty::Int { min: 4, max: 1000 },
        Def::Int(64),
        "Font size in output pixels",
    ),
    Field::def("color", Ty::Color, Def::Str("white"), "Text colour"),
    Field::def(
        "box",
        Ty::Bool,
        Def::Bool(false),
        "Draw a box behind the text",
    ),
    Field::def(
        "box_color",
        Ty::Color,
        Def::Str("#00000080"),
        "Box colour (with alpha)",
    ),
    Field::def(
        "box_padding",
        Ty::Int { min: 0, max: 500 },
        Def::Int(16),
        "Space around the text inside the box, in pixels",
    ),
    Field::def(
        "outline",
        Ty::Int { min: 0, max: 50 },
        Def::Int(0),
        "Outline width in pixels (0 for none)",
    ),
    Field::def(
        "outline_color",
        Ty::Color,
        Def::Str("black"),
        "Outline colour",
    ),
    Field::def(
        "position",
        Ty::Enum(ANCHORS),
        Def::Str("center"),
        "Anchor in the frame",
    ),
    Field::def(
        "x",
        num(-16384.0, 16384.0),
        Def::Num(0.0),
        "Horizontal offset from the anchor in pixels",
    ),
    Field::def(
        "y",
        num(-16384.0, 16384.0),
        Def::Num(0.0),
        "Vertical offset from the anchor in pixels",
    ),
];

/// Fields every clip has (besides its kind's).
pub(crate) const CLIP_COMMON_FIELDS: &[Field] = &[
    Field::nullable(
        "start",
        SECONDS,
        "Position on the timeline in seconds; leave out (or null) to place the clip right after the previous one on its track",
    ),
    Field::def("transform", Ty::Obj(TRANSFORM_FIELDS), Def::EmptyObj, "Fit, scale, position, crop, rotation, flips and opacity"),
    Field::def(
        "effects",
        Ty::List { item: &Ty::Effect, min: 0, max: 50 },
        Def::EmptyList,
        "Effects applied in order (see GET /v1/effects)",
    ),
];

pub(crate) const MEDIA_FIELDS: &[Field] = &[
    Field::req(
        "source",
        Ty::Path(PathKind::Media),
        "A video or audio file: a library video id's path or a path inside an allowed media root",
    ),
    Field::def(
        "in",
        SECONDS,
        Def::Num(0.0),
        "Where the clip starts in the source, seconds",
    ),
    Field::opt(
        "out",
        SECONDS,
        "Where it ends in the source, seconds (default: the source's end)",
    ),
    Field::def(
        "speed",
        num(0.25, 4.0),
        Def::Num(1.0),
        "Playback speed; the timeline duration is (out - in) / speed; audio keeps its pitch",
    ),
    Field::def("reverse", Ty::Bool, Def::Bool(false), "Play backwards"),
    Field::nullable(
        "freeze",
        Ty::Obj(FREEZE_FIELDS),
        "Hold the frame at source time `at` for `duration` seconds (audio is silent meanwhile)",
    ),
    Field::def(
        "volume",
        num(0.0, 4.0),
        Def::Num(1.0),
        "Gain multiplier for the clip's audio (1 unchanged, 2 about +6 dB)",
    ),
    Field::def(
        "muted",
        Ty::Bool,
        Def::Bool(false),
        "Silence the clip's audio",
    ),
];

pub(crate) const IMAGE_FIELDS: &[Field] = &[
    Field::req(
        "source",
        Ty::Path(PathKind::Image),
        "A still image file inside an allowed media root",
    ),
    Field::req("duration", DURATION, "How long it shows, seconds"),
];

pub(crate) const COLOR_FIELDS: &[Field] = &[
    Field::req("color", Ty::Color, "The colour"),
    Field::req("duration", DURATION, "How long it shows, seconds"),
];

pub(crate) const TEXT_FIELDS: &[Field] = &[
    Field::req(
        "text",
        Ty::Text { max_chars: 2000 },
        "The text; \\n breaks lines",
    ),
    Field::def(
        "style",
        Ty::Obj(TEXT_STYLE_FIELDS),
        Def::EmptyObj,
        "Font, size, colours, box, outline and position",
    ),
    Field::req("duration", DURATION, "How long it shows, seconds"),
];

/// The edges cut from a source, as fractions of its size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Crop {
    /// Fraction cut from the left.
    pub left: f64,
    /// Fraction cut from the top.
    pub top: f64,
    /// Fraction cut from the right.
    pub right: f64,
    /// Fraction cut from the bottom.
    pub bottom: f64,
}

/// How a visual clip is placed in the frame (see the field docs of `add_clip`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Transform {
    /// `contain`, `cover` or `stretch`.
    pub fit: String,
    /// Size multiplier after fitting.
    pub scale: f64,
    /// One of the nine anchors.
    pub position: String,
    /// Offset right from the anchor, output pixels.
    pub x: f64,
    /// Offset down from the anchor, output pixels.
    pub y: f64,
    /// Edges cut from the source.
    pub crop: Crop,
    /// Degrees clockwise.
    pub rotate: f64,
    /// Mirrored left to right.
    pub flip_h: bool,
    /// Mirrored top to bottom.
    pub flip_v: bool,
    /// 0 (invisible) to 1 (opaque).
    pub opacity: f64,
}

impl Default for Transform {
    fn default() -> Self {
        Self {
            fit: "contain".into(),
            scale: 1.0,
            position: "center".into(),
            x: 0.0,
            y: 0.0,
            crop: Crop::default(),
            rotate: 0.0,
            flip_h: false,
            flip_v: false,
            opacity: 1.0,
        }
    }
}

/// A held frame inside a media clip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freeze {
    /// Source time of the held frame.
    pub at: Micros,
    /// How long it is held on the timeline.
    pub duration: Micros,
}

/// An effect on a clip: its type (see [`crate::effects_catalog`]) and normalised params.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The effect's id, unique in the project.
    pub id: String,
    /// The effect type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its parameters, every one present (defaults filled in), times in microseconds.
    pub params: Obj,
}

fn tri() -> String {
    "tri".to_owned()
}

/// A transition into a clip from the clip before it on its track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The xfade transition name.
    pub name: String,
    /// How long the two clips overlap.
    pub duration: Micros,
    /// The acrossfade curve of the paired audio crossfade.
    #[serde(default = "tri")]
    pub audio_curve: String,
}

const fn one() -> f64 {
    1.0
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

/// A clip on a track. Which optional fields are set depends on `kind`: media clips have
/// `source`, `in`, `out` and `media`; image clips `source`, `duration` and `media`; colour
/// clips `color` and `duration`; text clips `text`, `style` and `duration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// The clip's id, unique in the project.
    pub id: String,
    /// What it shows.
    #[serde(default)]
    pub kind: ClipKind,
    /// The canonical path of a media or image source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where a media clip starts in its source.
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub in_point: Option<Micros>,
    /// Where a media clip ends in its source (exclusive).
    #[serde(rename = "out", default, skip_serializing_if = "Option::is_none")]
    pub out_point: Option<Micros>,
    /// How long an image, colour or text clip lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Micros>,
    /// A colour clip's colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// A text clip's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A text clip's style (normalised text style fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<Obj>,
    /// An absolute position on the timeline, or `None` to follow the previous clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Micros>,
    /// Playback speed, 0.25 to 4.
    #[serde(default = "one")]
    pub speed: f64,
    /// Played backwards.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reverse: bool,
    /// A held frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze: Option<Freeze>,
    /// Audio gain multiplier.
    #[serde(default = "one")]
    pub volume: f64,
    /// Audio silenced.
    #[serde(default, skip_serializing_if = "is_false")]
    pub muted: bool,
    /// Placement in the frame.
    #[serde(default)]
    pub transform: Transform,
    /// Effects, applied in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// Keyframes by property, sorted by time.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keyframes: BTreeMap<String, Vec<Keyframe>>,
    /// The transition from the previous clip on the track into this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_in: Option<Transition>,
    /// What the source held when the clip was added (media and image clips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaInfo>,
}

impl Clip {
    /// A clip of `kind` with every optional field unset and neutral settings.
    pub fn new(id: &str, kind: ClipKind) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            source: None,
            in_point: None,
            out_point: None,
            duration: None,
            color: None,
            text: None,
            style: None,
            start: None,
            speed: 1.0,
            reverse: false,
            freeze: None,
            volume: 1.0,
            muted: false,
            transform: Transform::default(),
            effects: Vec::new(),
            keyframes: BTreeMap::new(),
            transition_in: None,
            media: None,
        }
    }

    /// The source span of a media clip, `out - in` (0 for other kinds).
    pub fn span(&self) -> Micros {
        self.out_point.unwrap_or(0) - self.in_point.unwrap_or(0)
    }

    /// The clip's length on the timeline: `(out - in) / speed` plus any freeze for media
    /// clips (rounded to the microsecond once), `duration` for the others.
    ///
    /// ```
    /// # use stoat_core::{Clip, ClipKind};
    /// let mut clip = Clip::new("a", ClipKind::Media);
    /// (clip.in_point, clip.out_point, clip.speed) = (Some(1_000_000), Some(4_000_000), 2.0);
    /// assert_eq!(clip.timeline_duration(), 1_500_000);
    /// ```
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    pub fn timeline_duration(&self) -> Micros {
        match self.kind {
            ClipKind::Media => {
                let played = (self.span() as f64 / self.speed).round() as Micros;
                played + self.freeze.map_or(0, |f| f.duration)
            }
            _ => self.duration.unwrap_or(0),
        }
    }

    /// Whether the clip makes sound (a media clip whose source has audio).
    pub fn has_audio(&self) -> bool {
        self.kind == ClipKind::Media && self.media.as_ref().is_some_and(|m| m.has_audio)
    }

    /// Whether the clip shows a picture.
    pub fn has_video(&self) -> bool {
        self.kind != ClipKind::Media || self.media.as_ref().is_some_and(|m| m.has_video)
    }
}
