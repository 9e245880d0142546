//! The render compiler: a pure function from a timeline to the complete FFmpeg argv.
//!
//! The argv is run without a shell, so paths are plain argv items; the only text that
//! needs escaping is what goes into the filter graph ([`filter_escape`]).
//!
//! One graph renders the whole timeline (see the modules for each part):
//!
//! * [`inputs`]: one seeked input per media clip, looped stills, overlay images;
//! * [`clip`] and [`clip_audio`]: per-clip chains (trim, speed, reverse, freeze, fit,
//!   transforms, keyframes) with the effect builders of [`effects`] at their stages;
//! * [`tracks`]: runs of clips joined by `xfade`/`acrossfade`, gaps, the window rendered;
//! * [`compose`] and [`mix`]: tracks overlaid in z-order, sound ducked and mixed without
//!   attenuation, loudness when asked;
//! * [`presets`]: encoders, containers and quality levels.
//!
//! Every output's picture has exactly the window's frame count and its sound exactly the
//! samples up to the same boundary, so the two end together.

mod clip;
mod clip_audio;
mod compose;
pub(crate) mod effects;
pub mod filter_escape;
mod graph;
mod inputs;
mod keyframes;
mod mix;
mod plan;
mod presets;
mod request;
mod text;
mod tracks;

use std::fmt::Write as _;

use serde_json::Value;

pub use request::RenderRequest;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::model::{Timeline, TrackKind};
use crate::placement::layout_at;
use crate::time::{format_seconds, Micros, Rational};
use graph::Graph;
use inputs::Inputs;
use plan::{Boxes, Canvas, Window};
use presets::{Kind, Preset, DEFAULT_QUALITY, QUALITY_LEVELS};
use tracks::Scene;

/// The names of every render preset.
pub fn render_presets() -> Vec<&'static str> {
    presets::PRESETS.iter().map(|p| p.name).collect()
}

/// Every render preset as plain data (GET /v1/presets): `{name, description, kind,
/// extension, content_type, video_encoders, pixel_format, audio, quality, max_size,
/// max_fps, parameters, example}`.
///
/// ```
/// let presets = stoat_core::render_presets_catalog();
/// assert_eq!(presets[0]["name"], "h264_aac");
/// assert_eq!(presets[0]["extension"], "mp4");
/// ```
pub fn render_presets_catalog() -> Vec<Value> {
    presets::catalog()
}

/// Options that come before the inputs.
const GLOBAL_ARGS: &[&str] = &[
    "ffmpeg",
    "-hide_banner",
    "-nostdin",
    "-y",
    "-loglevel",
    "error",
    "-progress",
    "pipe:1",
    "-nostats",
];

/// Options after the encoder's, for byte-identical output from identical input.
const REPRODUCIBLE_ARGS: &[&str] = &[
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-map_metadata",
    "-1",
];

/// The VA-API device used by `*_vaapi` encoders.
const VAAPI_DEVICE: &str = "/dev/dri/renderD128";

/// The argv of a one-frame trial encode with `encoder` (to `-f null`), for finding which
/// hardware encoders work on this machine.
///
/// ```
/// let argv = stoat_core::encoder_trial_argv("h264_nvenc");
/// assert_eq!(argv[0], "ffmpeg");
/// assert!(argv.windows(2).any(|w| w == ["-c:v", "h264_nvenc"]));
/// ```
pub fn encoder_trial_argv(encoder: &str) -> Vec<String> {
    let mut argv: Vec<&str> = vec!["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"];
    if encoder.ends_with("_vaapi") {
        argv.extend(["-vaapi_device", VAAPI_DEVICE]);
    }
    argv.extend(["-f", "lavfi", "-i", "color=c=black:s=256x144:r=30:d=0.1"]);
    if encoder.ends_with("_vaapi") {
        argv.extend(["-vf", "format=nv12,hwupload"]);
    }
    argv.extend(["-frames:v", "1", "-c:v", encoder, "-f", "null", "-"]);
    argv.into_iter().map(str::to_owned).collect()
}

