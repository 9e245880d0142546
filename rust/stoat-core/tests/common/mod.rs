//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use serde_json::{json, Value};
use stoat_core::{decide, decide_create, evolve, Env, Event, MediaInfo, MediaMap, State};

pub const S: i64 = 1_000_000;

pub fn info(duration: i64, has_video: bool, has_audio: bool) -> MediaInfo {
    MediaInfo {
        duration,
        has_video,
        has_audio,
        ..MediaInfo::default()
    }
}

/// a.mp4 10 s with sound, b.mov 12.5 s silent, song.wav 60 s sound only, logo.png still.
pub fn media() -> MediaMap {
    MediaMap::from([
        ("/m/a.mp4".to_owned(), info(10 * S, true, true)),
        ("/m/b.mov".to_owned(), info(12_500_000, true, false)),
        ("/m/song.wav".to_owned(), info(60 * S, false, true)),
        ("/m/voice.wav".to_owned(), info(30 * S, false, true)),
        ("/m/logo.png".to_owned(), info(0, true, false)),
        ("/media/logo.png".to_owned(), info(0, true, false)),
        ("/media/sticker.png".to_owned(), info(0, true, false)),
        ("/m/long.mp4".to_owned(), info(200 * 3600 * S, true, true)),
    ])
}

/// A created project (30 fps) with the default track `video-1`.
pub fn created() -> State {
    let mut state = None;
    for e in decide_create(
        "p1",
        "Demo",
        &json!({"width": 640, "height": 360, "fps": "30"}),
    )
    .unwrap()
    {
        evolve(&mut state, &e);
    }
    state
}

/// Decides and applies a batch; panics with the errors when it is rejected.
pub fn apply(state: &mut State, edits: &[Value]) -> Vec<Event> {
    let events = decide(state, edits, &media(), &Env::default())
        .unwrap_or_else(|e| panic!("rejected {edits:?}: {e}"));
    for e in &events {
        evolve(state, e);
    }
    events
}

/// `created()` with each batch applied.
pub fn given(batches: &[Vec<Value>]) -> State {
    let mut state = created();
    for batch in batches {
        apply(&mut state, batch);
    }
    state
}

/// Whether every key of `expected` is in `actual` with a matching value (recursively for
/// objects; arrays must have the same length and match item by item).
pub fn matches(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| matches(av, ev))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| matches(av, ev))
        }
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        _ => actual == expected,
    }
}

/// Three clips on video-1: `a1` (a.mp4 0..4 s), `b1` (b.mov 1..3.5 s), `a2` (a.mp4 5..6 s).
pub fn three_clips() -> Vec<Value> {
    vec![
        json!({"op": "add_clip", "clip_id": "a1", "source": "/m/a.mp4", "out": 4}),
        json!({"op": "add_clip", "clip_id": "b1", "source": "/m/b.mov", "in": 1, "out": 3.5}),
        json!({"op": "add_clip", "clip_id": "a2", "source": "/m/a.mp4", "in": 5, "out": 6}),
    ]
}

/// What a case expects.
pub enum Then {
    /// `(event type, a subset of its data)` for each event, in order.
    Events(Vec<(&'static str, Value)>),
    /// `(code, loc)` of every error, in order.
    Errors(Vec<(&'static str, Value)>),
}

/// A given/when/then case: edit batches applied after creation, a batch, the outcome.
pub struct Case {
    pub name: &'static str,
    pub given: Vec<Vec<Value>>,
    pub when: Vec<Value>,
    pub then: Then,
}

pub fn run(case: &Case) {
    let state = given(&case.given);
    let outcome = decide(&state, &case.when, &media(), &Env::default());
    check(case.name, outcome, &case.then);
}

pub fn check(name: &str, outcome: Result<Vec<Event>, stoat_core::ValidationErrors>, then: &Then) {
    match (then, outcome) {
        (Then::Events(expected), Ok(events)) => {
            let got: Vec<(&str, Value)> = events
                .iter()
                .map(|e| (e.type_name(), e.data().unwrap()))
                .collect();
            assert_eq!(got.len(), expected.len(), "{name}: {got:#?}");
            for ((t, data), (et, edata)) in got.iter().zip(expected) {
                assert_eq!(t, et, "{name}");
                assert!(
                    matches(data, edata),
                    "{name}: {t}\n got {data:#}\n want {edata:#}"
                );
            }
        }
        (Then::Errors(expected), Err(errors)) => {
            let got: Vec<(&str, Value)> = errors
                .errors()
                .iter()
                .map(|e| (e.code.as_str(), serde_json::to_value(&e.loc).unwrap()))
                .collect();
            assert_eq!(&got, expected, "{name}: {errors}");
            for e in errors.errors() {
                assert!(!e.msg.is_empty(), "{name}: empty message");
                assert!(
                    e.hint.as_deref().is_some_and(|h| !h.is_empty()),
                    "{name}: no hint for {e}"
                );
            }
        }
        (Then::Events(_), Err(errors)) => panic!("{name}: unexpected errors {errors}"),
        (Then::Errors(_), Ok(events)) => panic!("{name}: unexpected events {events:?}"),
    }
}
