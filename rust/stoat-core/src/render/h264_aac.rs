//! The `h264_aac` preset: H.264 video and AAC audio in MP4, ready for streaming.

use crate::model::OutputSettings;

/// Encoder and container arguments, placed after `-map` and before the output path.
pub(super) fn encode_args(output: &OutputSettings) -> Vec<String> {
    let fps = output.fps.to_string();
    let sample_rate = output.sample_rate.to_string();
    [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-r",
        &fps,
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        &sample_rate,
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]
    .map(str::to_owned)
    .to_vec()
}
