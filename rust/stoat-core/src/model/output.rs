//! A project's output settings, their spec and the aspect presets.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::spec::{num, read_object_partial, Def, Field, Mode, Obj, ObjExt, Ty};
use crate::time::Rational;

/// The sample rates a project may use.
pub const SAMPLE_RATES: [u32; 9] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000];

/// The smallest allowed width or height.
pub const MIN_DIMENSION: u32 = 2;
/// The largest allowed width or height.
pub const MAX_DIMENSION: u32 = 8192;
/// The highest allowed frame rate (the lowest is 1).
pub const MAX_FPS: i64 = 240;

/// The output presets: name, width, height, description.
pub const OUTPUT_PRESETS: &[(&str, u32, u32, &str)] = &[
    (
        "16:9",
        1920,
        1080,
        "Landscape full HD: YouTube, desktop players",
    ),
    (
        "9:16",
        1080,
        1920,
        "Vertical: Shorts, Reels, TikTok, Stories",
    ),
    ("1:1", 1080, 1080, "Square: feeds"),
    ("4:5", 1080, 1350, "Portrait feed posts"),
];

const PRESET_NAMES: &[&str] = &["16:9", "9:16", "1:1", "4:5"];

pub(crate) const LOUDNESS_FIELDS: &[Field] = &[
    Field::def(
        "target",
        num(-70.0, -5.0),
        Def::Num(-14.0),
        "Integrated loudness to reach, in LUFS (-14 for streaming, -23 for EBU R128 broadcast)",
    ),
    Field::def(
        "true_peak",
        num(-9.0, 0.0),
        Def::Num(-1.0),
        "True-peak ceiling in dBTP; a limiter keeps peaks under it",
    ),
];

/// The fields of `output` (project creation) and of `set_output`.
pub(crate) const OUTPUT_FIELDS: &[Field] = &[
    Field::opt(
        "preset",
        Ty::Enum(PRESET_NAMES),
        "Aspect preset setting width and height: 16:9 1920x1080, 9:16 1080x1920, 1:1 1080x1080, 4:5 1080x1350",
    ),
    Field::opt(
        "width",
        Ty::Int {
            min: 2,
            max: 8192,
        },
        "Frame width in pixels, even (default 1920, or the preset's)",
    ),
    Field::opt(
        "height",
        Ty::Int {
            min: 2,
            max: 8192,
        },
        "Frame height in pixels, even (default 1080, or the preset's)",
    ),
    Field::def("fps", Ty::Fps, Def::Str("30"), "Frames per second, \"N\" or \"N/D\" (e.g. \"30000/1001\"), 1 to 240"),
    Field::def(
        "sample_rate",
        Ty::Int {
            min: 8000,
            max: 96000,
        },
        Def::Int(48000),
        "Audio samples per second: 8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200 or 96000",
    ),
    Field::def(
        "background",
        Ty::Color,
        Def::Str("black"),
        "Colour behind everything: letterbox bars, gaps, transparent areas",
    ),
    Field::nullable(
        "loudness",
        Ty::Obj(LOUDNESS_FIELDS),
        "Normalise the final mix to a target loudness with a true-peak ceiling; null turns it off",
    ),
];

/// Loudness normalisation: reach `target` LUFS, keep true peak under `true_peak` dBTP.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Integrated loudness target, LUFS.
    pub target: f64,
    /// True-peak ceiling, dBTP.
    pub true_peak: f64,
}

fn black() -> String {
    "#000000".to_owned()
}

/// What a project's renders produce.
///
/// ```
/// use stoat_core::OutputSettings;
/// let out = OutputSettings::from_json(&serde_json::json!(
///     {"preset": "9:16", "fps": "30000/1001"}
/// )).unwrap();
/// assert_eq!((out.width, out.height), (1080, 1920));
/// assert_eq!(out.fps.to_string(), "30000/1001");
/// assert_eq!(out.background, "#000000");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputSettings {
    /// Frame width in pixels (even, 2 to 8192).
    pub width: u32,
    /// Frame height in pixels (even, 2 to 8192).
    pub height: u32,
    /// Frames per second (1 to 240), serialised as `"N"` or `"N/D"`.
    pub fps: Rational,
    /// Audio samples per second (one of [`SAMPLE_RATES`]).
    pub sample_rate: u32,
    /// The colour behind everything, canonical (`#RRGGBB[AA]`).
    #[serde(default = "black")]
    pub background: String,
    /// Loudness normalisation of the mix, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loudness: Option<Loudness>,
}

impl Default for OutputSettings {
    /// 1920x1080 at 30 fps with 48 kHz audio on black.
    fn default() -> Self {
        Self {
            width: 1920,
            height: 1080,
            fps: Rational::new(30, 1).unwrap_or_else(|_| unreachable!("30/1 is valid")),
            sample_rate: 48_000,
            background: black(),
            loudness: None,
        }
    }
}

