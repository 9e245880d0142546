//! Properties: the decider never panics, accepted batches keep the timeline's invariants,
//! the JSON reader agrees with serde, frame and sample arithmetic adds up, and escaped text
//! reads back exactly.

use std::collections::HashSet;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stoat_core::filter_escape::{
    escape_filter_value, escape_graph, escape_option_value, get_token, unescaped_specials,
    GRAPH_SPECIAL, OPTION_SPECIAL,
};
use stoat_core::{
    decide, decide_create, evolve, format_seconds, is_valid_id, layout, Edit, MediaInfo, MediaMap,
    Rational, State, MAX_TIMELINE_DURATION,
};

const GRAPH_TERMS: &[char] = &['[', ']', ',', ';'];

fn media() -> MediaMap {
    let info = |duration, has_video, has_audio| MediaInfo {
        duration,
        has_video,
        has_audio,
        width: None,
        height: None,
    };
    MediaMap::from([
        ("/m/a.mp4".to_owned(), info(10_000_000, true, true)),
        ("/m/b.mov".to_owned(), info(12_500_000, true, false)),
        ("/m/song.wav".to_owned(), info(60_000_000, false, true)),
        (
            "/m/long.mp4".to_owned(),
            info(150 * 3_600_000_000, true, true),
        ),
    ])
}

fn created(fps: &str) -> State {
    let mut state = None;
    let output = json!({"width": 640, "height": 360, "fps": fps, "sample_rate": 48000});
    for e in decide_create("p1", "Demo", &output).unwrap() {
        evolve(&mut state, &e);
    }
    state
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::from),
            vec(("[a-z_]{0,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn clip_id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1u8..6).prop_map(|n| format!("clip-{n}")),
        2 => prop::sample::select(vec!["intro", "outro", "a", "bad id", ""]).prop_map(String::from),
        1 => ".{0,70}",
    ]
}

fn time() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (0i64..=13_000_000).prop_map(Value::from),
        1 => prop::sample::select(vec![-1i64, 0, 33_333, 33_334, 10_000_000, 12_500_000])
            .prop_map(Value::from),
        1 => (0i64..=200 * 3_600_000_000).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any_json(),
    ]
}

fn insert_some(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

/// Mostly well-formed edits over the media above, with some noise.
fn edit() -> impl Strategy<Value = Value> {
    let source = prop::sample::select(vec![
        "/m/a.mp4",
        "/m/b.mov",
        "/m/song.wav",
        "/m/long.mp4",
        "/m/none.mp4",
    ]);
    let add = (
        option::of(clip_id()),
        source,
        time(),
        time(),
        option::of(-2i64..6),
    )
        .prop_map(|(id, source, in_point, out_point, index)| {
            let mut o = Map::new();
            o.insert("op".into(), "add_clip".into());
            insert_some(&mut o, "clip_id", id.map(Value::from));
            o.insert("source".into(), source.into());
            o.insert("in".into(), in_point);
            o.insert("out".into(), out_point);
            insert_some(&mut o, "index", index.map(Value::from));
            Value::Object(o)
        });
    let update = (clip_id(), option::of(time()), option::of(time())).prop_map(
        |(id, in_point, out_point)| {
            let mut o = Map::new();
            o.insert("op".into(), "update_clip".into());
            o.insert("clip_id".into(), id.into());
            insert_some(&mut o, "in", in_point);
            insert_some(&mut o, "out", out_point);
            Value::Object(o)
        },
    );
    let remove = clip_id().prop_map(|id| json!({"op": "remove_clip", "clip_id": id}));
    let noisy = (
        prop::sample::select(vec!["add_clip", "update_clip", "remove_clip", "split"]),
        vec(
            (
                prop::sample::select(vec!["clip_id", "source", "in", "out", "index", "x"]),
                any_json(),
            ),
            0..5,
        ),
    )
        .prop_map(|(op, fields)| {
            let mut o: Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            o.insert("op".into(), op.into());
            Value::Object(o)
        });
    prop_oneof![4 => add, 3 => update, 2 => remove, 1 => noisy, 1 => any_json()]
}

/// Edits that are usually accepted, so that batches get through and states grow.
fn plausible_edit() -> impl Strategy<Value = Value> {
    let id = (1u8..5).prop_map(|n| format!("clip-{n}"));
    let add = (
        option::of(prop::sample::select(vec!["intro", "outro", "clip-9"])),
        prop::sample::select(vec!["/m/a.mp4", "/m/b.mov"]),
        0i64..=5_000_000,
        33_334i64..=5_000_000,
        option::of(0i64..3),
    )
        .prop_map(|(id, source, in_point, length, index)| {
            let mut o = Map::new();
            o.insert("op".into(), "add_clip".into());
            insert_some(&mut o, "clip_id", id.map(Value::from));
            o.insert("source".into(), source.into());
            o.insert("in".into(), in_point.into());
            o.insert("out".into(), (in_point + length).into());
            insert_some(&mut o, "index", index.map(Value::from));
            Value::Object(o)
        });
    let update = (
        id.clone(),
        option::of(0i64..=4_000_000),
        option::of(4_100_000i64..=10_000_000),
    )
        .prop_map(|(id, in_point, out_point)| {
            let mut o = Map::new();
            o.insert("op".into(), "update_clip".into());
            o.insert("clip_id".into(), id.into());
            insert_some(&mut o, "in", in_point.map(Value::from));
            insert_some(&mut o, "out", out_point.map(Value::from));
            Value::Object(o)
        });
    let remove = id.prop_map(|id| json!({"op": "remove_clip", "clip_id": id}));
    prop_oneof![5 => add, 3 => update, 1 => remove]
}

fn fps() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "1",
        "24",
        "25",
        "30",
        "30000/1001",
        "60000/1001",
        "240",
        "7/3",
    ])
}

