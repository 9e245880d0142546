//! The render compiler: a pure function from a timeline to the complete FFmpeg argv.
//!
//! The argv is run without a shell, so paths are plain argv items; the only text that
//! needs escaping is what goes into the filter graph ([`filter_escape`]).

pub mod filter_escape;
mod graph;
mod h264_aac;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::json::ObjectReader;
use crate::layout::layout;
use crate::model::Timeline;
use crate::output::OutputSettings;

/// What to render and where.
///
/// ```
/// use stoat_core::RenderRequest;
/// let r = RenderRequest::from_json(&serde_json::json!(
///     {"output_path": "/renders/a.mp4", "preset": "h264_aac"}
/// )).unwrap();
/// assert_eq!(r.preset, "h264_aac");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    /// The absolute path FFmpeg writes to (any extension: the preset names the container).
    pub output_path: String,
    /// The preset's name, one of [`render_presets`].
    pub preset: String,
}

impl RenderRequest {
    /// Reads a request from caller JSON, with located structural errors.
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let mut r = ObjectReader::new(value, "render request")?;
        let output_path = r.required_str("output_path");
        let preset = r.required_str("preset");
        let (Some(output_path), Some(preset)) = (output_path, preset) else {
            return Err(r.into_errors());
        };
        r.finish()?;
        Ok(Self {
            output_path: output_path.to_owned(),
            preset: preset.to_owned(),
        })
    }
}

type EncodeArgs = fn(&OutputSettings) -> Vec<String>;

/// The presets, by name.
const PRESETS: &[(&str, EncodeArgs)] = &[("h264_aac", h264_aac::encode_args)];

/// The names of every render preset.
pub fn render_presets() -> Vec<&'static str> {
    PRESETS.iter().map(|(name, _)| *name).collect()
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

/// Compiles the complete FFmpeg argv (`argv[0]` is `"ffmpeg"`) that renders `timeline`.
///
/// ```
/// use stoat_core::{compile_render, Clip, MediaInfo, OutputSettings, RenderRequest, Timeline};
/// let mut t = Timeline::new("p1", "Demo", OutputSettings::default());
/// t.clips.push(Clip { id: "a".into(), source: "/m/a.mp4".into(), in_point: 1_500_000,
///     out_point: 3_500_000, media: MediaInfo { duration: 9_000_000, has_video: true,
///     has_audio: true, width: Some(1280), height: Some(720) } });
/// let request = RenderRequest { output_path: "/r/out.mp4".into(), preset: "h264_aac".into() };
/// let argv = compile_render(&t, &request).unwrap();
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
    let encode = PRESETS
        .iter()
        .find(|(name, _)| *name == request.preset)
        .map(|(_, encode)| *encode);
    if encode.is_none() {
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
    }
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
    if timeline.clips.is_empty() {
        errors.push(
            ValidationError::new(ErrorCode::TimelineEmpty, "the timeline has no clips")
                .hint("add at least one clip before rendering"),
        );
    }
    let Some(encode) = encode.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };

    let layout = layout(timeline);
    let mut argv: Vec<String> = GLOBAL_ARGS.iter().map(|s| (*s).to_owned()).collect();
    argv.extend(graph::inputs(timeline));
    argv.push("-filter_complex".to_owned());
    argv.push(graph::filter_graph(timeline, &layout));
    argv.extend(["-map", "[vout]", "-map", "[aout]"].map(str::to_owned));
    argv.extend(encode(&timeline.output));
    argv.extend(REPRODUCIBLE_ARGS.iter().map(|s| (*s).to_owned()));
    argv.push(path.clone());
    Ok(argv)
}
