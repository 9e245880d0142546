//! Easing curves and keyframe evaluation.
//!
//! The curves are Robert Penner's (as on easings.net), plus `linear` and `hold`. `ease`
//! maps progress `t` in `[0, 1]` to eased progress; `back` overshoots below 0 and above 1
//! on purpose. The same formulas are written as FFmpeg expressions by
//! [`easing_expression`], so that a render animates exactly what [`value_at`] computes.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::spec::{num, read_value, Def, Field, Mode, ObjExt, Ty, SECONDS};
use crate::time::{format_seconds, Micros};

/// The fields of one keyframe on the wire.
pub(crate) const KEYFRAME_FIELDS: &[Field] = &[
    Field::req("time", SECONDS, "Seconds from the clip's start on the timeline"),
    Field::req("value", num(-16384.0, 16384.0), "The property's value at that time (see property for its range)"),
    Field::def(
        "easing",
        Ty::Easing,
        Def::Str("linear"),
        "How the value moves to the next keyframe: linear, hold, or ease_in_*/ease_out_*/ease_in_out_* of quad, cubic, quart, sine, expo, circ, back",
    ),
];

const KEYFRAME_LIST: Ty = Ty::List {
    item: &Ty::Obj(KEYFRAME_FIELDS),
    min: 0,
    max: 1000,
};

/// Reads keyframes in wire form (`[{"time": s, "value": v, "easing"?: name}]`), times
/// strictly increasing; errors located at `(i, "time")` and so on.
///
/// ```
/// use serde_json::json;
/// let k = stoat_core::read_keyframes(&json!([{"time": 0.5, "value": 1, "easing": "ease_in"}])).unwrap();
/// assert_eq!((k[0].time, k[0].easing.as_str()), (500_000, "ease_in_cubic"));
/// let e = stoat_core::read_keyframes(&json!([{"time": 1, "value": 0}, {"time": 1, "value": 0}]));
/// assert_eq!(e.unwrap_err().codes(), ["keyframes_not_increasing"]);
/// ```
pub fn read_keyframes(value: &Value) -> Result<Vec<Keyframe>, ValidationErrors> {
    let read = read_value(&KEYFRAME_LIST, value, "keyframes", Mode::Full)?;
    let mut out: Vec<Keyframe> = Vec::new();
    let mut errors = ValidationErrors::default();
    for (i, item) in read.as_array().into_iter().flatten().enumerate() {
        let Some(k) = item.as_object() else { continue };
        let time = k.i64_of("time").unwrap_or(0);
        if let Some(previous) = out.last().map(|p| p.time).filter(|p| time <= *p) {
            errors.push(not_increasing(i, time, previous));
        }
        out.push(Keyframe {
            time,
            value: k.f64_of("value").unwrap_or(0.0),
            easing: k.str_of("easing").unwrap_or("linear").to_owned(),
        });
    }
    errors.into_result(out)
}

/// `keyframes_not_increasing` at `(i, "time")`.
pub(crate) fn not_increasing(i: usize, time: Micros, previous: Micros) -> ValidationError {
    ValidationError::new(
        ErrorCode::KeyframesNotIncreasing,
        format!(
            "keyframe {i} at {} s is not after the one before ({} s)",
            format_seconds(time),
            format_seconds(previous)
        ),
    )
    .at(i)
    .at("time")
    .hint("sort keyframes by time and give each a different time")
    .ctx_seconds("time", time)
    .ctx_seconds("previous", previous)
}

/// The canonical easing names.
pub const CANONICAL_EASINGS: &[&str] = &[
    "linear",
    "hold",
    "ease_in_quad",
    "ease_out_quad",
    "ease_in_out_quad",
    "ease_in_cubic",
    "ease_out_cubic",
    "ease_in_out_cubic",
    "ease_in_quart",
    "ease_out_quart",
    "ease_in_out_quart",
    "ease_in_sine",
    "ease_out_sine",
    "ease_in_out_sine",
    "ease_in_expo",
    "ease_out_expo",
    "ease_in_out_expo",
    "ease_in_circ",
    "ease_out_circ",
    "ease_in_out_circ",
    "ease_in_back",
    "ease_out_back",
    "ease_in_out_back",
];

