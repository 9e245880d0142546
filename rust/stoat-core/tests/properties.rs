//! Properties: the decider never panics, accepted batches keep the invariants, undo goes
//! back exactly, replay rebuilds the state, layouts add up, and the arithmetic and the
//! escaping hold for any input.

mod common;

use std::collections::HashSet;

use common::{created, media};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stoat_core::filter_escape::{
    escape_filter_value, escape_graph, escape_option_value, get_token, unescaped_specials,
    GRAPH_SPECIAL, OPTION_SPECIAL,
};
use stoat_core::{
    decide, decide_redo, decide_undo, evolve, format_seconds, layout, micros_to_seconds,
    seconds_to_micros, Edit, Env, Event, Rational, State,
};

const GRAPH_TERMS: &[char] = &['[', ']', ',', ';'];

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
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

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::sample::select(options).prop_map(Value::from)
}

fn clip_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => pick(&["clip-1", "clip-2", "clip-3", "clip-4", "clip-5", "clip-6", "a", "b"]),
        1 => pick(&["bad id", "ghost"]),
    ]
}

fn track_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => pick(&["video-1", "audio-1", "overlay-1", "video-2", "t"]),
        1 => pick(&["ghost"]),
    ]
}

/// `(in, out)` seconds: mostly a valid span of a 10 s source.
fn span() -> impl Strategy<Value = (Option<Value>, Option<Value>)> {
    prop_oneof![
        8 => (0u32..6000, 30u32..4000).prop_map(|(i, d)| (
            Some(Value::from(f64::from(i) / 1000.0)),
            Some(Value::from(f64::from(i + d) / 1000.0)),
        )),
        2 => (option::of(time()), option::of(time())),
    ]
}

/// A project with a video track (three clips), a voice track and an overlay track.
fn seeded() -> State {
    let mut state = created();
    common::apply(
        &mut state,
        &[
            json!({"op": "add_track", "kind": "audio", "role": "voice"}),
            json!({"op": "add_track", "kind": "overlay"}),
            json!({"op": "add_clip", "source": "/m/a.mp4", "out": 3}),
            json!({"op": "add_clip", "source": "/m/b.mov", "in": 1, "out": 4}),
            json!({"op": "add_clip", "source": "/m/a.mp4", "in": 2, "out": 5}),
            json!({"op": "add_clip", "source": "/m/voice.wav", "out": 6}),
        ],
    );
    state
}

/// Seconds: mostly plausible, sometimes at the edges.
fn time() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (0u32..=12_000).prop_map(|ms| Value::from(f64::from(ms) / 1000.0)),
        1 => prop::sample::select(vec![-1.0, 0.0, 0.033_333, 0.033_334, 12.5, 1e9]).prop_map(Value::from),
    ]
}

fn object(entries: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect(),
    )
}

