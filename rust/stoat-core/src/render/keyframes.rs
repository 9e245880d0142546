//! Keyframes as FFmpeg expressions of time, with the named easings.
//!
//! A curve `v0, v1, ..., vn` at times `t0 < t1 < ... < tn` is written as a flat sum, with
//! no nesting (FFmpeg's parser recurses on nesting):
//!
//! `v0 + (v1 - v0) * E0(clip((t - t0) / (t1 - t0), 0, 1)) + (v2 - v1) * E1(...) + ...`
//!
//! Every easing maps 0 to 0 and 1 to 1, so each term is 0 before its segment and its full
//! step after it: the sum is `value_at` everywhere (first value before the first keyframe,
//! last value after the last). Filters whose option cannot be an expression of time
//! (`gblur`'s sigma) get one `sendcmd` command per output frame instead, with the value
//! [`crate::value_at`] computes.

use super::graph::{put, Num};
use crate::easing::{easing_expression, value_at, Keyframe};
use crate::time::{micros_to_seconds, Micros};

/// The keyframed value as an expression of the time variable `var` (`t` in most filters,
/// `T` in `geq`), times `scale`, plus `offset`.
///
/// ```ignore
/// expression(&[k(0, 0.0), k(1_000_000, 1.0)], "t", 1.0, 0.0)
///     == "(0+1*clip((t-0)/1,0,1))"
/// ```
pub(crate) fn expression(keyframes: &[Keyframe], var: &str, scale: f64, offset: f64) -> String {
    let mut out = String::with_capacity(32 + keyframes.len() * 48);
    put_expression(&mut out, keyframes, var, scale, offset);
    out
}

/// [`expression`], written at the end of `out`.
pub(crate) fn put_expression(
    out: &mut String,
    keyframes: &[Keyframe],
    var: &str,
    scale: f64,
    offset: f64,
) {
    let first = keyframes.first().map_or(0.0, |k| k.value);
    put!(out, '(', Num(first * scale + offset));
    for pair in keyframes.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let step = (b.value - a.value) * scale;
        if step == 0.0 {
            continue;
        }
        let progress = format!(
            "({var}-{})/{}",
            Num(micros_to_seconds(a.time)),
            Num(micros_to_seconds(b.time - a.time))
        );
        let eased = easing_expression(&a.easing, &progress)
            .unwrap_or_else(|| format!("clip({progress},0,1)"));
        put!(out, '+', Num(step), '*', eased);
    }
    out.push(')');
}

/// `sendcmd` commands setting `options` of filter instance `target` at every output frame
/// whose value changes: `TIME target option VALUE,...;...` for frames `0..frames` at
/// `frame_time(n)` (clip-relative microseconds).
pub(crate) fn commands(
    keyframes: &[Keyframe],
    frames: i64,
    frame_time: impl Fn(i64) -> Micros,
    target: &str,
    options: &[&str],
    scale: f64,
) -> String {
    let mut out = String::new();
    let mut last: Option<f64> = None;
    for n in 0..frames.max(1) {
        let t = frame_time(n);
        let v = value_at(keyframes, t).unwrap_or(0.0) * scale;
        // Six decimals is what reaches FFmpeg; a change below that is no change.
        let v = (v * 1e6).round() / 1e6;
        if last == Some(v) {
            continue;
        }
        last = Some(v);
        if !out.is_empty() {
            out.push(';');
        }
        put!(&mut out, Num(micros_to_seconds(t)));
        for (i, option) in options.iter().enumerate() {
            let sep = if i == 0 { ' ' } else { ',' };
            put!(&mut out, sep, target, ' ', option, ' ', Num(v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(time: Micros, value: f64, easing: &str) -> Keyframe {
        Keyframe {
            time,
            value,
            easing: easing.into(),
        }
    }

    #[test]
    fn a_linear_ramp() {
        let e = expression(
            &[k(0, 0.0, "linear"), k(2_000_000, 1.0, "linear")],
            "t",
            1.0,
            0.0,
        );
        assert_eq!(e, "(0+1*clip((t-0)/2,0,1))");
    }

    #[test]
    fn steps_without_change_are_left_out_and_scale_applies() {
        let e = expression(
            &[
                k(0, 5.0, "linear"),
                k(1_000_000, 5.0, "ease_in_quad"),
                k(1_500_000, 7.0, "linear"),
            ],
            "T",
            2.0,
            1.0,
        );
        assert_eq!(e, "(11+4*pow(clip((T-1)/0.5,0,1),2))");
    }

    #[test]
    fn commands_change_only_when_the_value_does() {
        let frames = [k(0, 0.0, "hold"), k(100_000, 4.0, "linear")];
        let c = commands(
            &frames,
            5,
            |n| n * 40_000,
            "gblur@c1",
            &["sigma", "sigmaV"],
            1.0,
        );
        assert_eq!(
            c,
            "0 gblur@c1 sigma 0,gblur@c1 sigmaV 0;0.12 gblur@c1 sigma 4,gblur@c1 sigmaV 4"
        );
    }
}
