//! Render progress from FFmpeg's `-progress` output.

use serde::{Deserialize, Serialize};

use crate::time::{Micros, MICROS_PER_SECOND};

/// How far a render is and how long it may take still.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Done so far, from 0 to 1.
    pub fraction: f64,
    /// Estimated seconds left, once there is some progress to extrapolate from.
    pub eta_seconds: Option<f64>,
}

/// Progress from FFmpeg's `out_time_us`, the timeline's total duration and the wall time
/// spent so far. The estimate assumes a steady speed: `elapsed / fraction - elapsed`.
///
/// ```
/// use stoat_core::progress;
/// let p = progress(2_500_000, 10_000_000, 5_000_000);
/// assert_eq!(p.fraction, 0.25);
/// assert_eq!(p.eta_seconds, Some(15.0));
/// assert_eq!(progress(0, 10_000_000, 1_000_000).eta_seconds, None);
/// assert_eq!(progress(20_000_000, 10_000_000, 1_000_000).fraction, 1.0);
/// ```
#[allow(clippy::cast_precision_loss)] // microsecond counts far below 2^52 in practice
pub fn progress(out_time_us: Micros, total_us: Micros, elapsed_us: Micros) -> Progress {
    if total_us <= 0 {
        return Progress {
            fraction: 0.0,
            eta_seconds: None,
        };
    }
    let fraction = (out_time_us as f64 / total_us as f64).clamp(0.0, 1.0);
    let elapsed = elapsed_us.max(0) as f64 / MICROS_PER_SECOND as f64;
    let eta_seconds = (fraction > 0.0).then(|| (elapsed / fraction - elapsed).max(0.0));
    Progress {
        fraction,
        eta_seconds,
    }
}