/// Edits that are often valid, covering every op.
#[allow(clippy::too_many_lines)] // one strategy per op
fn plausible_edit() -> impl Strategy<Value = Value> {
    let add_clip = (
        prop_oneof![3 => pick(&["/m/a.mp4", "/m/b.mov"]), 1 => pick(&["/m/song.wav", "/m/voice.wav"])],
        span(),
        option::weighted(0.3, time()),
        option::weighted(0.3, track_id()),
        option::weighted(0.3, clip_id()),
        option::weighted(0.2, prop::sample::select(vec![0.5, 1.0, 2.0]).prop_map(Value::from)),
    )
        .prop_map(|(source, (i, o), start, track, id, speed)| {
            object(vec![
                ("op", Some(json!("add_clip"))),
                ("source", Some(source)),
                ("in", i),
                ("out", o),
                ("start", start),
                ("track_id", track),
                ("clip_id", id),
                ("speed", speed),
            ])
        });
    let add_other = (
        pick(&["color", "text"]),
        time(),
        option::weighted(0.5, track_id()),
        option::of(time()),
    )
        .prop_map(|(kind, duration, track, start)| {
            object(vec![
                ("op", Some(json!("add_clip"))),
                ("kind", Some(kind.clone())),
                ("duration", Some(duration)),
                ("color", (kind == "color").then(|| json!("red"))),
                ("text", (kind == "text").then(|| json!("Title"))),
                ("track_id", track),
                ("start", start),
            ])
        });
    let update_clip = (
        clip_id(),
        prop_oneof![2 => Just((None, None)), 1 => span()],
        option::weighted(0.3, prop_oneof![time(), Just(Value::Null)]),
        option::weighted(0.2, track_id()),
        option::weighted(0.2, (0i64..4).prop_map(Value::from)),
        option::weighted(
            0.2,
            prop::sample::select(vec![0.25, 1.5, 4.0]).prop_map(Value::from),
        ),
    )
        .prop_map(|(id, (i, o), start, track, index, speed)| {
            object(vec![
                ("op", Some(json!("update_clip"))),
                ("clip_id", Some(id)),
                ("in", i),
                ("out", o),
                ("start", start),
                ("track_id", track),
                ("index", index),
                ("speed", speed),
            ])
        });
    let move_clip = (
        clip_id(),
        option::of(track_id()),
        option::of(prop_oneof![time(), Just(Value::Null)]),
        option::of((0i64..4).prop_map(Value::from)),
    )
        .prop_map(|(id, track, start, index)| {
            object(vec![
                ("op", Some(json!("move_clip"))),
                ("clip_id", Some(id)),
                ("track_id", track),
                ("start", start),
                ("index", index),
            ])
        });
    let tracks = prop_oneof![
        (
            pick(&["video", "audio", "overlay"]),
            option::of(track_id()),
            option::weighted(0.3, pick(&["voice", "music", "sfx"]))
        )
            .prop_map(|(kind, id, role)| object(vec![
                ("op", Some(json!("add_track"))),
                ("kind", Some(kind)),
                ("track_id", id),
                ("role", role)
            ])),
        track_id().prop_map(|id| json!({"op": "remove_track", "track_id": id})),
        (
            track_id(),
            option::of(pick(&["voice", "music"])),
            option::weighted(
                0.4,
                prop_oneof![
                    track_id().prop_map(|u| json!({"under": u})),
                    Just(Value::Null)
                ]
            ),
            option::of((0i64..3).prop_map(Value::from))
        )
            .prop_map(|(id, role, ducking, index)| object(vec![
                ("op", Some(json!("update_track"))),
                ("track_id", Some(id)),
                ("role", role),
                ("ducking", ducking),
                ("index", index)
            ])),
    ];
    let transitions = prop_oneof![
        ((1u8..6).prop_map(|k| (json!(format!("clip-{k}")), json!(format!("clip-{}", k + 1)))), (1u32..2000).prop_map(|ms| Value::from(f64::from(ms) / 1000.0)))
            .prop_map(|((a, b), d)| json!({"op": "set_transition", "from_clip_id": a, "to_clip_id": b, "duration": d})),
        (clip_id(), clip_id(), (1u32..2000).prop_map(|ms| Value::from(f64::from(ms) / 1000.0)), option::of(pick(&["fade", "wipeleft", "zoomin"])))
            .prop_map(|(a, b, d, name)| object(vec![("op", Some(json!("set_transition"))), ("from_clip_id", Some(a)), ("to_clip_id", Some(b)), ("duration", Some(d)), ("name", name)])),
        (1u8..6).prop_map(|k| json!({"op": "remove_transition", "from_clip_id": format!("clip-{k}"), "to_clip_id": format!("clip-{}", k + 1)})),
    ];
    let effects = prop_oneof![
        (clip_id(), pick(&["blur", "volume", "fade", "grayscale", "text"]), option::of(pick(&["effect-1", "effect-2", "e"])))
            .prop_map(|(c, t, id)| {
                let params = match t.as_str() {
                    Some("text") => json!({"text": "hi"}),
                    Some("fade") => json!({"fade_in": 0.2}),
                    _ => json!({}),
                };
                object(vec![("op", Some(json!("add_effect"))), ("clip_id", Some(c)), ("type", Some(t)), ("effect_id", id), ("params", Some(params))])
            }),
        (pick(&["effect-1", "effect-2", "e"]), 0u8..60).prop_map(|(id, s)| json!({"op": "update_effect", "effect_id": id, "params": {"sigma": s}})),
        pick(&["effect-1", "effect-2", "e"]).prop_map(|id| json!({"op": "remove_effect", "effect_id": id})),
        (clip_id(), pick(&["opacity", "volume", "x", "scale"]), vec((time(), 0u8..=1), 0..4))
            .prop_map(|(c, p, ks)| json!({"op": "set_keyframes", "clip_id": c, "property": p,
                "keyframes": ks.into_iter().map(|(t, v)| json!({"time": t, "value": v, "easing": "ease_in_out_back"})).collect::<Vec<_>>()})),
    ];
    let project = prop_oneof![
        pick(&["24", "30", "30000/1001", "1"])
            .prop_map(|fps| json!({"op": "set_output", "fps": fps})),
        prop_oneof![
            track_id().prop_map(|t| json!({"type": "pip", "track_id": t})),
            vec(prop_oneof![clip_id(), track_id()], 1..3)
                .prop_map(|r| json!({"type": "side_by_side", "regions": r})),
            Just(Value::Null),
        ]
        .prop_map(|layout| json!({"op": "set_layout", "layout": layout})),
    ];
    prop_oneof![
        6 => add_clip,
        2 => add_other,
        4 => update_clip,
        2 => move_clip,
        2 => clip_id().prop_map(|id| json!({"op": "remove_clip", "clip_id": id})),
        2 => tracks,
        5 => transitions,
        3 => effects,
        1 => project,
    ]
}

