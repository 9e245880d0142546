//! Patches: the fields an update changed, before and after. A field that is `None` did not
//! change; for fields that can be unset (`ducking`, `freeze`) `Some(None)` means "unset"
//! and is written as JSON `null`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{Clip, Ducking, Freeze, Track, Transform};
use crate::spec::Obj;
use crate::time::Micros;

/// Serde for `Option<Option<T>>`: absent is `None`, `null` is `Some(None)`.
#[allow(clippy::option_option)] // that is the point of the module
mod double_option {
    use super::{Deserialize, Deserializer, Serialize, Serializer};

    #[allow(clippy::ref_option)] // serde's `with` passes a reference to the field
    pub(super) fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Changed track fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrackPatch {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Silenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// Pictures hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Gain multiplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// Audio role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Ducking (`Some(None)`: none).
    #[allow(clippy::option_option)] // absent, unset and set are three different things
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub ducking: Option<Option<Ducking>>,
    /// Place in the z-order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl TrackPatch {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the patched fields on `track` (the z-order is the caller's business).
    pub(crate) fn apply_to(&self, track: &mut Track) {
        if let Some(v) = &self.name {
            v.clone_into(&mut track.name);
        }
        if let Some(v) = self.muted {
            track.muted = v;
        }
        if let Some(v) = self.hidden {
            track.hidden = v;
        }
        if let Some(v) = self.volume {
            track.volume = v;
        }
        if let Some(v) = &self.role {
            track.role = Some(v.clone());
        }
        if let Some(v) = &self.ducking {
            track.ducking.clone_from(v);
        }
    }
}

/// Changed clip fields (besides trims and moves, which have events of their own).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClipPatch {
    /// Playback speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Played backwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<bool>,
    /// Held frame (`Some(None)`: none).
    #[allow(clippy::option_option)] // absent, unset and set are three different things
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub freeze: Option<Option<Freeze>>,
    /// Audio gain multiplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// Audio silenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// The whole transform after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// Duration of an image, colour or text clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Micros>,
    /// A text clip's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A colour clip's colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// A text clip's whole style after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<Obj>,
}

impl ClipPatch {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the patched fields on `clip`.
    pub(crate) fn apply_to(&self, clip: &mut Clip) {
        if let Some(v) = self.speed {
            clip.speed = v;
        }
        if let Some(v) = self.reverse {
            clip.reverse = v;
        }
        if let Some(v) = self.freeze {
            clip.freeze = v;
        }
        if let Some(v) = self.volume {
            clip.volume = v;
        }
        if let Some(v) = self.muted {
            clip.muted = v;
        }
        if let Some(v) = &self.transform {
            clip.transform.clone_from(v);
        }
        if let Some(v) = self.duration {
            clip.duration = Some(v);
        }
        if let Some(v) = &self.text {
            clip.text = Some(v.clone());
        }
        if let Some(v) = &self.color {
            clip.color = Some(v.clone());
        }
        if let Some(v) = &self.style {
            clip.style = Some(v.clone());
        }
    }

    /// The current values on `clip` of the fields this patch sets (for undo).
    pub(crate) fn previous_on(&self, clip: &Clip) -> Self {
        Self {
            speed: self.speed.map(|_| clip.speed),
            reverse: self.reverse.map(|_| clip.reverse),
            freeze: self.freeze.map(|_| clip.freeze),
            volume: self.volume.map(|_| clip.volume),
            muted: self.muted.map(|_| clip.muted),
            transform: self.transform.as_ref().map(|_| clip.transform.clone()),
            duration: self.duration.and(clip.duration),
            text: self.text.as_ref().and(clip.text.clone()),
            color: self.color.as_ref().and(clip.color.clone()),
            style: self.style.as_ref().and(clip.style.clone()),
        }
    }
}