impl OutputSettings {
    /// Reads settings for a new project; every field has a default. Error locations are
    /// relative (`("width",)`); callers prefix them.
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        // Cross-field rules run on the fields that read well, so every error is reported.
        let (patch, mut errors) = read_object_partial(&[(OUTPUT_FIELDS, Mode::Full)], value, &[]);
        match Self::default().patched(&patch) {
            Ok(out) => errors.into_result(out),
            Err(more) => {
                errors.extend_prefixed(more, &[]);
                Err(errors)
            }
        }
    }

    /// These settings with a `set_output` patch (normalised, partial) applied; checks the
    /// rules that span fields (even sizes, supported sample rates, preset or size).
    pub(crate) fn patched(&self, patch: &Obj) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut out = self.clone();
        if let Some(preset) = patch.str_of("preset") {
            if let Some((_, w, h, _)) = OUTPUT_PRESETS.iter().find(|p| p.0 == preset) {
                (out.width, out.height) = (*w, *h);
            }
            for key in ["width", "height"] {
                if patch.contains_key(key) {
                    errors.push(
                        ValidationError::new(
                            ErrorCode::ConflictingFields,
                            format!("give preset or {key}, not both"),
                        )
                        .at(key)
                        .hint("leave out width and height when you use a preset")
                        .ctx("fields", vec!["preset", key]),
                    );
                }
            }
        }
        for (key, slot) in [("width", &mut out.width), ("height", &mut out.height)] {
            if let Some(v) = patch.i64_of(key) {
                match u32::try_from(v).ok().filter(|v| v % 2 == 0) {
                    Some(v) => *slot = v,
                    None => errors.push(
                        ValidationError::new(
                            ErrorCode::DimensionInvalid,
                            format!("{key} must be an even number from {MIN_DIMENSION} to {MAX_DIMENSION}"),
                        )
                        .at(key)
                        .hint(format!("use an even {key} such as {}", v - v % 2))
                        .ctx("value", v)
                        .ctx("multiple_of", 2),
                    ),
                }
            }
        }
        if let Some(fps) = patch.str_of("fps").and_then(|s| s.parse().ok()) {
            out.fps = fps;
        }
        if let Some(rate) = patch.i64_of("sample_rate") {
            match u32::try_from(rate)
                .ok()
                .filter(|r| SAMPLE_RATES.contains(r))
            {
                Some(rate) => out.sample_rate = rate,
                None => errors.push(
                    ValidationError::new(
                        ErrorCode::SampleRateUnsupported,
                        format!("sample_rate {rate} is not supported"),
                    )
                    .at("sample_rate")
                    .hint("use 48000 unless you need another supported rate")
                    .ctx("value", rate)
                    .ctx("allowed", SAMPLE_RATES.to_vec()),
                ),
            }
        }
        if let Some(bg) = patch.str_of("background") {
            bg.clone_into(&mut out.background);
        }
        match patch.get("loudness") {
            Some(Value::Null) => out.loudness = None,
            Some(Value::Object(l)) => {
                out.loudness = Some(Loudness {
                    target: l.f64_of("target").unwrap_or(-14.0),
                    true_peak: l.f64_of("true_peak").unwrap_or(-1.0),
                });
            }
            _ => {}
        }
        errors.into_result(out)
    }
}

/// The output presets as plain data: `{name, width, height, aspect, description}`.
pub fn output_presets() -> Vec<Value> {
    OUTPUT_PRESETS
        .iter()
        .map(|(name, w, h, description)| {
            json!({
                "name": name,
                "aspect": name,
                "width": w,
                "height": h,
                "description": description,
                "example": {"op": "set_output", "preset": name},
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &Value) -> Vec<&'static str> {
        OutputSettings::from_json(v).unwrap_err().codes()
    }

    #[test]
    fn defaults_and_integer_fps() {
        let out = OutputSettings::from_json(&json!({})).unwrap();
        assert_eq!(out, OutputSettings::default());
        let out = OutputSettings::from_json(
            &json!({"width": 2, "height": 8192, "fps": 240, "sample_rate": 8000}),
        )
        .unwrap();
        assert_eq!(out.fps.to_string(), "240");
    }

    #[test]
    fn reports_every_bad_value() {
        let v = json!({"width": 1921, "height": 0, "fps": "29.97", "sample_rate": 47000});
        // Field errors first, then the rules across the fields that did read.
        assert_eq!(
            codes(&v),
            [
                "value_out_of_range",
                "fps_invalid",
                "dimension_invalid",
                "sample_rate_unsupported"
            ]
        );
        let v = json!({"width": 1921, "height": 720, "fps": "241"});
        assert_eq!(codes(&v), ["fps_out_of_range", "dimension_invalid"]);
        let v = json!({"width": 1921, "height": 720});
        assert_eq!(codes(&v), ["dimension_invalid"]);
        let v = json!({"preset": "16:9", "width": 1280});
        assert_eq!(codes(&v), ["conflicting_fields"]);
        let v = json!({"background": "ultraviolet", "sample_rate": 47000});
        assert_eq!(codes(&v), ["color_invalid", "sample_rate_unsupported"]);
        let v = json!({"sample_rate": 47000});
        assert_eq!(codes(&v), ["sample_rate_unsupported"]);
    }

    #[test]
    fn reports_structure() {
        let v = json!({"width": "1920", "fps": [], "depth": 8});
        assert_eq!(codes(&v), ["wrong_type", "wrong_type", "unknown_field"]);
    }

    #[test]
    fn old_events_without_new_fields_decode() {
        let out: OutputSettings = serde_json::from_value(
            json!({"width": 2, "height": 2, "fps": "30", "sample_rate": 48000}),
        )
        .unwrap();
        assert_eq!(out.background, "#000000");
    }
}
