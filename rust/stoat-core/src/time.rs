//! Exact time: integer microseconds and rational frame rates.
//!
//! Every position and duration inside the core is an integer number of microseconds; seconds
//! appear only when text is written for people or for FFmpeg. Frame snapping happens in one
//! place, [`Rational::frame_at`], with `i128` arithmetic so nothing drifts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A time or duration in integer microseconds.
pub type Micros = i64;

/// Microseconds in one second.
pub const MICROS_PER_SECOND: Micros = 1_000_000;

/// The largest numerator or denominator a [`Rational`] may have once reduced.
///
/// Bounding both keeps every product in [`Rational::frame_at`] and
/// [`Rational::samples_at_frame`] far inside `i128`.
pub const MAX_RATIONAL_COMPONENT: i64 = 1_000_000_000;

/// A positive, reduced fraction such as a frame rate (`30000/1001`).
///
/// Serialised as text: `"30"` when the denominator is one, `"30000/1001"` otherwise.
///
/// ```
/// use stoat_core::Rational;
/// let ntsc: Rational = "60000/2002".parse().unwrap();
/// assert_eq!((ntsc.num(), ntsc.den()), (30000, 1001));
/// assert_eq!(ntsc.to_string(), "30000/1001");
/// assert_eq!("30".parse::<Rational>().unwrap().to_string(), "30");
/// assert!("29.97".parse::<Rational>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rational {
    num: i64,
    den: i64,
}

/// Why text is not a [`Rational`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RationalError {
    /// Not `N` or `N/D` with ASCII digits only.
    Syntax,
    /// A zero numerator or denominator.
    NotPositive,
    /// A component above [`MAX_RATIONAL_COMPONENT`] once reduced.
    TooLarge,
}

impl fmt::Display for RationalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "expected N or N/D with whole numbers, e.g. 30 or 30000/1001",
            Self::NotPositive => "numerator and denominator must be positive",
            Self::TooLarge => "numerator or denominator is too large",
        })
    }
}

impl std::error::Error for RationalError {}

impl Rational {
    /// Builds `num/den` reduced to lowest terms.
    ///
    /// ```
    /// use stoat_core::Rational;
    /// assert_eq!(Rational::new(50, 2).unwrap(), Rational::new(25, 1).unwrap());
    /// assert!(Rational::new(0, 1).is_err());
    /// ```
    pub fn new(num: i64, den: i64) -> Result<Self, RationalError> {
        if num <= 0 || den <= 0 {
            return Err(RationalError::NotPositive);
        }
        let g = gcd(num, den);
        let (num, den) = (num / g, den / g);
        if num > MAX_RATIONAL_COMPONENT || den > MAX_RATIONAL_COMPONENT {
            return Err(RationalError::TooLarge);
        }
        Ok(Self { num, den })
    }

    /// The numerator.
    pub const fn num(self) -> i64 {
        self.num
    }

    /// The denominator.
    pub const fn den(self) -> i64 {
        self.den
    }

    /// Compares `self` with the whole number `n` exactly.
    ///
    /// ```
    /// use stoat_core::Rational;
    /// use std::cmp::Ordering;
    /// let r: Rational = "30000/1001".parse().unwrap();
    /// assert_eq!(r.cmp_int(30), Ordering::Less);
    /// ```
    pub fn cmp_int(self, n: i64) -> std::cmp::Ordering {
        i128::from(self.num).cmp(&(i128::from(n) * i128::from(self.den)))
    }

    /// The frame boundary nearest to time `t` at this rate: `round(t * fps)`, halves rounded
    /// up. This is the one place where time is snapped to frames.
    ///
    /// ```
    /// use stoat_core::Rational;
    /// let fps: Rational = "30".parse().unwrap();
    /// assert_eq!(fps.frame_at(1_000_000), 30);
    /// assert_eq!(fps.frame_at(16_667), 1); // 0.50001 frame rounds up
    /// assert_eq!(fps.frame_at(16_666), 0);
    /// ```
    pub fn frame_at(self, t: Micros) -> i64 {
        let scale = i128::from(self.den) * i128::from(MICROS_PER_SECOND);
        let twice = 2 * i128::from(t) * i128::from(self.num) + scale;
        narrow(twice.div_euclid(2 * scale))
    }

    /// The audio sample boundary of frame boundary `frame` at `sample_rate`:
    /// `round(frame * sample_rate / fps)`, halves rounded up.
    ///
    /// ```
    /// use stoat_core::Rational;
    /// let ntsc: Rational = "30000/1001".parse().unwrap();
    /// assert_eq!(ntsc.samples_at_frame(1, 48_000), 1602); // 1601.6
    /// ```
    pub fn samples_at_frame(self, frame: i64, sample_rate: u32) -> i64 {
        let num = 2 * i128::from(frame) * i128::from(self.den) * i128::from(sample_rate)
            + i128::from(self.num);
        narrow(num.div_euclid(2 * i128::from(self.num)))
    }

