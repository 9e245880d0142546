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
    RenderRequest::new("/renders/out.mp4", preset)
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

fn graph_of(argv: &[String]) -> &str {
    &argv[argv.iter().position(|a| a == "-filter_complex").unwrap() + 1]
}

#[test]
fn compile_render_builds_the_exact_argv() {
    let argv = compile_render(&build("30000/1001", &two_clips()), &request("h264_aac")).unwrap();
    let graph = "[0:v:0]setpts=PTS-STARTPTS,trim=end=2,fps=30000/1001,\
        tpad=stop_mode=clone:stop=60,trim=end_frame=60,\
        scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=#000000,format=yuv420p,setsar=1[v1];\
        [1:v:0]setpts=PTS-STARTPTS,trim=end=1.001,fps=30000/1001,\
        tpad=stop_mode=clone:stop=30,trim=end_frame=30,\
        scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,\
        pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=#000000,format=yuv420p,setsar=1[v2];\
        [v1][v2]concat=n=2:v=1:a=0[v3];[v3]format=yuv420p[v4];\
        [0:a:0]asetpts=PTS-STARTPTS,aresample=48000,\
        aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,\
        atrim=end_sample=96000,apad=whole_len=96096,atrim=end_sample=96096,\
        asetpts=N/SR/TB[a5];\
        [a5]apad=whole_len=144144,atrim=end_sample=144144[a6];\
        [a6]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[a7]";
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
        "2.066734",
        "-i",
        "/m/a b.mp4",
        "-ss",
        "0",
        "-t",
        "1.067734",
        "-i",
        "/m/b's;[x].mov",
        "-filter_complex",
        graph,
        "-map",
        "[v4]",
        "-map",
        "[a7]",
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
    // Every clip's sound ends with `apad=whole_len=N,atrim=end_sample=N` (silence with
    // `anullsrc,atrim=end_sample=N`); together they make the video's length.
    let samples: i64 = graph_of(&argv)
        .split(';')
        .filter_map(|chain| {
            let at = if chain.starts_with("anullsrc") {
                chain.find("atrim=end_sample=")?
            } else if chain.ends_with(&format!("asetpts=N/SR/TB{}", &chain[chain.rfind('[')?..])) {
                chain.rfind("atrim=end_sample=")?
            } else {
                return None;
            };
            let digits: String = chain[at + 17..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<i64>().ok()
        })
        .sum();
    let frames = layout(&t).frames;
    assert_eq!(samples, t.doc.output.fps.samples_at_frame(frames, 48_000));
}

#[test]
fn compile_render_reports_every_problem() {
    let empty = build("30", &[json!({"op": "set_output", "fps": "30"})]);
    let bad = RenderRequest::new("-y.mp4", "prores");
    let errors = compile_render(&empty, &bad).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["unknown_preset", "path_invalid", "timeline_empty"]
    );
    assert_eq!(
        errors.errors()[0].ctx["expected"],
        json!(stoat_core::render_presets())
    );
}

