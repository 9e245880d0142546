//! Layout and render compilation on small, hand-checked timelines.

use stoat_core::{
    compile_render, layout, Clip, MediaInfo, OutputSettings, Rational, RenderRequest, Timeline,
};

fn timeline(fps: &str, clips: &[(&str, &str, i64, i64, bool)]) -> Timeline {
    let output = OutputSettings {
        width: 1280,
        height: 720,
        fps: fps.parse::<Rational>().unwrap(),
        sample_rate: 48_000,
    };
    let mut t = Timeline::new("p1", "Demo", output);
    for (id, source, in_point, out_point, has_audio) in clips {
        t.clips.push(Clip {
            id: (*id).to_owned(),
            source: (*source).to_owned(),
            in_point: *in_point,
            out_point: *out_point,
            media: MediaInfo {
                duration: 60_000_000,
                has_video: true,
                has_audio: *has_audio,
                width: Some(1920),
                height: Some(1080),
            },
        });
    }
    t
}

fn request(preset: &str) -> RenderRequest {
    RenderRequest {
        output_path: "/renders/out.mp4".to_owned(),
        preset: preset.to_owned(),
    }
}

#[test]
fn layout_places_clips_back_to_back() {
    let t = timeline(
        "30000/1001",
        &[
            ("a", "/m/a.mp4", 1_500_000, 3_500_000, true),
            ("b", "/m/b.mov", 0, 1_001_000, false),
        ],
    );
    let l = layout(&t);
    let rows: Vec<_> = l
        .clips
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.start,
                c.end,
                c.duration,
                c.frame_start,
                c.frame_count,
            )
        })
        .collect();
    // 2 s = 59.94 frames -> boundary 60; 3.001 s = 89.94 frames -> boundary 90.
    assert_eq!(
        rows,
        [
            ("a", 0, 2_000_000, 2_000_000, 0, 60),
            ("b", 2_000_000, 3_001_000, 1_001_000, 60, 30),
        ]
    );
    assert_eq!((l.duration, l.frames), (3_001_000, 90));
    assert_eq!(
        (l.clips[0].in_point, l.clips[0].out_point),
        (1_500_000, 3_500_000)
    );
}

#[test]
fn layout_does_not_drift_over_many_clips() {
    // 1000 clips of 1.01 s at 30 fps: each alone would round to 30 frames (30.3), but the
    // whole is 30300 frames.
    let clips: Vec<_> = (0..1000)
        .map(|_| ("c", "/m/a.mp4", 0, 1_010_000, true))
        .collect();
    let l = layout(&timeline("30", &clips));
    assert_eq!(l.frames, 30_300);
    assert_eq!(l.clips.iter().map(|c| c.frame_count).sum::<i64>(), 30_300);
    assert_eq!(l.duration, 1_010_000_000);
}

#[test]
fn compile_render_builds_the_exact_argv() {
    let t = timeline(
        "30000/1001",
        &[
            ("a", "/m/a b.mp4", 1_500_000, 3_500_000, true),
            ("b", "/m/b's;[x].mov", 0, 1_001_000, false),
        ],
    );
    let argv = compile_render(&t, &request("h264_aac")).unwrap();
    let graph = "[0:v:0]setpts=PTS-STARTPTS,fps=30000/1001,\
        scale=1280:720:force_original_aspect_ratio=decrease,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p,\
        tpad=stop_mode=clone:stop=60,trim=end_frame=60,setpts=PTS-STARTPTS[v0];\
        [0:a:0]asetpts=PTS-STARTPTS,aresample=48000,\
        aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=end_sample=96096,\
        asetpts=PTS-STARTPTS[a0];\
        [1:v:0]setpts=PTS-STARTPTS,fps=30000/1001,\
        scale=1280:720:force_original_aspect_ratio=decrease,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p,\
        tpad=stop_mode=clone:stop=30,trim=end_frame=30,setpts=PTS-STARTPTS[v1];\
        anullsrc=channel_layout=stereo:sample_rate=48000,atrim=end_sample=48048[a1];\
        [v0][a0][v1][a1]concat=n=2:v=1:a=1[vout][aout]";
    let expected: Vec<String> = [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
        "-ss",
        "1.5",
        "-t",
        "2.033367",
        "-i",
        "/m/a b.mp4",
        "-ss",
        "0",
        "-t",
        "1.034367",
        "-i",
        "/m/b's;[x].mov",
        "-filter_complex",
        graph,
        "-map",
        "[vout]",
        "-map",
        "[aout]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-r",
        "30000/1001",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-map_metadata",
        "-1",
        "/renders/out.mp4",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(argv, expected);
}

#[test]
fn audio_sample_counts_add_up_to_the_video_length() {
    let clips: Vec<_> = (0..7)
        .map(|i| ("c", "/m/a.mp4", 0, 1_000_003 + i * 77_777, i % 2 == 0))
        .collect();
    let t = timeline("30000/1001", &clips);
    let argv = compile_render(&t, &request("h264_aac")).unwrap();
    let graph = &argv[argv.iter().position(|a| a == "-filter_complex").unwrap() + 1];
    let samples: i64 = graph
        .split("end_sample=")
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<i64>().unwrap()
        })
        .sum();
    let frames = layout(&t).frames;
    assert_eq!(samples, t.output.fps.samples_at_frame(frames, 48_000));
}

#[test]
fn compile_render_reports_every_problem() {
    let empty = timeline("30", &[]);
    let bad = RenderRequest {
        output_path: "-y.mp4".to_owned(),
        preset: "prores".to_owned(),
    };
    let errors = compile_render(&empty, &bad).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["unknown_preset", "path_invalid", "timeline_empty"]
    );
    assert_eq!(
        errors.errors()[0].ctx["expected"],
        serde_json::json!(["h264_aac"])
    );
}

#[test]
fn render_request_reads_caller_json() {
    let errors =
        RenderRequest::from_json(&serde_json::json!({"preset": 1, "format": "mp4"})).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["missing_field", "wrong_type", "unknown_field"]
    );
}
