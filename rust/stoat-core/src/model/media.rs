//! Probed facts about source files, and the environment `decide` runs in.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::time::{Micros, Rational};

/// Probed facts about a source file, keyed by its canonical path in a [`MediaMap`].
/// Python probes (FFprobe) so that the core stays pure. Images have `has_video` and no
/// duration (0).
///
/// ```
/// use stoat_core::MediaInfo;
/// let m: MediaInfo = serde_json::from_value(serde_json::json!(
///     {"duration": 12_500_000, "has_video": true, "has_audio": false, "fps": "30000/1001"}
/// )).unwrap();
/// assert_eq!(m.width, None);
/// assert_eq!(m.fps.unwrap().to_string(), "30000/1001");
/// let odd: MediaInfo = serde_json::from_value(serde_json::json!(
///     {"has_video": true, "has_audio": false, "fps": "0/0"})).unwrap();
/// assert_eq!((odd.duration, odd.fps), (0, None));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// The source's duration in microseconds (0 for a still image).
    #[serde(default)]
    pub duration: Micros,
    /// Whether it has a video stream (or is an image).
    pub has_video: bool,
    /// Whether it has an audio stream.
    pub has_audio: bool,
    /// The video width, when known.
    #[serde(default)]
    pub width: Option<u32>,
    /// The video height, when known.
    #[serde(default)]
    pub height: Option<u32>,
    /// The video frame rate, when known (anything unreadable, such as `"0/0"`, is `None`).
    #[serde(
        default,
        deserialize_with = "lenient_fps",
        skip_serializing_if = "Option::is_none"
    )]
    pub fps: Option<Rational>,
    /// Rotation metadata in degrees (the renderer applies it before fitting).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rotation: i64,
    /// The audio sample rate, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rate: Option<u32>,
    /// The number of audio channels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn lenient_fps<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rational>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(match value {
        Some(Value::String(s)) => s.parse().ok(),
        Some(Value::Number(n)) => n.as_i64().and_then(|n| Rational::new(n, 1).ok()),
        _ => None,
    })
}

/// Media facts by canonical path: the `media` argument of [`crate::decide`].
pub type MediaMap = BTreeMap<String, MediaInfo>;

/// What `decide` knows besides media: the paths Python checked and the transitions the
/// installed FFmpeg offers.
///
/// ```
/// use stoat_core::Env;
/// let env: Env = serde_json::from_value(serde_json::json!(
///     {"files": {"/m/../m/a.mp4": "/m/a.mp4"}, "transitions": ["fade", "wipeleft"]}
/// )).unwrap();
/// assert_eq!(env.files.unwrap()["/m/../m/a.mp4"], "/m/a.mp4");
/// assert!(Env::default().files.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Env {
    /// Each path as given in an edit to its canonical form. `None` trusts every path as
    /// given (tests, and callers that canonicalise themselves); with a map, a path not in
    /// it is an error.
    #[serde(default)]
    pub files: Option<BTreeMap<String, String>>,
    /// The xfade transition names the installed FFmpeg offers; `None` means FFmpeg 5.1's.
    #[serde(default)]
    pub transitions: Option<Vec<String>>,
}