    /// The length of one frame in microseconds, rounded up.
    ///
    /// ```
    /// use stoat_core::Rational;
    /// assert_eq!("30000/1001".parse::<Rational>().unwrap().frame_duration_ceil(), 33_367);
    /// assert_eq!("25".parse::<Rational>().unwrap().frame_duration_ceil(), 40_000);
    /// ```
    pub fn frame_duration_ceil(self) -> Micros {
        let num = i128::from(self.den) * i128::from(MICROS_PER_SECOND);
        let den = i128::from(self.num);
        narrow((num + den - 1).div_euclid(den))
    }
}

/// Saturates an `i128` into `i64`; the bounds on inputs make saturation unreachable in
/// practice, and saturating keeps the functions total.
fn narrow(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl FromStr for Rational {
    type Err = RationalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        fn whole(s: &str) -> Result<i64, RationalError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RationalError::Syntax);
            }
            s.parse::<i64>().map_err(|_| RationalError::TooLarge)
        }
        match s.split_once('/') {
            None => Self::new(whole(s)?, 1),
            Some((n, d)) => Self::new(whole(n)?, whole(d)?),
        }
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl TryFrom<String> for Rational {
    type Error = RationalError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Rational> for String {
    fn from(r: Rational) -> Self {
        r.to_string()
    }
}

/// Seconds as callers write them (a JSON number) to microseconds, rounded to the nearest
/// microsecond; `None` for NaN, infinities and magnitudes beyond `2^53` microseconds.
///
/// ```
/// use stoat_core::seconds_to_micros;
/// assert_eq!(seconds_to_micros(1.5), Some(1_500_000));
/// assert_eq!(seconds_to_micros(0.1), Some(100_000));
/// assert_eq!(seconds_to_micros(0.0000004), Some(0));
/// assert_eq!(seconds_to_micros(f64::NAN), None);
/// assert_eq!(seconds_to_micros(1e300), None);
/// ```
#[allow(clippy::cast_possible_truncation)] // bounded below 2^53 first
pub fn seconds_to_micros(seconds: f64) -> Option<Micros> {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    let micros = (seconds * 1_000_000.0).round();
    (micros.is_finite() && micros.abs() <= LIMIT).then_some(micros as Micros)
}

/// Microseconds as seconds for callers: the nearest `f64`, which prints back as the exact
/// decimal (at most six places) for any time below `2^53` microseconds.
///
/// ```
/// use stoat_core::micros_to_seconds;
/// assert_eq!(micros_to_seconds(33_367), 0.033367);
/// ```
#[allow(clippy::cast_precision_loss)] // exact below 2^53
pub fn micros_to_seconds(micros: Micros) -> f64 {
    micros as f64 / 1_000_000.0
}

/// Formats microseconds as seconds for people and for FFmpeg: exact, at most six decimals,
/// trailing zeros trimmed.
///
/// ```
/// use stoat_core::format_seconds;
/// assert_eq!(format_seconds(1_500_000), "1.5");
/// assert_eq!(format_seconds(33_367), "0.033367");
/// assert_eq!(format_seconds(12_000_000), "12");
/// assert_eq!(format_seconds(-250_000), "-0.25");
/// ```
pub fn format_seconds(t: Micros) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    let micros = MICROS_PER_SECOND.unsigned_abs();
    let (whole, frac) = (abs / micros, abs % micros);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{frac:06}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reduces() {
        let r: Rational = "48/2".parse().unwrap();
        assert_eq!((r.num(), r.den()), (24, 1));
        assert_eq!("24/1".parse::<Rational>().unwrap().to_string(), "24");
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "", "29.97", "-30", "30/", "/1", " 30", "30/0", "0", "a/b", "+30", "1/2/3",
        ] {
            assert!(bad.parse::<Rational>().is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            "99999999999999999999".parse::<Rational>(),
            Err(RationalError::TooLarge)
        );
    }

    #[test]
    fn serde_uses_text() {
        let r: Rational = "30000/1001".parse().unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"30000/1001\"");
        assert_eq!(
            serde_json::from_str::<Rational>("\"30000/1001\"").unwrap(),
            r
        );
        assert!(serde_json::from_str::<Rational>("\"0/1\"").is_err());
    }

    #[test]
    fn frame_rounding_is_half_up() {
        let fps: Rational = "2".parse().unwrap();
        assert_eq!(fps.frame_at(250_000), 1); // exactly half a frame
        assert_eq!(fps.frame_at(249_999), 0);
        assert_eq!(fps.frame_at(0), 0);
    }

    #[test]
    fn ntsc_hour_has_exact_frame_count() {
        let fps: Rational = "30000/1001".parse().unwrap();
        // 3600 s * 30000/1001 = 107892.107... frames
        assert_eq!(fps.frame_at(3_600 * MICROS_PER_SECOND), 107_892);
    }

    #[test]
    fn formats_seconds() {
        assert_eq!(format_seconds(0), "0");
        assert_eq!(format_seconds(1), "0.000001");
        assert_eq!(format_seconds(i64::MIN), "-9223372036854.775808");
    }
}