#[test]
fn request_problems_are_located() {
    let t = build("30", &two_clips());
    let check = |value: Value| -> Vec<(String, Value)> {
        let r = RenderRequest::from_json(&value).unwrap();
        compile_render(&t, &r)
            .unwrap_err()
            .errors()
            .iter()
            .map(|e| (e.code.to_string(), serde_json::to_value(&e.loc).unwrap()))
            .collect()
    };
    let base = |extra: Value| {
        let mut v = json!({"output_path": "/r/o.mp4", "preset": "h264_aac"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    assert_eq!(
        check(base(
            json!({"video_encoder": "prores_ks", "width": 641, "crf": 60})
        )),
        [
            ("invalid_choice".to_owned(), json!(["video_encoder"])),
            ("dimension_invalid".to_owned(), json!(["width"])),
            ("value_out_of_range".to_owned(), json!(["crf"])),
        ]
    );
    assert_eq!(
        check(base(json!({"range": {"start": 9}}))),
        [("value_out_of_range".to_owned(), json!(["range", "start"]))]
    );
    assert_eq!(
        check(base(json!({"range": {"start": 1, "end": 9}}))),
        [("value_out_of_range".to_owned(), json!(["range", "end"]))]
    );
    assert_eq!(
        check(base(json!({"range": {"start": 1, "end": 1.01}}))),
        [("end_not_after_start".to_owned(), json!(["range", "end"]))]
    );
    let mut poster = base(json!({"time": 3.001}));
    poster["preset"] = json!("poster_png");
    assert_eq!(
        check(poster),
        [("value_out_of_range".to_owned(), json!(["time"]))]
    );
}

#[test]
fn render_request_reads_caller_json() {
    let errors = RenderRequest::from_json(&json!({"preset": 1, "format": "mp4"})).unwrap_err();
    assert_eq!(
        errors.codes(),
        ["missing_field", "wrong_type", "unknown_field"]
    );
    let r = RenderRequest::from_json(&json!({"output_path": "/o.webm", "preset": "webm_vp9",
        "quality": "low", "fps": "25", "width": 640, "range": {"start": 0.5, "end": 1}}))
    .unwrap();
    assert_eq!(r.range, Some((500_000, Some(1_000_000))));
    assert_eq!(
        (r.width, r.fps.unwrap().to_string()),
        (Some(640), "25".to_owned())
    );
}

fn graph_for(edits: &[Value]) -> String {
    let argv = compile_render(&build("30", edits), &request("h264_aac")).unwrap();
    graph_of(&argv).to_owned()
}

#[test]
fn transitions_are_xfade_and_acrossfade_at_the_running_offset() {
    let mut edits = two_clips();
    edits.push(
        json!({"op": "set_transition", "from_clip_id": "a", "to_clip_id": "b",
        "name": "circleopen", "duration": 0.5, "audio_curve": "qsin"}),
    );
    let graph = graph_for(&edits);
    // a is 2 s (60 frames); b starts 0.5 s before a ends, at frame 45.
    assert!(graph.contains("[v1][v2]xfade=transition=circleopen:duration=0.5:offset=1.5[v3]"));
    assert!(graph.contains("acrossfade=ns=24000:c1=qsin:c2=qsin"));
}

#[test]
fn fragments_of_effects_layouts_and_the_mix() {
    let mut edits = two_clips();
    edits.extend([
        json!({"op": "add_effect", "clip_id": "a", "type": "color",
            "params": {"brightness": 0.1, "gamma": 1.5}}),
        json!({"op": "add_effect", "clip_id": "a", "type": "text",
            "params": {"text": "Hi: [you]", "start": 0.5, "duration": 1,
                "style": {"position": "bottom_left", "size": 40}}}),
        json!({"op": "add_track", "kind": "overlay", "track_id": "inset"}),
        json!({"op": "add_clip", "track_id": "inset", "kind": "color", "color": "blue",
            "duration": 1}),
        json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "inset",
            "corner": "top_right", "size": 0.25, "margin": 0.02}}),
        json!({"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"}),
        json!({"op": "add_clip", "track_id": "voice", "source": "/m/a b.mp4", "out": 2}),
        json!({"op": "update_track", "track_id": "video-1", "ducking": null}),
    ]);
    let graph = graph_for(&edits);
    for fragment in [
        "eq=brightness=0.1:gamma=1.5",
        "drawtext=expansion=none:text=Hi\\\\:\\\\\\ \\[you\\]:font=Sans:fontsize=40:\
         fontcolor=#FFFFFF:x=0:y=h-text_h-0:enable='gte(t,0.5)*lt(t,1.5)'",
        // The inset: 320x180 at 26 pixels from the top right corner of 1280x720.
        "color=c=#0000FF:s=320x180:r=30,format=yuva420p,trim=end_frame=30,\
         pad=1280:720:934:26:color=black@0",
        "overlay=eof_action=pass:repeatlast=0:enable='between(n,0,29)'",
        "amix=inputs=2:normalize=0:duration=longest",
    ] {
        assert!(graph.contains(fragment), "{fragment}\nnot in\n{graph}");
    }
}
