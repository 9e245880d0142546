//! `image_overlay` and `watermark`: an image drawn over the clip.

use serde_json::{json, Value};

use super::{beyond_clip, no_check, Applies, EffectDef};
use crate::error::ValidationErrors;
use crate::model::Clip;
use crate::spec::{num, Def, Field, Obj, ObjExt, PathKind, Ty, ANCHORS, DURATION, SECONDS};

macro_rules! fields {
    ($position:literal, $scale:literal, $opacity:literal) => {
        &[
            Field::req(
                "path",
                Ty::Path(PathKind::Image),
                "The image (PNG with alpha works best)",
            ),
            Field::def(
                "position",
                Ty::Enum(ANCHORS),
                Def::Str($position),
                "Anchor in the frame",
            ),
            Field::def(
                "x",
                num(-16384.0, 16384.0),
                Def::Num(0.0),
                "Horizontal offset from the anchor in pixels",
            ),
            Field::def(
                "y",
                num(-16384.0, 16384.0),
                Def::Num(0.0),
                "Vertical offset from the anchor in pixels",
            ),
            Field::def(
                "margin",
                num(0.0, 0.5),
                Def::Num(0.02),
                "Distance from the frame's edges as a fraction of its width",
            ),
            Field::def(
                "scale",
                num(0.01, 1.0),
                Def::Num($scale),
                "The image's width as a fraction of the frame's width",
            ),
            Field::def(
                "opacity",
                num(0.0, 1.0),
                Def::Num($opacity),
                "0 invisible, 1 opaque",
            ),
            Field::def(
                "start",
                SECONDS,
                Def::Num(0.0),
                "When it appears, seconds from the clip's start",
            ),
            Field::opt(
                "duration",
                DURATION,
                "How long it shows (default: to the clip's end)",
            ),
        ]
    };
}

fn check_clip(params: &Obj, clip: &Clip) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    let start = params.i64_of("start").unwrap_or(0);
    if start >= clip.timeline_duration() {
        errors.push(beyond_clip("start", start, clip));
    }
    errors
}

fn example() -> Value {
    json!({"path": "/media/sticker.png", "position": "top_left", "scale": 0.25, "start": 1, "duration": 2})
}

fn watermark_example() -> Value {
    json!({"path": "/media/logo.png"})
}

pub(super) const DEF: EffectDef = EffectDef {
    name: "image_overlay",
    description: "Draws an image over the clip at an anchor with offsets, scaled to a fraction of the frame width, with opacity and timing",
    ai_hint: "Use for stickers and callouts; for a logo on every clip put a watermark on each or an image clip on an overlay track",
    applies: Applies::Video,
    fields: fields!("center", 0.25, 1.0),
    example,
    check: no_check,
    check_clip,
    render: crate::render::effects::IMAGE_OVERLAY,
};

pub(super) const WATERMARK: EffectDef = EffectDef {
    name: "watermark",
    description:
        "An image overlay with watermark defaults: small, bottom right, partly transparent",
    ai_hint: "Give only path for a discreet corner logo; lower opacity to make it subtler",
    applies: Applies::Video,
    fields: fields!("bottom_right", 0.12, 0.6),
    example: watermark_example,
    check: no_check,
    check_clip,
    render: crate::render::effects::IMAGE_OVERLAY,
};
