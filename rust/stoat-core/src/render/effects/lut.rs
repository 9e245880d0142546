//! `lut`: `lut3d` from the `.cube` file (its path escaped for the graph).

use super::{EffectRender, Stage};
use crate::render::clip::ClipRender;
use crate::render::filter_escape::escape_filter_value;
use crate::render::graph::Chain;
use crate::render::inputs::Inputs;
use crate::spec::{Obj, ObjExt};

pub(crate) const RENDER: EffectRender = EffectRender {
    stage: Stage::Picture,
    video: Some(video),
    audio: None,
};

fn video(p: &Obj, c: &ClipRender<'_>, chain: &mut Chain<'_>, _: &mut Inputs) {
    let _ = chain.f(format_args!(
        "lut3d=file={}:interp={},format={}",
        escape_filter_value(p.str_of("path").unwrap_or_default()),
        p.str_of("interpolation").unwrap_or("tetrahedral"),
        c.format()
    ));
}