/// Every accepted name: the canonical ones, then the aliases `ease_in`, `ease_out` and
/// `ease_in_out` (the issue's "ease-in" and so on), which mean the cubic curves.
pub const EASINGS: &[&str] = &[
    "linear",
    "hold",
    "ease_in_quad",
    "ease_out_quad",
    "ease_in_out_quad",
    "ease_in_cubic",
    "ease_out_cubic",
    "ease_in_out_cubic",
    "ease_in_quart",
    "ease_out_quart",
    "ease_in_out_quart",
    "ease_in_sine",
    "ease_out_sine",
    "ease_in_out_sine",
    "ease_in_expo",
    "ease_out_expo",
    "ease_in_out_expo",
    "ease_in_circ",
    "ease_out_circ",
    "ease_in_out_circ",
    "ease_in_back",
    "ease_out_back",
    "ease_in_out_back",
    "ease_in",
    "ease_out",
    "ease_in_out",
];

/// The canonical name for an accepted easing name.
///
/// ```
/// use stoat_core::canonical_easing;
/// assert_eq!(canonical_easing("ease_in"), Some("ease_in_cubic"));
/// assert_eq!(canonical_easing("ease_out_back"), Some("ease_out_back"));
/// assert_eq!(canonical_easing("bounce"), None);
/// ```
pub fn canonical_easing(name: &str) -> Option<&'static str> {
    match name {
        "ease_in" => Some("ease_in_cubic"),
        "ease_out" => Some("ease_out_cubic"),
        "ease_in_out" => Some("ease_in_out_cubic"),
        _ => CANONICAL_EASINGS.iter().copied().find(|e| *e == name),
    }
}

const C1: f64 = 1.70158;
const C2: f64 = C1 * 1.525;
const C3: f64 = C1 + 1.0;