/// What the request settles, once checked against the timeline.
struct Settled {
    preset: &'static Preset,
    encoder: &'static str,
    quality: i64,
    fps: Rational,
    /// How many thumbnails.
    count: u32,
}

fn settle(
    timeline: &Timeline,
    request: &RenderRequest,
    errors: &mut ValidationErrors,
) -> Option<Settled> {
    let Some(preset) = presets::find(&request.preset) else {
        errors.push(
            ValidationError::new(
                ErrorCode::UnknownPreset,
                format!("there is no render preset {:?}", request.preset),
            )
            .at("preset")
            .hint(format!("use one of: {}", render_presets().join(", ")))
            .ctx("preset", request.preset.as_str())
            .ctx("expected", render_presets()),
        );
        return None;
    };
    let encoder = match &request.video_encoder {
        None => preset.encoders.first().copied().unwrap_or(""),
        Some(e) => {
            if let Some(found) = preset.encoders.iter().find(|x| *x == e) {
                found
            } else {
                errors.push(
                    ValidationError::new(
                        ErrorCode::InvalidChoice,
                        format!("preset {} cannot use the encoder {e:?}", preset.name),
                    )
                    .at("video_encoder")
                    .hint(if preset.encoders.is_empty() {
                        format!("leave video_encoder out: {} has no video", preset.name)
                    } else {
                        format!("use one of: {}", preset.encoders.join(", "))
                    })
                    .ctx("value", e.as_str())
                    .ctx("expected", preset.encoders.to_vec()),
                );
                ""
            }
        }
    };
    for (key, value) in [("width", request.width), ("height", request.height)] {
        if let Some(v) = value.filter(|v| v % 2 == 1) {
            errors.push(
                ValidationError::new(
                    ErrorCode::DimensionInvalid,
                    format!("{key} must be an even number"),
                )
                .at(key)
                .hint(format!("use an even {key} such as {}", v - 1))
                .ctx("value", v)
                .ctx("multiple_of", 2),
            );
        }
    }
    if let Some(crf) = request.crf.filter(|c| *c > preset.max_crf) {
        errors.push(
            ValidationError::new(
                ErrorCode::ValueOutOfRange,
                format!("crf {crf} is out of range for {}", preset.name),
            )
            .at("crf")
            .hint(if preset.max_crf == 0 {
                "leave crf out: this preset has no CRF; use quality".to_owned()
            } else {
                format!("use a crf from 0 to {}", preset.max_crf)
            })
            .ctx("value", crf)
            .ctx("max", preset.max_crf),
        );
    }
    let level = request.quality.as_deref().unwrap_or(DEFAULT_QUALITY);
    let index = QUALITY_LEVELS.iter().position(|l| *l == level).unwrap_or(2);
    let quality = request.crf.unwrap_or(preset.quality[index]);
    let project = timeline.doc.output.fps;
    let fps = request.fps.unwrap_or_else(|| match preset.max_fps {
        Some(max) if project.cmp_int(max).is_gt() => Rational::new(max, 1).unwrap_or(project),
        _ => project,
    });
    Some(Settled {
        preset,
        encoder,
        quality,
        fps,
        count: request.count.unwrap_or(9),
    })
}

