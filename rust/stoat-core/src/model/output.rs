//! A project's output settings and their validation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::json::{wrong_type, ObjectReader};
use crate::time::Rational;

/// The sample rates a project may use.
pub const SAMPLE_RATES: [u32; 9] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000];

/// The smallest allowed width or height.
pub const MIN_DIMENSION: u32 = 2;
/// The largest allowed width or height.
pub const MAX_DIMENSION: u32 = 8192;
/// The highest allowed frame rate (the lowest is 1).
pub const MAX_FPS: i64 = 240;

/// What a project's renders produce.
///
/// ```
/// use stoat_core::OutputSettings;
/// let out = OutputSettings::from_json(&serde_json::json!(
///     {"width": 1280, "height": 720, "fps": "30000/1001", "sample_rate": 48000}
/// )).unwrap();
/// assert_eq!(out.fps.to_string(), "30000/1001");
/// assert_eq!(serde_json::to_value(&out).unwrap()["fps"], "30000/1001");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputSettings {
    /// Frame width in pixels (even, 2 to 8192).
    pub width: u32,
    /// Frame height in pixels (even, 2 to 8192).
    pub height: u32,
    /// Frames per second (1 to 240), serialised as `"N"` or `"N/D"`.
    pub fps: Rational,
    /// Audio samples per second (one of [`SAMPLE_RATES`]).
    pub sample_rate: u32,
}

impl Default for OutputSettings {
    /// 1920x1080 at 30 fps with 48 kHz audio.
    fn default() -> Self {
        Self {
            width: 1920,
            height: 1080,
            fps: Rational::new(30, 1).unwrap_or_else(|_| unreachable!("30/1 is valid")),
            sample_rate: 48_000,
        }
    }
}

impl OutputSettings {
    /// Reads and validates settings from caller JSON:
    /// `{"width": int, "height": int, "fps": "N" | "N/D" | int, "sample_rate": int}`.
    /// Error locations are relative (`("width",)`); callers prefix them.
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let mut r = ObjectReader::new(value, "output")?;
        let width = r.required_int("width");
        let height = r.required_int("height");
        let fps = r.required_value("fps");
        let sample_rate = r.required_int("sample_rate");
        let (Some(width), Some(height), Some(fps), Some(sample_rate)) =
            (width, height, fps, sample_rate)
        else {
            return Err(r.into_errors());
        };
        r.finish()?;

        let mut errors = ValidationErrors::default();
        let width = check_dimension("width", width, &mut errors);
        let height = check_dimension("height", height, &mut errors);
        let fps = check_fps(fps, &mut errors);
        let sample_rate = check_sample_rate(sample_rate, &mut errors);
        match (width, height, fps, sample_rate) {
            (Some(width), Some(height), Some(fps), Some(sample_rate)) => Ok(Self {
                width,
                height,
                fps,
                sample_rate,
            }),
            _ => Err(errors),
        }
    }
}

fn check_dimension(key: &'static str, value: i64, errors: &mut ValidationErrors) -> Option<u32> {
    let ok = u32::try_from(value)
        .ok()
        .filter(|v| (MIN_DIMENSION..=MAX_DIMENSION).contains(v) && v % 2 == 0);
    if ok.is_none() {
        errors.push(
            ValidationError::new(
                ErrorCode::DimensionInvalid,
                format!("{key} must be an even number from {MIN_DIMENSION} to {MAX_DIMENSION}"),
            )
            .at(key)
            .hint(format!("use an even {key} such as {}", nearest_even(value)))
            .ctx("value", value)
            .ctx("min", MIN_DIMENSION)
            .ctx("max", MAX_DIMENSION)
            .ctx("multiple_of", 2),
        );
    }
    ok
}

fn nearest_even(value: i64) -> i64 {
    let clamped = value.clamp(i64::from(MIN_DIMENSION), i64::from(MAX_DIMENSION));
    clamped - clamped % 2
}

fn check_fps(value: &Value, errors: &mut ValidationErrors) -> Option<Rational> {
    let parsed = match value {
        Value::String(s) => s.parse::<Rational>().map_err(|e| e.to_string()),
        Value::Number(n) => match n.as_i64() {
            Some(n) => Rational::new(n, 1).map_err(|e| e.to_string()),
            None => Err("a whole number or a fraction N/D is required".to_owned()),
        },
        other => {
            errors.push(wrong_type("fps", "string", other).at("fps"));
            return None;
        }
    };
    match parsed {
        Err(reason) => {
            errors.push(
                ValidationError::new(ErrorCode::FpsInvalid, format!("fps is invalid: {reason}"))
                    .at("fps")
                    .hint("write fps as N or N/D, e.g. \"30\" or \"30000/1001\" (not 29.97)")
                    .ctx("value", value.clone()),
            );
            None
        }
        Ok(fps) if fps.cmp_int(1).is_lt() || fps.cmp_int(MAX_FPS).is_gt() => {
            errors.push(
                ValidationError::new(
                    ErrorCode::FpsOutOfRange,
                    format!("fps must be from 1 to {MAX_FPS}, not {fps}"),
                )
                .at("fps")
                .hint(format!("use a frame rate from 1 to {MAX_FPS}, e.g. \"30\""))
                .ctx("value", fps.to_string())
                .ctx("min", "1")
                .ctx("max", MAX_FPS.to_string()),
            );
            None
        }
        Ok(fps) => Some(fps),
    }
}

fn check_sample_rate(value: i64, errors: &mut ValidationErrors) -> Option<u32> {
    let ok = u32::try_from(value)
        .ok()
        .filter(|v| SAMPLE_RATES.contains(v));
    if ok.is_none() {
        errors.push(
            ValidationError::new(
                ErrorCode::SampleRateUnsupported,
                format!("sample_rate {value} is not supported"),
            )
            .at("sample_rate")
            .hint("use 48000 unless you need another supported rate")
            .ctx("value", value)
            .ctx("allowed", SAMPLE_RATES.to_vec()),
        );
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(v: &Value) -> Vec<&'static str> {
        OutputSettings::from_json(v).unwrap_err().codes()
    }

    #[test]
    fn accepts_integer_fps() {
        let out = OutputSettings::from_json(
            &json!({"width": 2, "height": 8192, "fps": 240, "sample_rate": 8000}),
        )
        .unwrap();
        assert_eq!(out.fps.to_string(), "240");
    }

    #[test]
    fn reports_every_bad_value() {
        let v = json!({"width": 1921, "height": 0, "fps": "29.97", "sample_rate": 47000});
        assert_eq!(
            codes(&v),
            [
                "dimension_invalid",
                "dimension_invalid",
                "fps_invalid",
                "sample_rate_unsupported"
            ]
        );
        let v = json!({"width": 8194, "height": 2, "fps": "241", "sample_rate": 48000});
        assert_eq!(codes(&v), ["dimension_invalid", "fps_out_of_range"]);
        let v = json!({"width": 2, "height": 2, "fps": "1/2", "sample_rate": 48000});
        assert_eq!(codes(&v), ["fps_out_of_range"]);
        let v = json!({"width": 2, "height": 2, "fps": 29.97, "sample_rate": 48000});
        assert_eq!(codes(&v), ["fps_invalid"]);
    }

    #[test]
    fn reports_structure_first() {
        let v = json!({"width": "1920", "fps": [], "sample_rate": 48000, "depth": 8});
        assert_eq!(codes(&v), ["wrong_type", "missing_field", "unknown_field"]);
    }
}
