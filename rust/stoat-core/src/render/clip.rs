//! One clip's picture: from its source to a layer of exactly its frame count at the
//! output rate, ready to be joined with its neighbours on the track.
//!
//! The chain, in order:
//!
//! 1. source: a seeked media input trimmed to its span (reversed, sped up or down, turned
//!    into the output's constant rate, with a frame held for a freeze), a looped still, a
//!    colour, or text on a transparent canvas; padded or cut to the exact frame count;
//! 2. crop, flips, then fit into the clip's box (the frame, or its region of a layout);
//! 3. picture effects (colour, blur, sharpen, grayscale, LUT, chroma key) on the fitted
//!    picture;
//! 4. `contain` bars: the background colour on video tracks, transparent on overlay
//!    tracks;
//! 5. drawn effects (text, image overlays, subtitles) in the box's coordinates;
//! 6. fades;
//! 7. opacity, scale, rotation and position (keyframed or not) on a transparent canvas.
//!
//! FFmpeg's CLI applies a source's rotation metadata when it decodes (autorotate), so the
//! picture is upright before it is fitted.

use super::effects::{self as fx, Stage};
use super::graph::{put, Chain, Graph, Num, Pad};
use super::inputs::Inputs;
use super::keyframes;
use super::plan::{alpha, rgb, Canvas, Rect};
use super::text::{drawtext, TextStyle};
use crate::easing::Keyframe;
use crate::model::{Clip, ClipKind, TrackKind};
use crate::time::{micros_to_seconds, Micros};

/// A clip as the render draws it.
pub(crate) struct ClipRender<'a> {
    pub clip: &'a Clip,
    /// A number unique in the render (for filter instance names).
    pub n: usize,
    /// Its length in output frames.
    pub frames: i64,
    /// Its length in audio samples.
    pub samples: i64,
    pub canvas: &'a Canvas,
    /// Its box on the canvas.
    pub rect: Rect,
    /// Whether its layer carries alpha (every clip of a track but the base one).
    pub transparent: bool,
    /// The kind of its track (bars are transparent on overlay tracks).
    pub track: TrackKind,
}

impl ClipRender<'_> {
    /// Its length in microseconds (whole frames).
    pub(crate) fn duration(&self) -> Micros {
        self.canvas.micros_at(self.frames)
    }

    /// The keyframes of `property`, if it is animated.
    pub(crate) fn keyframes(&self, property: &str) -> Option<&[Keyframe]> {
        if self.clip.keyframes.is_empty() {
            return None;
        }
        self.clip
            .keyframes
            .get(property)
            .map(Vec::as_slice)
            .filter(|k| !k.is_empty())
    }

    /// The pixel format of its layer.
    pub(crate) fn format(&self) -> &'static str {
        if self.transparent {
            "yuva420p"
        } else {
            "yuv420p"
        }
    }

    /// The colour of `contain` bars.
    fn bars(&self) -> &str {
        if self.track == TrackKind::Overlay {
            "black@0"
        } else {
            rgb(&self.canvas.background)
        }
    }
}

/// Whether `clip` on a track of `kind`, in a box `rect`, can be drawn without alpha
/// (an opaque frame-filling layer).
pub(crate) fn is_opaque(clip: &Clip, kind: TrackKind, rect: Rect, canvas: &Canvas) -> bool {
    let t = &clip.transform;
    let animated = !clip.keyframes.is_empty()
        && ["opacity", "scale", "x", "y"]
            .iter()
            .any(|p| clip.keyframes.get(*p).is_some_and(|k| !k.is_empty()));
    kind == TrackKind::Video
        && rect == Rect::full(canvas)
        && clip.kind != ClipKind::Text
        && clip.has_video()
        && !animated
        && t.opacity >= 1.0
        && t.rotate == 0.0
        && (t.scale - 1.0).abs() < f64::EPSILON
        && t.x == 0.0
        && t.y == 0.0
        && clip.color.as_deref().map_or(true, |c| alpha(c) == 255)
        && !clip.effects.iter().any(|e| e.kind == "chroma_key")
}

/// Writes the clip's picture chain and returns its pad.
pub(crate) fn video(g: &mut Graph, inputs: &mut Inputs, c: &ClipRender<'_>) -> Pad {
    let clip = c.clip;
    let mut chain = match clip.kind {
        ClipKind::Media => media_source(g, inputs, c),
        ClipKind::Image => image_source(g, inputs, c),
        ClipKind::Color => color_source(g, c),
        ClipKind::Text => text_source(g, c),
    };
    let effects = fx::resolve(clip);
    let fitted = matches!(clip.kind, ClipKind::Media | ClipKind::Image);
    if fitted {
        crop(&mut chain, c);
    }
    if clip.transform.flip_h {
        chain.s("hflip");
    }
    if clip.transform.flip_v {
        chain.s("vflip");
    }
    // Always scaled, even when the probe says the sizes match: a probe may miss a
    // rotation, and `scale` passes frames through untouched when nothing changes.
    let contain = fitted && clip.transform.fit == "contain";
    if fitted {
        fit(&mut chain, c);
    }
    fx::video_stage(&mut chain, inputs, c, &effects, Stage::Picture);
    if contain {
        put!(
            chain.filter(),
            "pad=",
            c.rect.w,
            ':',
            c.rect.h,
            ":(ow-iw)/2:(oh-ih)/2:color=",
            c.bars()
        );
    }
    fx::video_stage(&mut chain, inputs, c, &effects, Stage::Draw);
    fx::video_stage(&mut chain, inputs, c, &effects, Stage::Fade);
    opacity(&mut chain, c);
    place(&mut chain, c);
    put!(chain.filter(), "format=", c.format(), ",setsar=1");
    chain.end()
}