fn check_invariants(state: &State, media: &MediaMap) -> Result<(), TestCaseError> {
    let timeline = state.as_ref().expect("created");
    let mut ids = HashSet::new();
    let min = timeline.output.fps.frame_duration_ceil();
    for clip in &timeline.clips {
        prop_assert!(ids.insert(clip.id.clone()), "duplicate id {}", clip.id);
        prop_assert!(is_valid_id(&clip.id));
        prop_assert!(0 <= clip.in_point && clip.in_point < clip.out_point);
        prop_assert!(clip.out_point <= clip.media.duration);
        prop_assert!(clip.duration() >= min);
        prop_assert!(clip.media.has_video);
        prop_assert_eq!(Some(&clip.media), media.get(&clip.source));
    }
    let l = layout(timeline);
    prop_assert_eq!(
        l.duration,
        timeline
            .clips
            .iter()
            .map(stoat_core::Clip::duration)
            .sum::<i64>()
    );
    prop_assert!(l.duration <= MAX_TIMELINE_DURATION);
    prop_assert_eq!(l.frames, l.clips.iter().map(|c| c.frame_count).sum::<i64>());
    let mut start = 0;
    let mut frame = 0;
    for placed in &l.clips {
        prop_assert_eq!(placed.start, start);
        prop_assert_eq!(placed.frame_start, frame);
        prop_assert!(placed.frame_count >= 1);
        start = placed.end;
        frame += placed.frame_count;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decide_never_panics_on_arbitrary_json(edits in vec(any_json(), 0..6)) {
        let state = created("30");
        if let Err(errors) = decide(&state, &edits, &media()) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn accepted_batches_keep_the_invariants(
        fps in fps(),
        batches in vec(vec(prop_oneof![6 => plausible_edit(), 1 => edit()], 1..4), 1..10),
    ) {
        let media = media();
        let mut state = created(fps);
        for batch in &batches {
            let before = state.clone();
            match decide(&state, batch, &media) {
                Ok(events) => {
                    for event in &events {
                        evolve(&mut state, event);
                    }
                    check_invariants(&state, &media)?;
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors.errors() {
                        let loc = serde_json::to_value(&e.loc).unwrap();
                        prop_assert_eq!(&loc[0], "edits");
                        prop_assert!(loc[1].as_u64().is_some_and(|i| i < batch.len() as u64));
                    }
                    prop_assert_eq!(&state, &before);
                }
            }
        }
    }

    #[test]
    fn typed_and_json_edits_decide_alike(batch in vec(edit(), 1..6)) {
        let media = media();
        let state = created("25");
        let typed: Result<Vec<Edit>, _> = batch.iter().map(Edit::from_json).collect();
        if let Ok(typed) = typed {
            prop_assert_eq!(decide(&state, &typed, &media), decide(&state, &batch, &media));
        }
    }

    #[test]
    fn the_json_reader_agrees_with_serde(value in edit()) {
        let ours = Edit::from_json(&value).ok();
        let theirs = serde_json::from_value::<Edit>(value.clone()).ok();
        prop_assert_eq!(&ours, &theirs);
        if let Some(edit) = ours {
            prop_assert_eq!(Edit::from_json(&serde_json::to_value(&edit).unwrap()).ok(), Some(edit));
        }
    }

    #[test]
    fn frames_and_samples_add_up(
        num in 1i64..=240_000,
        den in prop::sample::select(vec![1i64, 2, 3, 1001, 1000]),
        durations in vec(1i64..=5_000_000, 1..40),
        sample_rate in prop::sample::select(stoat_core::SAMPLE_RATES.to_vec()),
    ) {
        let fps = Rational::new(num, den).unwrap();
        let mut t = 0;
        let mut frames = 0;
        let mut samples = 0;
        for d in durations {
            let (a, b) = (fps.frame_at(t), fps.frame_at(t + d));
            prop_assert!(b >= a);
            if d >= fps.frame_duration_ceil() {
                prop_assert!(b > a);
            }
            frames += b - a;
            samples += fps.samples_at_frame(b, sample_rate) - fps.samples_at_frame(a, sample_rate);
            t += d;
        }
        prop_assert_eq!(frames, fps.frame_at(t));
        prop_assert_eq!(samples, fps.samples_at_frame(frames, sample_rate));
    }

    #[test]
    fn format_seconds_is_exact(t in any::<i64>()) {
        let text = format_seconds(t);
        let (sign, body) = text.strip_prefix('-').map_or((1i128, text.as_str()), |b| (-1, b));
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        prop_assert!(frac.len() <= 6 && !frac.ends_with('0'));
        let micros = whole.parse::<i128>().unwrap() * 1_000_000
            + format!("{frac:0<6}").parse::<i128>().unwrap();
        prop_assert_eq!(sign * micros, i128::from(t));
    }

    #[test]
    fn option_escaping_round_trips(text in "[^\\x00]{0,40}") {
        let escaped = escape_option_value(&text);
        prop_assert_eq!(get_token(&escaped, &[':']), (text.clone(), ""));
        prop_assert!(unescaped_specials(&escaped, OPTION_SPECIAL).is_empty());
    }

    #[test]
    fn graph_escaping_round_trips(text in "[^\\x00]{0,40}") {
        let escaped = escape_graph(&text);
        prop_assert_eq!(get_token(&escaped, GRAPH_TERMS), (text.clone(), ""));
        prop_assert!(unescaped_specials(&escaped, GRAPH_SPECIAL).is_empty());
    }

    #[test]
    fn escaped_values_survive_both_levels_inside_a_filter(
        text in prop_oneof![
            "[^\\x00]{0,40}",
            vec(prop::sample::select(vec![
                "\\", "'", ":", "[", "]", ",", ";", "=", " ", "\t", "\n", "%", "a", "é",
            ]), 0..20).prop_map(|parts| parts.concat()),
        ],
    ) {
        // What a text overlay will look like: the value among other options, the filter
        // among others in the graph.
        let filter = format!("drawtext=text={}:x=10", escape_filter_value(&text));
        let graph = format!("[in]{filter},null[out]");
        let after_label = graph.strip_prefix("[in]").unwrap();
        let (args_text, rest) = get_token(after_label, GRAPH_TERMS);
        prop_assert_eq!(rest, ",null[out]");
        let options = args_text.strip_prefix("drawtext=").unwrap();
        let value = options.strip_prefix("text=").unwrap();
        let (read, rest) = get_token(value, &[':']);
        prop_assert_eq!(read, text);
        prop_assert_eq!(rest, ":x=10");
    }
}
