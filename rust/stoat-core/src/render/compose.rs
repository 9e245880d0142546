//! The picture of the render: the base (the lowest track when it is opaque, otherwise the
//! background colour) with every other track overlaid in z-order, each enabled only where
//! it shows something.

use std::fmt::Write as _;

use super::graph::{Graph, Pad};
use super::plan::{rgb, Canvas};
use super::tracks::Layer;

/// Overlays `layers` on `base` (or on the background colour for `frames` frames).
pub(crate) fn compose(
    g: &mut Graph,
    canvas: &Canvas,
    base: Option<Pad>,
    layers: Vec<Layer>,
    frames: i64,
) -> Pad {
    let mut acc = base.unwrap_or_else(|| {
        let mut chain = g.chain('v', &[]);
        let _ = chain.f(format_args!(
            "color=c={}:s={}x{}:r={},format=yuv420p,trim=end_frame={frames}",
            rgb(&canvas.background),
            canvas.w,
            canvas.h,
            canvas.fps
        ));
        chain.end()
    });
    for layer in layers {
        let mut enable = String::with_capacity(layer.shows.len() * 24);
        for (i, (a, b)) in layer.shows.iter().enumerate() {
            let plus = if i == 0 { "" } else { "+" };
            let _ = write!(enable, "{plus}between(n,{a},{})", b - 1);
        }
        let mut chain = g.chain('v', &[acc, layer.pad]);
        let _ = chain.f(format_args!(
            "overlay=eof_action=pass:repeatlast=0:enable='{enable}'"
        ));
        acc = chain.end();
    }
    acc
}