/// `[k:v:0]`, trimmed to the span, reversed, at speed, at the output rate, with a freeze.
fn media_source<'g>(g: &'g mut Graph, inputs: &mut Inputs, c: &ClipRender<'_>) -> Chain<'g> {
    let clip = c.clip;
    let fps = c.canvas.fps;
    let span = clip.span();
    let margin = fps.frame_duration_ceil() * 2;
    let k = inputs.media(
        clip.source.as_deref().unwrap_or_default(),
        clip.in_point.unwrap_or(0),
        span + margin,
    );
    let mut chain = g.input_chain(k, "v:0");
    put!(
        chain.filter(),
        "setpts=PTS-STARTPTS,trim=end=",
        Num(micros_to_seconds(span))
    );
    if clip.reverse {
        chain.s("reverse");
    }
    if (clip.speed - 1.0).abs() > f64::EPSILON {
        put!(chain.filter(), "setpts=PTS/", Num(clip.speed));
    }
    put!(chain.filter(), "fps=", fps);
    if let Some(freeze) = clip.freeze {
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let played = (span as f64 / clip.speed).round() as Micros;
        let played_frames = fps.frame_at(played).max(1);
        let offset = if clip.reverse {
            clip.out_point.unwrap_or(0) - freeze.at
        } else {
            freeze.at - clip.in_point.unwrap_or(0)
        };
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let at = fps
            .frame_at((offset as f64 / clip.speed).round() as Micros)
            .clamp(0, played_frames - 1);
        let hold = c.frames - played_frames;
        if hold > 0 {
            let _ = chain.f(format_args!("loop=loop={hold}:size=1:start={at},setpts=N"));
        }
    }
    exact_frames(&mut chain, c.frames);
    chain
}

/// Pads with copies of the last frame and cuts at exactly `frames`.
fn exact_frames(chain: &mut Chain<'_>, frames: i64) {
    put!(
        chain.filter(),
        "tpad=stop_mode=clone:stop=",
        frames,
        ",trim=end_frame=",
        frames
    );
}

/// A still repeated at the output rate.
fn image_source<'g>(g: &'g mut Graph, inputs: &mut Inputs, c: &ClipRender<'_>) -> Chain<'g> {
    let fps = c.canvas.fps;
    let k = inputs.still(
        c.clip.source.as_deref().unwrap_or_default(),
        fps,
        c.duration() + fps.frame_duration_ceil() * 2,
    );
    let mut chain = g.input_chain(k, "v:0");
    put!(chain.filter(), "setpts=PTS-STARTPTS,fps=", fps);
    exact_frames(&mut chain, c.frames);
    chain
}

fn color_source<'g>(g: &'g mut Graph, c: &ClipRender<'_>) -> Chain<'g> {
    let mut chain = g.chain('v', &[]);
    let _ = chain.f(format_args!(
        "color=c={}:s={}x{}:r={},format={},trim=end_frame={}",
        c.clip.color.as_deref().unwrap_or("#000000"),
        c.rect.w,
        c.rect.h,
        c.canvas.fps,
        c.format(),
        c.frames
    ));
    chain
}

fn text_source<'g>(g: &'g mut Graph, c: &ClipRender<'_>) -> Chain<'g> {
    let empty = crate::spec::Obj::new();
    let style = TextStyle::from_obj(c.clip.style.as_ref().unwrap_or(&empty), c.canvas.px);
    let mut chain = g.chain('v', &[]);
    let _ = chain.f(format_args!(
        "color=c={}@0:s={}x{}:r={},format=yuva420p,trim=end_frame={}",
        style.canvas_color(),
        c.rect.w,
        c.rect.h,
        c.canvas.fps,
        c.frames
    ));
    drawtext(
        &mut chain,
        c.clip.text.as_deref().unwrap_or_default(),
        &style,
        None,
        true,
    );
    chain
}

fn crop(chain: &mut Chain<'_>, c: &ClipRender<'_>) {
    let crop = c.clip.transform.crop;
    if crop.left == 0.0 && crop.top == 0.0 && crop.right == 0.0 && crop.bottom == 0.0 {
        return;
    }
    let _ = chain.f(format_args!(
        "crop=w=iw*{}:h=ih*{}:x=iw*{}:y=ih*{}",
        Num(1.0 - crop.left - crop.right),
        Num(1.0 - crop.top - crop.bottom),
        Num(crop.left),
        Num(crop.top)
    ));
}