/// The frames rendered: the range, the poster frame, or the whole timeline.
fn window(
    request: &RenderRequest,
    preset: &Preset,
    fps: Rational,
    duration: Micros,
    errors: &mut ValidationErrors,
) -> Window {
    let frames = fps.frame_at(duration);
    let beyond = |key: &str, at: &[&str], value: Micros| {
        let mut e = ValidationError::new(
            ErrorCode::ValueOutOfRange,
            format!(
                "{key} ({} s) lies beyond the timeline's {} s",
                format_seconds(value),
                format_seconds(duration)
            ),
        );
        for item in at {
            e = e.at(*item);
        }
        e.hint(format!(
            "keep {key} under {} s, the timeline's duration",
            format_seconds(duration)
        ))
        .ctx_seconds("value", value)
        .ctx_seconds("duration", duration)
    };
    if preset.kind == Kind::Still {
        let time = request.time.unwrap_or(0);
        let f = fps.frame_at(time);
        if f >= frames {
            errors.push(beyond("time", &["time"], time));
        }
        return Window { f0: f, f1: f + 1 };
    }
    let Some((start, end)) = request.range else {
        return Window { f0: 0, f1: frames };
    };
    let f0 = fps.frame_at(start);
    let f1 = end.map_or(frames, |e| fps.frame_at(e));
    if f0 >= frames {
        errors.push(beyond("range.start", &["range", "start"], start));
    } else if let Some(e) = end.filter(|_| f1 > frames) {
        errors.push(beyond("range.end", &["range", "end"], e));
    } else if f1 <= f0 {
        errors.push(
            ValidationError::new(
                ErrorCode::EndNotAfterStart,
                "the range holds no whole frame: end must come after start",
            )
            .at("range")
            .at("end")
            .hint("make range.end at least one frame after range.start")
            .ctx_seconds("start", start)
            .ctx_seconds("end", end.unwrap_or(duration)),
        );
    }
    Window { f0, f1 }
}

/// Compiles the complete FFmpeg argv (`argv[0]` is `"ffmpeg"`) that renders `timeline`.
///
/// Everything on the timeline renders: media, image, colour and text clips on any number
/// of tracks in z-order; trims, speed, reverse, freeze frames, transforms, keyframes,
/// effects, transitions, layouts, ducking and loudness. Errors: `unknown_preset`,
/// `path_invalid`, `timeline_empty`, and located request errors (`range`, `time`,
/// `width`, `video_encoder`, `crf`).
///
/// ```
/// use serde_json::json;
/// use stoat_core::*;
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({})).unwrap() { evolve(&mut state, &e); }
/// let media = MediaMap::from([("/m/a.mp4".to_owned(), MediaInfo { duration: 9_000_000,
///     has_video: true, has_audio: true, ..MediaInfo::default() })]);
/// let edits = [json!({"op": "add_clip", "source": "/m/a.mp4", "in": 1.5, "out": 3.5})];
/// for e in decide(&state, &edits, &media, &Env::default()).unwrap() { evolve(&mut state, &e); }
/// let request = RenderRequest::new("/r/out.mp4", "h264_aac");
/// let argv = compile_render(state.as_ref().unwrap(), &request).unwrap();
/// assert_eq!(argv[0], "ffmpeg");
/// assert_eq!(argv.last().unwrap(), "/r/out.mp4");
/// let ss = argv.iter().position(|a| a == "-ss").unwrap();
/// assert_eq!(argv[ss + 1], "1.5");
/// ```
pub fn compile_render(
    timeline: &Timeline,
    request: &RenderRequest,
) -> Result<Vec<String>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let settled = settle(timeline, request, &mut errors);
    let path = &request.output_path;
    if !path.starts_with('/') || path.contains('\0') {
        // Relative paths are ambiguous for a worker, and one starting with '-' would be
        // read by FFmpeg as an option.
        errors.push(
            ValidationError::new(
                ErrorCode::PathInvalid,
                "output_path must be an absolute path",
            )
            .at("output_path")
            .hint("give an absolute path such as /renders/out.mp4")
            .ctx("path", path.as_str()),
        );
    }
    if timeline.doc.clip_count() == 0 {
        errors.push(
            ValidationError::new(ErrorCode::TimelineEmpty, "the timeline has no clips")
                .hint("add at least one clip before rendering"),
        );
    }
    let Some(s) = settled.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let layout = layout_at(timeline, s.fps);
    let window = window(request, s.preset, s.fps, layout.duration, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(build(timeline, request, &s, &layout.tracks, window))
}

