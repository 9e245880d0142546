//! The render compiler: a pure function from a timeline to the complete FFmpeg argv.
//!
//! The argv is run without a shell, so paths are plain argv items; the only text that
//! needs escaping is what goes into the filter graph ([`filter_escape`]).

pub mod filter_escape;
mod graph;
mod h264_aac;
mod supported;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::model::OutputSettings;
use crate::model::Timeline;
use crate::placement::layout;
use crate::spec::{read_object, Field, Mode, ObjExt, Ty};

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
        const FIELDS: &[Field] = &[
            Field::req(
                "output_path",
                Ty::Text { max_chars: 4096 },
                "Absolute path FFmpeg writes to",
            ),
            Field::req("preset", Ty::Text { max_chars: 64 }, "The render preset"),
        ];
        let r = read_object(&[FIELDS], value, Mode::Full, &[])?;
        Ok(Self {
            output_path: r.str_of("output_path").unwrap_or_default().to_owned(),
            preset: r.str_of("preset").unwrap_or_default().to_owned(),
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
/// This slice renders the simple case: media clips back to back on the first video track,
/// with their sound. Anything else on the timeline is reported as `render_unsupported`
/// (located at `("tracks", i, "clips", j, field)`), never silently dropped.
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
/// let request = RenderRequest { output_path: "/r/out.mp4".into(), preset: "h264_aac".into() };
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
    if timeline.doc.clip_count() == 0 {
        errors.push(
            ValidationError::new(ErrorCode::TimelineEmpty, "the timeline has no clips")
                .hint("add at least one clip before rendering"),
        );
    } else {
        errors.extend_prefixed(supported::check(timeline), &[]);
    }
    let Some(encode) = encode.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };

    let layout = layout(timeline);
    let track = supported::main_track(timeline);
    let placed = &layout.tracks[track];
    let clips = &timeline.doc.tracks[track].clips;
    let output = &timeline.doc.output;
    let mut argv: Vec<String> = GLOBAL_ARGS.iter().map(|s| (*s).to_owned()).collect();
    argv.extend(graph::inputs(clips, output));
    argv.push("-filter_complex".to_owned());
    argv.push(graph::filter_graph(clips, &placed.clips, output));
    argv.extend(["-map", "[vout]", "-map", "[aout]"].map(str::to_owned));
    argv.extend(encode(output));
    argv.extend(REPRODUCIBLE_ARGS.iter().map(|s| (*s).to_owned()));
    argv.push(path.clone());
    Ok(argv)
}