/// Scales the picture into the box: `contain` inside it (bars come later), `cover` over
/// it and cut to it, `stretch` to it.
fn fit(chain: &mut Chain<'_>, c: &ClipRender<'_>) {
    let (w, h) = (c.rect.w, c.rect.h);
    let out = chain.filter();
    put!(out, "scale=", w, ':', h);
    match c.clip.transform.fit.as_str() {
        "cover" => put!(
            out,
            ":force_original_aspect_ratio=increase,crop=",
            w,
            ':',
            h
        ),
        "stretch" => {}
        _ => out.push_str(":force_original_aspect_ratio=decrease:force_divisible_by=2"),
    }
    if c.transparent {
        // Bars and everything after need an alpha plane.
        chain.s("format=yuva420p");
    }
}

fn opacity(chain: &mut Chain<'_>, c: &ClipRender<'_>) {
    if let Some(k) = c.keyframes("opacity") {
        let out = chain.filter();
        out.push_str("geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='alpha(X,Y)*clip(");
        keyframes::put_expression(out, k, "T", 1.0, 0.0);
        out.push_str(",0,1)'");
    } else if c.clip.transform.opacity < 1.0 {
        put!(chain.filter(), "lut=a=val*", Num(c.clip.transform.opacity));
    }
}

/// Scale, rotation and position: onto a transparent canvas unless the layer already is
/// the box, in place, and the box is the canvas.
fn place(chain: &mut Chain<'_>, c: &ClipRender<'_>) {
    let t = &c.clip.transform;
    let canvas = c.canvas;
    let scale_k = c.keyframes("scale");
    let (x_k, y_k) = (c.keyframes("x"), c.keyframes("y"));
    let scaled = scale_k.is_some() || (t.scale - 1.0).abs() > f64::EPSILON;
    if let Some(k) = scale_k {
        let e = keyframes::expression(k, "t", 1.0, 0.0);
        let _ = chain.f(format_args!(
            "scale=w='max(2,trunc(iw*{e}/2)*2)':h='max(2,trunc(ih*{e}/2)*2)':eval=frame"
        ));
    } else if scaled {
        let s = Num(t.scale);
        let _ = chain.f(format_args!(
            "scale=w='max(2,trunc(iw*{s}/2)*2)':h='max(2,trunc(ih*{s}/2)*2)'"
        ));
    }
    if t.rotate != 0.0 {
        let rad = Num(t.rotate.to_radians());
        let _ = chain.f(format_args!(
            "rotate=a={rad}:ow=rotw({rad}):oh=roth({rad}):c=none"
        ));
    }
    let moved = x_k.is_some() || y_k.is_some() || t.x != 0.0 || t.y != 0.0;
    let full = c.rect == Rect::full(canvas);
    if full && !scaled && t.rotate == 0.0 && !moved {
        return;
    }
    let rect = c.rect;
    if !scaled && t.rotate == 0.0 && !moved {
        // The layer is exactly the box: pad it into place.
        put!(
            chain.filter(),
            "pad=",
            canvas.w,
            ':',
            canvas.h,
            ':',
            rect.x,
            ':',
            rect.y,
            ":color=black@0"
        );
        return;
    }
    let (ah, av) = super::text::anchor(&t.position);
    let offset = |k: Option<&[Keyframe]>, still: f64| match k {
        Some(k) => keyframes::expression(k, "t", canvas.px, 0.0),
        None => Num(canvas.px(still)).to_string(),
    };
    let dx = offset(x_k, t.x);
    let dy = offset(y_k, t.y);
    let mut left = String::with_capacity(48);
    let mut top = String::with_capacity(48);
    put!(&mut left, rect.x);
    put!(&mut top, rect.y);
    match ah {
        -1 => {}
        0 => put!(&mut left, "+(", rect.w, "-overlay_w)/2"),
        _ => put!(&mut left, '+', rect.w, "-overlay_w"),
    }
    match av {
        -1 => {}
        0 => put!(&mut top, "+(", rect.h, "-overlay_h)/2"),
        _ => put!(&mut top, '+', rect.h, "-overlay_h"),
    }
    let (cw, ch, fps) = (canvas.w, canvas.h, canvas.fps);
    chain.join_side(
        true,
        |g| {
            let mut bg = g.chain('v', &[]);
            let _ = bg.f(format_args!(
                "color=c=black@0:s={cw}x{ch}:r={fps},format=yuva420p"
            ));
            bg.end()
        },
        |out| {
            put!(
                out,
                "overlay=x='",
                left,
                '+',
                dx,
                "':y='",
                top,
                '+',
                dy,
                "':format=auto:shortest=1"
            );
        },
    );
}
