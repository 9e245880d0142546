//! Layout and render compilation on small, hand-checked timelines.

mod common;

use common::{info, S};
use serde_json::{json, Value};
use stoat_core::{
    compile_render, decide, decide_create, evolve, layout, Env, MediaMap, RenderRequest, State,
    Timeline,
};

fn build(fps: &str, edits: &[Value]) -> Timeline {
    let media = MediaMap::from([
        ("/m/a b.mp4".to_owned(), info(60 * S, true, true)),
        ("/m/b's;[x].mov".to_owned(), info(60 * S, true, false)),
    ]);
    let mut state: State = None;
    for e in decide_create(
        "p1",
        "Demo",
        &json!({"width": 1280, "height": 720, "fps": fps}),
    )
    .unwrap()
    {
        evolve(&mut state, &e);
    }
    for e in decide(&state, edits, &media, &Env::default()).unwrap() {
        evolve(&mut state, &e);
    }
    state.unwrap()
}

fn request(preset: &str) -> RenderRequest {
    RenderRequest {
        output_path: "/renders/out.mp4".to_owned(),
        preset: preset.to_owned(),
    }
}

fn two_clips() -> Vec<Value> {
    vec![
        json!({"op": "add_clip", "clip_id": "a", "source": "/m/a b.mp4", "in": 1.5, "out": 3.5}),
        json!({"op": "add_clip", "clip_id": "b", "source": "/m/b's;[x].mov", "out": 1.001}),
    ]
}

#[test]
fn layout_places_clips_back_to_back() {
    let t = build("30000/1001", &two_clips());
    let l = layout(&t);
    let rows: Vec<_> = l.tracks[0]
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
    let wire = stoat_core::layout_wire(&t);
    assert_eq!(wire["duration"], 3.001);
    assert_eq!(wire["duration_us"], 3_001_000);
    assert_eq!(wire["tracks"][0]["clips"][0]["in"], 1.5);
}

#[test]
fn layout_does_not_drift_over_many_clips() {
    // 1000 clips of 1.01 s at 30 fps: each alone would round to 30 frames (30.3), but the
    // whole is 30300 frames.
    let edits: Vec<Value> = (0..1000)
        .map(|_| json!({"op": "add_clip", "source": "/m/a b.mp4", "out": 1.01}))
        .collect();
    let l = layout(&build("30", &edits));
    assert_eq!(l.frames, 30_300);
    assert_eq!(
        l.tracks[0].clips.iter().map(|c| c.frame_count).sum::<i64>(),
        30_300
    );
    assert_eq!(l.duration, 1_010_000_000);
}

#[test]
fn compile_render_builds_the_exact_argv() {
    let argv = compile_render(&build("30000/1001", &two_clips()), &request("h264_aac")).unwrap();
    let graph = "[0:v:0]setpts=PTS-STARTPTS,fps=30000/1001,\
        scale=1280:720:force_original_aspect_ratio=decrease,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=#000000,setsar=1,format=yuv420p,\
        tpad=stop_mode=clone:stop=60,trim=end_frame=60,setpts=PTS-STARTPTS[v0];\
        [0:a:0]asetpts=PTS-STARTPTS,aresample=48000,\
        aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=end_sample=96096,\
        asetpts=PTS-STARTPTS[a0];\
        [1:v:0]setpts=PTS-STARTPTS,fps=30000/1001,\
        scale=1280:720:force_original_aspect_ratio=decrease,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=#000000,setsar=1,format=yuv420p,\
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
    let edits: Vec<Value> = (0..7i32)
        .map(|i| {
            let source = if i % 2 == 0 { "/m/a b.mp4" } else { "/m/b's;[x].mov" };
            json!({"op": "add_clip", "source": source, "out": f64::from(1_000_003 + i * 77_777) / 1e6})
        })
        .collect();
    let t = build("30000/1001", &edits);
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
    assert_eq!(samples, t.doc.output.fps.samples_at_frame(frames, 48_000));
}

#[test]
fn compile_render_reports_every_problem() {
    let empty = build("30", &[json!({"op": "set_output", "fps": "30"})]);
    let bad = RenderRequest {
        output_path: "-y.mp4".to_owned(),
        preset: "prores".to_owned(),
    };
    let errors = compile_render(&empty, &bad).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["unknown_preset", "path_invalid", "timeline_empty"]
    );
    assert_eq!(errors.errors()[0].ctx["expected"], json!(["h264_aac"]));
}

#[test]
fn what_cannot_be_rendered_yet_is_reported_not_dropped() {
    let mut edits = two_clips();
    edits.extend([
        json!({"op": "update_clip", "clip_id": "b", "speed": 2}),
        json!({"op": "add_effect", "clip_id": "a", "type": "blur"}),
        json!({"op": "add_track", "kind": "overlay"}),
        json!({"op": "add_clip", "kind": "color", "color": "red", "duration": 1, "track_id": "overlay-1"}),
    ]);
    let errors = compile_render(&build("30", &edits), &request("h264_aac")).unwrap_err();
    let found: Vec<(String, Value)> = errors
        .errors()
        .iter()
        .map(|e| (e.code.to_string(), serde_json::to_value(&e.loc).unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "render_unsupported".to_owned(),
                json!(["tracks", 0, "clips", 0, "effects"])
            ),
            (
                "render_unsupported".to_owned(),
                json!(["tracks", 0, "clips", 1, "speed"])
            ),
            ("render_unsupported".to_owned(), json!(["tracks", 1])),
        ]
    );
}

#[test]
fn render_request_reads_caller_json() {
    let errors = RenderRequest::from_json(&json!({"preset": 1, "format": "mp4"})).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["missing_field", "wrong_type", "unknown_field"]
    );
}
