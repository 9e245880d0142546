//! Properties of the render compiler: any accepted timeline compiles for every preset
//! without panicking, and every piece of caller text reaches the graph escaped: read back
//! the way FFmpeg reads a graph, each `drawtext` carries exactly one of the timeline's
//! texts and no filter appears that the compiler did not write.

#![allow(clippy::cast_precision_loss)] // cue indices are tiny

mod common;

use common::{created, media};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{json, Value};
use stoat_core::filter_escape::get_token;
use stoat_core::{
    compile_render, decide, evolve, render_presets, Env, RenderRequest, State, FFMPEG_TRANSITIONS,
};

/// Text with the characters that matter to FFmpeg, and anything else but NUL.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ \\[\\],;:='\\\\%{}a-z\n\t]{1,16}",
        1 => "[^\\x00]{1,12}",
    ]
    .prop_filter("not blank", |s: &String| !s.trim().is_empty())
}

fn edit() -> impl Strategy<Value = Value> {
    let clip = prop_oneof![
        (
            0u32..4000,
            100u32..3000,
            prop::sample::select(vec![0.5, 1.0, 2.0]),
            any::<bool>()
        )
            .prop_map(|(i, d, speed, reverse)| json!({"op": "add_clip",
                "source": "/m/a.mp4", "in": f64::from(i) / 1000.0,
                "out": f64::from(i + d) / 1000.0, "speed": speed, "reverse": reverse})),
        (text(), 1u32..3).prop_map(|(t, d)| json!({"op": "add_clip", "kind": "text",
            "text": t, "duration": d, "track_id": "overlay-1"})),
        (1u32..3).prop_map(
            |d| json!({"op": "add_clip", "kind": "color", "color": "red",
            "duration": d})
        ),
        Just(json!({"op": "add_clip", "source": "/m/voice.wav", "out": 2, "track_id": "audio-1"})),
    ];
    let effect = prop_oneof![
        text().prop_map(|t| json!({"type": "text", "params": {"text": t, "fade_in": 0.1}})),
        vec(text(), 1..3).prop_map(|cues| json!({"type": "subtitles", "params": {"cues":
            cues.iter().enumerate().map(|(i, t)| json!({"start": i as f64 * 0.05,
                "end": i as f64 * 0.05 + 0.04, "text": t})).collect::<Vec<_>>()}})),
        Just(json!({"type": "blur", "params": {"sigma": 3}})),
        Just(json!({"type": "fade", "params": {"fade_in": 0.05}})),
        Just(json!({"type": "color", "params": {"contrast": 1.2}})),
        Just(json!({"type": "watermark", "params": {"path": "/m/logo.png"}})),
    ]
    .prop_map(|mut e| {
        e["op"] = json!("add_effect");
        e
    });
    let targeted = (effect, 1usize..6).prop_map(|(mut e, n)| {
        e["clip_id"] = json!(format!("clip-{n}"));
        e
    });
    let transition =
        (1usize..6, prop::sample::select(FFMPEG_TRANSITIONS.to_vec())).prop_map(|(n, name)| {
            json!({"op": "set_transition", "from_clip_id": format!("clip-{n}"),
            "to_clip_id": format!("clip-{}", n + 1), "name": name, "duration": 0.05})
        });
    let keyframes = (
        1usize..6,
        prop::sample::select(vec!["opacity", "x", "scale", "blur"]),
    )
        .prop_map(|(n, property)| {
            json!({"op": "set_keyframes",
            "clip_id": format!("clip-{n}"), "property": property,
            "keyframes": [{"time": 0, "value": 0.5}, {"time": 0.1, "value": 1,
                "easing": "ease_out_back"}]})
        });
    let layout = prop_oneof![
        Just(json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "overlay-1"}})),
        Just(json!({"op": "set_layout", "layout": {"type": "grid_2x2",
            "regions": ["video-1", "overlay-1"]}})),
    ];
    prop_oneof![6 => clip, 4 => targeted, 2 => transition, 1 => keyframes, 1 => layout]
}

/// One filter of a graph as FFmpeg's parser sees it: its name and its arguments once
/// the graph level of escaping is read.
fn filters(graph: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = graph;
    loop {
        rest = rest.trim_start();
        while let Some(after) = rest.strip_prefix('[') {
            rest = &after[after.find(']').map_or(after.len(), |i| i + 1)..];
        }
        if rest.is_empty() {
            break;
        }
        let end = rest.find(['=', ',', ';', '[']).unwrap_or(rest.len());
        let name = rest[..end].to_owned();
        rest = &rest[end..];
        let mut args = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let (token, left) = get_token(after, &['[', ']', ',', ';']);
            args = token;
            rest = left;
        }
        out.push((name, args));
        while let Some(after) = rest.strip_prefix('[') {
            rest = &after[after.find(']').map_or(after.len(), |i| i + 1)..];
        }
        rest = rest.strip_prefix([',', ';']).unwrap_or(rest);
    }
    out
}

/// The value of option `key` in filter arguments, read as the option parser reads it.
fn option(args: &str, key: &str) -> Option<String> {
    let mut rest = args;
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let k = rest[..eq].to_owned();
        let (value, left) = get_token(&rest[eq + 1..], &[':']);
        if k == key {
            return Some(value);
        }
        rest = left.strip_prefix(':').unwrap_or(left);
    }
    None
}

/// Every text the timeline puts on screen with `drawtext`.
fn texts(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    for track in &state.as_ref().unwrap().doc.tracks {
        for clip in &track.clips {
            out.extend(clip.text.clone());
            for e in &clip.effects {
                if let Some(t) = e.params.get("text").and_then(Value::as_str) {
                    out.push(t.to_owned());
                }
                for cue in e
                    .params
                    .get("cues")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.extend(cue.get("text").and_then(Value::as_str).map(str::to_owned));
                }
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn accepted_timelines_compile_and_text_stays_inside_drawtext(
        edits in vec(edit(), 1..14),
    ) {
        let mut state = created();
        for e in decide(&state, &[json!({"op": "add_track", "kind": "overlay"}),
                                 json!({"op": "add_track", "kind": "audio"})],
                        &media(), &Env::default()).unwrap() {
            evolve(&mut state, &e);
        }
        for edit in &edits {
            if let Ok(events) = decide(&state, std::slice::from_ref(edit), &media(), &Env::default()) {
                for e in &events {
                    evolve(&mut state, e);
                }
            }
        }
        let timeline = state.as_ref().unwrap();
        if timeline.doc.clip_count() == 0 {
            return Ok(());
        }
        for preset in render_presets() {
            let argv = compile_render(timeline, &RenderRequest::new("/r/out", preset));
            let argv = argv.map_err(|e| TestCaseError::fail(format!("{preset}: {e}")))?;
            let graph = &argv[argv.iter().position(|a| a == "-filter_complex").unwrap() + 1];
            let parsed = filters(graph);
            for (name, _) in &parsed {
                let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || "_@".contains(c));
                prop_assert!(plain && !name.is_empty(), "{preset}: filter {name:?} in {graph}");
            }
            if preset == "h264_aac" {
                let mut drawn: Vec<String> = parsed
                    .iter()
                    .filter(|(name, _)| name == "drawtext")
                    .filter_map(|(_, args)| option(args, "text"))
                    .collect();
                drawn.sort();
                // Text clips on a hidden or layout-less track all render: every text
                // appears once, exactly as written.
                let expected = texts(&state);
                prop_assert_eq!(drawn, expected, "{}", graph);
            }
        }
    }
}