/// The timeline's invariants, checked independently of the decider's own checks.
fn check_invariants(state: &State) -> Result<(), TestCaseError> {
    let Some(t) = state else { return Ok(()) };
    let fps = t.doc.output.fps;
    let min = fps.frame_duration_ceil();
    let l = layout(t);
    let mut ids = HashSet::new();
    for (track, placed) in t.doc.tracks.iter().zip(&l.tracks) {
        prop_assert!(ids.insert(track.id.clone()), "duplicate id {}", track.id);
        let mut previous: Option<(i64, i64)> = None;
        for (clip, p) in track.clips.iter().zip(&placed.clips) {
            prop_assert!(ids.insert(clip.id.clone()), "duplicate id {}", clip.id);
            for e in &clip.effects {
                prop_assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
            }
            let duration = clip.timeline_duration();
            prop_assert!(duration >= min, "{} lasts {duration}", clip.id);
            prop_assert_eq!(p.end - p.start, duration);
            prop_assert_eq!(p.duration, duration);
            prop_assert_eq!(p.frame_start, fps.frame_at(p.start));
            prop_assert_eq!(p.frame_count, fps.frame_at(p.end) - fps.frame_at(p.start));
            if let (Some(i), Some(o), Some(m)) = (clip.in_point, clip.out_point, &clip.media) {
                prop_assert!(0 <= i && i < o && o <= m.duration);
            }
            match (&clip.transition_in, previous) {
                (Some(tr), Some((ps, pe))) => {
                    prop_assert!(
                        tr.duration > 0 && tr.duration <= pe - ps && tr.duration <= duration
                    );
                    prop_assert_eq!(p.start, pe - tr.duration);
                    prop_assert!(clip.start.is_none());
                }
                (Some(_), None) => prop_assert!(false, "transition into the first clip"),
                (None, Some((_, pe))) => prop_assert!(p.start >= pe, "overlap at {}", clip.id),
                (None, None) => prop_assert!(p.start >= 0),
            }
            for frames in clip.keyframes.values() {
                prop_assert!(frames.windows(2).all(|w| w[0].time < w[1].time));
            }
            previous = Some((p.start, p.end));
        }
        prop_assert_eq!(placed.duration, previous.map_or(0, |p| p.1));
    }
    prop_assert_eq!(
        l.duration,
        l.tracks.iter().map(|t| t.duration).max().unwrap_or(0)
    );
    prop_assert_eq!(l.frames, fps.frame_at(l.duration));
    Ok(())
}

fn run_events(state: &mut State, events: &[Event], log: &mut Vec<Event>) {
    for e in events {
        evolve(state, e);
        log.push(e.clone());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decide_never_panics_on_arbitrary_json(edits in vec(any_json(), 0..6)) {
        let state = created();
        let _ = decide(&state, &edits, &media(), &Env::default());
        let _ = stoat_core::referenced_paths(&edits);
    }

    #[test]
    fn accepted_batches_keep_invariants_and_undo_goes_back(
        batches in vec(vec(plausible_edit(), 1..3), 1..24),
        undo_at in vec(prop::bool::weighted(0.3), 24),
    ) {
        let mut state = seeded();
        let mut log: Vec<Event> = Vec::new();
        for (batch, undo) in batches.iter().zip(undo_at) {
            let Ok(events) = decide(&state, batch, &media(), &Env::default()) else { continue };
            // Reading first and deciding read edits gives the same answer.
            let read: Vec<Edit> = batch.iter().map(|e| Edit::from_json(e).unwrap()).collect();
            prop_assert_eq!(&decide(&state, &read, &media(), &Env::default()).unwrap(), &events);
            let before = state.clone().unwrap();
            run_events(&mut state, &events, &mut log);
            check_invariants(&state)?;
            if undo {
                let undone = decide_undo(&state, 1).unwrap();
                run_events(&mut state, &undone, &mut log);
                prop_assert_eq!(&state.as_ref().unwrap().doc, &before.doc);
                check_invariants(&state)?;
                let redone = decide_redo(&state, 1).unwrap();
                let after_redo = {
                    let mut s = state.clone();
                    for e in &redone { evolve(&mut s, e); }
                    s
                };
                check_invariants(&after_redo)?;
            }
        }
        // A full replay of the stored log rebuilds the same state, history included.
        let mut replayed = seeded();
        for e in &log {
            evolve(&mut replayed, &Event::from_parts(e.type_name(), e.data().unwrap()).unwrap());
        }
        prop_assert_eq!(replayed, state);
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
    fn seconds_round_trip_exactly(micros in -(1i64 << 50)..(1i64 << 50)) {
        prop_assert_eq!(seconds_to_micros(micros_to_seconds(micros)), Some(micros));
        let text = format_seconds(micros);
        let parsed: f64 = text.parse().unwrap();
        prop_assert_eq!(seconds_to_micros(parsed), Some(micros));
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
    fn easing_stays_finite_and_hits_the_keyframes(
        name in prop::sample::select(stoat_core::EASINGS.to_vec()),
        t in -1.0f64..2.0,
    ) {
        let v = stoat_core::ease(name, t).unwrap();
        prop_assert!(v.is_finite() && (-0.5..=1.5).contains(&v));
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