/// [`compile_render`] with the filter graph kept apart: the argv reads it from
/// `script_path` (`-filter_complex_script`), and the graph text is returned for the
/// caller to write there first. Linux refuses a single argument over 128 KiB, which the
/// graph of a few hundred clips exceeds.
///
/// ```
/// use serde_json::json;
/// use stoat_core::*;
/// let mut state = initial_state();
/// for e in decide_create("p1", "Demo", &json!({})).unwrap() { evolve(&mut state, &e); }
/// let edits = [json!({"op": "add_clip", "kind": "color", "color": "red", "duration": 1})];
/// for e in decide(&state, &edits, &MediaMap::new(), &Env::default()).unwrap() {
///     evolve(&mut state, &e);
/// }
/// let request = RenderRequest::new("/r/out.mp4", "h264_aac");
/// let (argv, graph) =
///     compile_render_script(state.as_ref().unwrap(), &request, "/r/out.graph").unwrap();
/// let at = argv.iter().position(|a| a == "-filter_complex_script").unwrap();
/// assert_eq!(argv[at + 1], "/r/out.graph");
/// assert!(graph.starts_with("color=c=#FF0000"));
/// ```
pub fn compile_render_script(
    timeline: &Timeline,
    request: &RenderRequest,
    script_path: &str,
) -> Result<(Vec<String>, String), ValidationErrors> {
    if !script_path.starts_with('/') || script_path.contains('\0') {
        return Err(ValidationError::new(
            ErrorCode::PathInvalid,
            "script_path must be an absolute path",
        )
        .at("script_path")
        .hint("give an absolute path such as /renders/out.graph")
        .ctx("path", script_path)
        .into());
    }
    let mut argv = compile_render(timeline, request)?;
    let at = argv
        .iter()
        .position(|a| a == "-filter_complex")
        .unwrap_or_default();
    "-filter_complex_script".clone_into(&mut argv[at]);
    let graph = std::mem::replace(&mut argv[at + 1], script_path.to_owned());
    Ok((argv, graph))
}

fn build(
    timeline: &Timeline,
    request: &RenderRequest,
    s: &Settled,
    placed: &[crate::placement::PlacedTrack],
    window: Window,
) -> Vec<String> {
    let doc = &timeline.doc;
    let preset = s.preset;
    let mut canvas = Canvas::new(
        &doc.output,
        s.fps,
        (request.width, request.height),
        preset.max_size,
    );
    if let Some(rate) = preset
        .sample_rate
        .filter(|r| *r < canvas.sample_rate || *r == 48_000)
    {
        canvas.sample_rate = rate;
    }
    let boxes = Boxes::of(doc, &canvas);
    let clip_count = doc.clip_count();
    let mut g = Graph::with_capacity(4096 + clip_count * 1200);
    let mut inputs = Inputs::with_capacity(clip_count);
    let mut scene = Scene {
        doc,
        tracks: placed,
        canvas: &canvas,
        boxes: &boxes,
        window,
        clips_seen: 0,
    };
    let mut opened: Vec<Vec<Option<usize>>> = doc
        .tracks
        .iter()
        .map(|t| vec![None; t.clips.len()])
        .collect();
    let video = preset
        .kind
        .has_video()
        .then(|| picture(&mut g, &mut inputs, &mut scene, &mut opened, s));
    let audio = preset.kind.has_audio().then(|| {
        let mut sounds = Vec::new();
        for (t, track) in doc.tracks.iter().enumerate() {
            if track.muted {
                continue;
            }
            if let Some(pad) = scene.audio_track(&mut g, &mut inputs, t, &opened) {
                sounds.push(mix::TrackSound {
                    pad,
                    id: &track.id,
                    ducking: track.ducking.as_ref(),
                });
            }
        }
        let total = canvas.samples_at(window.f1) - canvas.samples_at(window.f0);
        mix::mix(
            &mut g,
            &sounds,
            canvas.sample_rate,
            total,
            doc.output.loudness,
        )
    });
    let mut argv: Vec<String> = GLOBAL_ARGS.iter().map(|s| (*s).to_owned()).collect();
    if s.encoder.ends_with("_vaapi") {
        argv.extend(["-vaapi_device".to_owned(), VAAPI_DEVICE.to_owned()]);
    }
    argv.extend(inputs.into_args());
    argv.push("-filter_complex".to_owned());
    argv.push(g.finish());
    if let Some(v) = video {
        argv.extend(["-map".to_owned(), v.to_string()]);
    }
    if let Some(a) = audio {
        argv.extend(["-map".to_owned(), a.to_string()]);
    }
    if video.is_some() {
        argv.extend(preset.video_args(s.encoder, s.quality));
        match preset.kind {
            Kind::Still | Kind::Thumbnails => {
                argv.extend(["-frames:v".to_owned(), "1".to_owned()]);
            }
            _ => argv.extend(["-r".to_owned(), canvas.fps.to_string()]),
        }
    }
    if audio.is_some() {
        argv.extend(preset.audio.iter().map(|a| (*a).to_owned()));
        argv.extend([
            "-ar".to_owned(),
            canvas.sample_rate.to_string(),
            "-ac".to_owned(),
            "2".to_owned(),
        ]);
    }
    argv.extend(preset.container.iter().map(|a| (*a).to_owned()));
    argv.extend(REPRODUCIBLE_ARGS.iter().map(|s| (*s).to_owned()));
    argv.push(request.output_path.clone());
    argv
}