/// Eased progress for progress `t` (clamped to `[0, 1]`), or `None` for an unknown name.
/// Every curve starts at 0 and ends at 1; `hold` stays at 0 until `t` reaches 1.
///
/// ```
/// use stoat_core::ease;
/// assert_eq!(ease("linear", 0.25), Some(0.25));
/// assert_eq!(ease("ease_in_quad", 0.5), Some(0.25));
/// assert_eq!(ease("ease_out_quad", 0.5), Some(0.75));
/// assert_eq!(ease("hold", 0.99), Some(0.0));
/// assert_eq!(ease("hold", 1.0), Some(1.0));
/// assert!(ease("ease_in_back", 0.3).unwrap() < 0.0); // overshoots
/// assert_eq!(ease("wobble", 0.5), None);
/// ```
pub fn ease(name: &str, t: f64) -> Option<f64> {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let (direction, curve) = split(canonical_easing(name)?);
    Some(match direction {
        Direction::Linear => t,
        Direction::Hold => {
            if t >= 1.0 {
                1.0
            } else {
                0.0
            }
        }
        Direction::In => ease_in(curve, t),
        Direction::Out => 1.0 - ease_in(curve, 1.0 - t),
        Direction::InOut => {
            let curve = in_out_curve(curve);
            if t < 0.5 {
                ease_in(curve, 2.0 * t) / 2.0
            } else {
                1.0 - ease_in(curve, 2.0 - 2.0 * t) / 2.0
            }
        }
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Linear,
    Hold,
    In,
    Out,
    InOut,
}

fn split(canonical: &str) -> (Direction, &str) {
    if let Some(curve) = canonical.strip_prefix("ease_in_out_") {
        (Direction::InOut, curve)
    } else if let Some(curve) = canonical.strip_prefix("ease_in_") {
        (Direction::In, curve)
    } else if let Some(curve) = canonical.strip_prefix("ease_out_") {
        (Direction::Out, curve)
    } else if canonical == "hold" {
        (Direction::Hold, "")
    } else {
        (Direction::Linear, "")
    }
}

/// Penner's in-out `back` overshoots with its own constant (`C2`), not `C1`.
fn in_out_curve(curve: &str) -> &str {
    if curve == "back" {
        "back_in_out"
    } else {
        curve
    }
}

/// The "in" form of each curve; "out" and "in-out" are built from it by symmetry, which
/// gives exactly Penner's formulas.
fn ease_in(curve: &str, t: f64) -> f64 {
    match curve {
        "quad" => t * t,
        "cubic" => t * t * t,
        "quart" => t * t * t * t,
        "sine" => 1.0 - (t * PI / 2.0).cos(),
        "expo" => {
            if t <= 0.0 {
                0.0
            } else {
                (10.0 * t - 10.0).exp2()
            }
        }
        "circ" => 1.0 - (1.0 - t * t).max(0.0).sqrt(),
        "back" => C3 * t * t * t - C1 * t * t,
        "back_in_out" => (C2 + 1.0) * t * t * t - C2 * t * t,
        _ => t,
    }
}

/// The "in" curve as an FFmpeg expression of `x` (a parenthesised expression).
fn ease_in_expression(curve: &str, x: &str) -> String {
    match curve {
        "quad" => format!("pow({x},2)"),
        "cubic" => format!("pow({x},3)"),
        "quart" => format!("pow({x},4)"),
        "sine" => format!("(1-cos({x}*PI/2))"),
        "expo" => format!("if(lte({x},0),0,pow(2,10*{x}-10))"),
        "circ" => format!("(1-sqrt(max(0,1-pow({x},2))))"),
        "back" => format!("({C3}*pow({x},3)-{C1}*pow({x},2))"),
        "back_in_out" => format!("({}*pow({x},3)-{C2}*pow({x},2))", C2 + 1.0),
        _ => x.to_owned(),
    }
}

/// The easing as an FFmpeg expression of progress `t` (any expression; it is clamped to
/// `[0, 1]` first), or `None` for an unknown name. Evaluates to what [`ease`] returns.
///
/// ```
/// use stoat_core::easing_expression;
/// assert_eq!(easing_expression("linear", "T").unwrap(), "clip(T,0,1)");
/// assert_eq!(easing_expression("ease_in_quad", "T").unwrap(), "pow(clip(T,0,1),2)");
/// ```
pub fn easing_expression(name: &str, t: &str) -> Option<String> {
    let (direction, curve) = split(canonical_easing(name)?);
    let x = format!("clip({t},0,1)");
    Some(match direction {
        Direction::Linear => x,
        Direction::Hold => format!("gte({x},1)"),
        Direction::In => ease_in_expression(curve, &x),
        Direction::Out => format!("(1-{})", ease_in_expression(curve, &format!("(1-{x})"))),
        Direction::InOut => format!(
            "if(lt({x},0.5),{}/2,1-{}/2)",
            ease_in_expression(in_out_curve(curve), &format!("(2*{x})")),
            ease_in_expression(in_out_curve(curve), &format!("(2-2*{x})"))
        ),
    })
}

/// One keyframe: at `time` (microseconds from the clip's start on the timeline) the
/// property has `value`; `easing` shapes the way to the next keyframe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Keyframe {
    /// Clip-relative time.
    pub time: Micros,
    /// The value at that time.
    pub value: f64,
    /// The canonical easing name towards the next keyframe.
    pub easing: String,
}

/// The value of keyframes at clip-relative time `t`: the first value before the first
/// keyframe, the last after the last, eased in between. `None` without keyframes.
/// Keyframes are sorted by time with unique times (the decider guarantees it).
///
/// ```
/// use stoat_core::{value_at, Keyframe};
/// let k = |time, value, easing: &str| Keyframe { time, value, easing: easing.into() };
/// let frames = [k(0, 0.0, "linear"), k(1_000_000, 1.0, "hold"), k(2_000_000, 0.5, "linear")];
/// assert_eq!(value_at(&frames, -5), Some(0.0));
/// assert_eq!(value_at(&frames, 250_000), Some(0.25));
/// assert_eq!(value_at(&frames, 1_500_000), Some(1.0)); // hold
/// assert_eq!(value_at(&frames, 2_000_000), Some(0.5));
/// assert_eq!(value_at(&frames, 9_000_000), Some(0.5));
/// assert_eq!(value_at(&[], 0), None);
/// ```
#[allow(clippy::cast_precision_loss)] // clip-relative times are far below 2^52
pub fn value_at(keyframes: &[Keyframe], t: Micros) -> Option<f64> {
    let first = keyframes.first()?;
    if t <= first.time {
        return Some(first.value);
    }
    let next = keyframes.partition_point(|k| k.time <= t);
    let Some(after) = keyframes.get(next) else {
        return keyframes.last().map(|k| k.value);
    };
    let before = &keyframes[next - 1];
    let span = (after.time - before.time) as f64;
    let progress = (t - before.time) as f64 / span;
    let eased = ease(&before.easing, progress).unwrap_or(progress);
    Some(before.value + (after.value - before.value) * eased)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_runs_from_zero_to_one() {
        for name in EASINGS {
            let start = ease(name, 0.0).unwrap();
            let end = ease(name, 1.0).unwrap();
            assert!(start.abs() < 1e-9, "{name} starts at {start}");
            assert!((end - 1.0).abs() < 1e-9, "{name} ends at {end}");
        }
    }

    #[test]
    fn matches_penner_reference_values() {
        let cases = [
            ("ease_in_cubic", 0.5, 0.125),
            ("ease_out_cubic", 0.5, 0.875),
            ("ease_in_out_cubic", 0.25, 0.0625),
            ("ease_in_out_quad", 0.75, 0.875),
            ("ease_in_quart", 0.5, 0.0625),
            ("ease_in_sine", 0.5, 1.0 - (PI / 4.0).cos()),
            ("ease_out_sine", 0.5, (PI / 4.0).sin()),
            ("ease_in_out_sine", 0.25, -((PI * 0.25).cos() - 1.0) / 2.0),
            ("ease_in_expo", 0.5, 2f64.powf(-5.0)),
            ("ease_out_expo", 0.5, 1.0 - 2f64.powf(-5.0)),
            (
                "ease_in_out_expo",
                0.25,
                2f64.powf(20.0 * 0.25 - 10.0) / 2.0,
            ),
            ("ease_in_circ", 0.5, 1.0 - (1.0f64 - 0.25).sqrt()),
            ("ease_out_circ", 0.5, (1.0f64 - 0.25).sqrt()),
            ("ease_in_back", 0.5, C3 * 0.125 - C1 * 0.25),
            (
                "ease_out_back",
                0.5,
                1.0 + C3 * (-0.5f64).powi(3) + C1 * 0.25,
            ),
            (
                "ease_in_out_back",
                0.25,
                (0.5f64.powi(2) * ((C2 + 1.0) * 0.5 - C2)) / 2.0,
            ),
            (
                "ease_in_out_back",
                0.75,
                ((2.0f64 * 0.75 - 2.0).powi(2) * ((C2 + 1.0) * (0.75 * 2.0 - 2.0) + C2) + 2.0)
                    / 2.0,
            ),
        ];
        for (name, t, expected) in cases {
            let got = ease(name, t).unwrap();
            assert!(
                (got - expected).abs() < 1e-12,
                "{name}({t}) = {got}, not {expected}"
            );
        }
    }

    #[test]
    fn clamps_progress() {
        assert_eq!(ease("linear", -1.0), Some(0.0));
        assert_eq!(ease("linear", 2.0), Some(1.0));
        assert_eq!(ease("linear", f64::NAN), Some(0.0));
    }

    #[test]
    fn expressions_exist_for_every_name() {
        for name in EASINGS {
            let e = easing_expression(name, "T").unwrap();
            assert!(e.contains("clip(T,0,1)"), "{name}: {e}");
        }
    }
}
