//! The preset-independent part of a render: one seeked input per clip and the filter graph
//! that conforms every clip to the output settings and concatenates them.
//!
//! Nothing from callers is spliced into the graph here (paths travel as separate argv
//! items); text that ever is must go through [`super::filter_escape`].

use std::sync::Arc;

use crate::model::{Clip, OutputSettings};
use crate::placement::PlacedClip;
use crate::time::format_seconds;

/// `-ss <in> -t <duration + one frame> -i <source>` for every clip. The margin lets the
/// exact trims in the graph, not demuxer rounding, decide where each clip ends.
pub(super) fn inputs(clips: &[Arc<Clip>], output: &OutputSettings) -> Vec<String> {
    let margin = output.fps.frame_duration_ceil();
    let mut args = Vec::with_capacity(clips.len() * 6);
    for clip in clips {
        args.extend([
            "-ss".to_owned(),
            format_seconds(clip.in_point.unwrap_or(0)),
            "-t".to_owned(),
            format_seconds(clip.span() + margin),
            "-i".to_owned(),
            clip.source.clone().unwrap_or_default(),
        ]);
    }
    args
}

/// The `-filter_complex` graph, ending in the pads `[vout]` and `[aout]`.
pub(super) fn filter_graph(
    clips: &[Arc<Clip>],
    placed: &[PlacedClip],
    out: &OutputSettings,
) -> String {
    let (w, h, sr) = (out.width, out.height, out.sample_rate);
    let (num, den) = (out.fps.num(), out.fps.den());
    let bg = &out.background;
    let mut chains = Vec::with_capacity(placed.len() * 2 + 1);
    let mut concat_inputs = Vec::with_capacity(placed.len());
    for (k, (clip, placed)) in clips.iter().zip(placed).enumerate() {
        let frames = placed.frame_count;
        chains.push(format!(
            "[{k}:v:0]setpts=PTS-STARTPTS,fps={num}/{den},\
             scale={w}:{h}:force_original_aspect_ratio=decrease,\
             pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color={bg},setsar=1,format=yuv420p,\
             tpad=stop_mode=clone:stop={frames},trim=end_frame={frames},\
             setpts=PTS-STARTPTS[v{k}]"
        ));
        // Audio ends on the same frame boundaries as video, each boundary rounded once.
        let frame_end = placed.frame_start + frames;
        let samples = out.fps.samples_at_frame(frame_end, sr)
            - out.fps.samples_at_frame(placed.frame_start, sr);
        chains.push(if clip.has_audio() {
            format!(
                "[{k}:a:0]asetpts=PTS-STARTPTS,aresample={sr},\
                 aformat=sample_fmts=fltp:channel_layouts=stereo,apad,\
                 atrim=end_sample={samples},asetpts=PTS-STARTPTS[a{k}]"
            )
        } else {
            format!(
                "anullsrc=channel_layout=stereo:sample_rate={sr},atrim=end_sample={samples}[a{k}]"
            )
        });
        concat_inputs.push(format!("[v{k}][a{k}]"));
    }
    let n = placed.len();
    chains.push(format!(
        "{}concat=n={n}:v=1:a=1[vout][aout]",
        concat_inputs.concat()
    ));
    chains.join(";")
}