/// The picture: tracks composed, letterboxed to the output size, in the preset's form.
fn picture(
    g: &mut Graph,
    inputs: &mut Inputs,
    scene: &mut Scene<'_>,
    opened: &mut [Vec<Option<usize>>],
    s: &Settled,
) -> graph::Pad {
    let doc = scene.doc;
    let window = scene.window;
    let visual: Vec<usize> = doc
        .tracks
        .iter()
        .enumerate()
        .filter(|(t, track)| {
            track.kind.is_visual()
                && !track.hidden
                && scene.tracks[*t]
                    .clips
                    .iter()
                    .any(|p| window.overlaps(p.frame_start, p.frame_start + p.frame_count))
        })
        .map(|(t, _)| t)
        .collect();
    let mut base = None;
    let mut layers = Vec::with_capacity(visual.len());
    for (k, &t) in visual.iter().enumerate() {
        let as_base = k == 0 && doc.tracks[t].kind == TrackKind::Video && scene.can_be_base(t);
        if let Some(layer) = scene.video_track(g, inputs, t, as_base, opened) {
            if as_base {
                base = Some(layer.pad);
            } else {
                layers.push(layer);
            }
        }
    }
    let canvas = scene.canvas;
    let composed = compose::compose(g, canvas, base, layers, window.frames());
    let mut chain = g.chain('v', &[composed]);
    if (canvas.w, canvas.h) != (canvas.out_w, canvas.out_h) {
        let _ = chain.f(format_args!(
            "pad={}:{}:(ow-iw)/2:(oh-ih)/2:color={}",
            canvas.out_w,
            canvas.out_h,
            plan::rgb(&canvas.background)
        ));
    }
    let preset = s.preset;
    match preset.kind {
        Kind::Gif => {
            let pad = chain.end();
            let [a, b] = g.split(pad, 2)[..] else {
                unreachable!("split gives two pads")
            };
            let mut pal = g.chain('v', &[a]);
            pal.s("palettegen=stats_mode=full");
            let palette = pal.end();
            let mut out = g.chain('v', &[b, palette]);
            out.s("paletteuse=dither=bayer:bayer_scale=3");
            return out.end();
        }
        Kind::Thumbnails => {
            let frames = window.frames();
            let count = i64::from(s.count).clamp(1, frames.max(1));
            let cols = (1..=count).find(|c| c * c >= count).unwrap_or(1);
            let rows = (count + cols - 1) / cols;
            let mut select = String::with_capacity(usize::try_from(count).unwrap_or(0) * 12);
            for i in 0..count {
                let n = ((2 * i + 1) * frames) / (2 * count);
                if i > 0 {
                    select.push('+');
                }
                let _ = write!(select, "eq(n,{n})");
            }
            let _ = chain.f(format_args!(
                "select='{select}',tile={cols}x{rows}:padding=4:color={}",
                plan::rgb(&canvas.background)
            ));
        }
        _ => {}
    }
    if s.encoder.ends_with("_vaapi") {
        chain.s("format=nv12,hwupload");
    } else {
        let _ = chain.f(format_args!("format={}", preset.pix_fmt));
    }
    chain.end()
}
