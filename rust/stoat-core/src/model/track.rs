//! Tracks: stacked in z-order (list order, later on top), each a sequence of clips.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::Clip;
use crate::spec::{num, Def, Field, Ty};
use crate::time::Micros;

/// What a track carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackKind {
    /// Pictures (and the sound of media clips), full frame by default.
    #[default]
    Video,
    /// Sound only.
    Audio,
    /// Pictures composited over the tracks below (titles, logos, picture-in-picture).
    Overlay,
}

impl TrackKind {
    /// Every kind's name.
    pub const NAMES: &'static [&'static str] = &["video", "audio", "overlay"];

    /// The kind's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Overlay => "overlay",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Video, Self::Audio, Self::Overlay]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// Whether its clips show pictures.
    pub const fn is_visual(self) -> bool {
        !matches!(self, Self::Audio)
    }
}

/// The roles of audio tracks.
pub const ROLES: &[&str] = &["voice", "music", "sfx"];

pub(crate) const DUCKING_FIELDS: &[Field] = &[
    Field::req(
        "under",
        Ty::Id,
        "The id of the voice track that ducks this one (role voice)",
    ),
    Field::def(
        "threshold",
        num(-60.0, 0.0),
        Def::Num(-30.0),
        "Voice level in dBFS above which ducking starts",
    ),
    Field::def(
        "ratio",
        num(1.0, 20.0),
        Def::Num(8.0),
        "Compression ratio while the voice speaks",
    ),
    Field::def(
        "attack",
        Ty::Seconds {
            min: 0.00001,
            max: 2.0,
            exclusive_min: false,
        },
        Def::Num(0.02),
        "Seconds to duck once the voice starts",
    ),
    Field::def(
        "release",
        Ty::Seconds {
            min: 0.00001,
            max: 9.0,
            exclusive_min: false,
        },
        Def::Num(0.25),
        "Seconds to recover once the voice stops",
    ),
];

/// The settings of a track that `add_track` and `update_track` take.
pub(crate) const TRACK_FIELDS: &[Field] = &[
    Field::opt("name", Ty::Text { max_chars: 100 }, "Display name (default: \"Video 2\" and so on)"),
    Field::def("muted", Ty::Bool, Def::Bool(false), "Silence the whole track"),
    Field::def("hidden", Ty::Bool, Def::Bool(false), "Hide the track's pictures"),
    Field::def("volume", num(0.0, 4.0), Def::Num(1.0), "Gain multiplier for the track (1 unchanged)"),
    Field::opt("role", Ty::Enum(ROLES), "Audio tracks only: voice, music (the default) or sfx"),
    Field::nullable(
        "ducking",
        Ty::Obj(DUCKING_FIELDS),
        "Music tracks only: duck this track under a voice track with a sidechain compressor; null turns it off",
    ),
];

/// Ducking of a music track under a voice track (FFmpeg `sidechaincompress`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ducking {
    /// The voice track's id.
    pub under: String,
    /// dBFS level of the voice above which ducking starts.
    pub threshold: f64,
    /// Compression ratio.
    pub ratio: f64,
    /// Attack time.
    pub attack: Micros,
    /// Release time.
    pub release: Micros,
}

const fn one() -> f64 {
    1.0
}

/// A track and its clips in playback order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// The track's id, unique in the project.
    pub id: String,
    /// What it carries.
    pub kind: TrackKind,
    /// Display name.
    pub name: String,
    /// Silenced.
    #[serde(default)]
    pub muted: bool,
    /// Pictures hidden.
    #[serde(default)]
    pub hidden: bool,
    /// Gain multiplier.
    #[serde(default = "one")]
    pub volume: f64,
    /// Audio tracks: `voice`, `music` or `sfx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Music tracks: ducking under a voice track.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ducking: Option<Ducking>,
    /// The clips in playback order. Shared (`Arc`) so that a scratch copy of the project
    /// costs a pointer per clip; a clip is copied only when an edit changes it.
    #[serde(default)]
    pub clips: Vec<Arc<Clip>>,
}

impl Track {
    /// An empty track.
    pub fn new(id: &str, kind: TrackKind, name: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            name: name.to_owned(),
            muted: false,
            hidden: false,
            volume: 1.0,
            role: (kind == TrackKind::Audio).then(|| "music".to_owned()),
            ducking: None,
            clips: Vec::new(),
        }
    }

    /// The position of the clip with id `id`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.clips.iter().position(|c| c.id == id)
    }
}
