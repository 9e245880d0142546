//! Given/when/then tables for the decider: past events, a batch of edits, and the expected
//! events or error codes with their locations.

use serde_json::{json, Value};
use stoat_core::{decide, decide_create, evolve, initial_state, Event, MediaInfo, MediaMap};

const S: i64 = 1_000_000;

fn media() -> MediaMap {
    let info = |duration, has_video, has_audio| MediaInfo {
        duration,
        has_video,
        has_audio,
        width: None,
        height: None,
    };
    MediaMap::from([
        ("/m/a.mp4".to_owned(), info(10 * S, true, true)),
        ("/m/b.mov".to_owned(), info(12_500_000, true, false)),
        ("/m/song.wav".to_owned(), info(60 * S, false, true)),
        ("/m/long.mp4".to_owned(), info(200 * 3600 * S, true, true)),
    ])
}

fn created() -> Value {
    json!({"type": "ProjectCreated", "data": {"project_id": "p1", "name": "Demo", "output":
        {"width": 1280, "height": 720, "fps": "30", "sample_rate": 48000}}})
}

fn clip(id: &str, source: &str, in_point: i64, out_point: i64) -> Value {
    let info = &media()[source];
    json!({"id": id, "source": source, "in": in_point, "out": out_point, "media": info})
}

fn added(id: &str, source: &str, in_point: i64, out_point: i64, index: usize) -> Value {
    json!({"type": "ClipAdded", "data": {"clip": clip(id, source, in_point, out_point),
        "index": index}})
}

fn trimmed(id: &str, span: (i64, i64), previous: (i64, i64)) -> Value {
    json!({"type": "ClipTrimmed", "data": {"clip_id": id, "in": span.0, "out": span.1,
        "previous_in": previous.0, "previous_out": previous.1}})
}

fn removed(id: &str, source: &str, in_point: i64, out_point: i64, index: usize) -> Value {
    json!({"type": "ClipRemoved", "data": {"clip": clip(id, source, in_point, out_point),
        "index": index}})
}

/// Two clips: `clip-1` (a.mp4 0..4 s) then `intro` (b.mov 1..2 s).
fn two_clips() -> Vec<Value> {
    vec![
        created(),
        added("clip-1", "/m/a.mp4", 0, 4 * S, 0),
        added("intro", "/m/b.mov", S, 2 * S, 1),
    ]
}

enum Then {
    Events(Vec<Value>),
    /// `(code, loc)` of every error, in order.
    Errors(Vec<(&'static str, Value)>),
}

struct Case {
    name: &'static str,
    given: Vec<Value>,
    when: Vec<Value>,
    then: Then,
}

fn run(case: &Case) {
    let mut state = initial_state();
    for event in &case.given {
        let event: Event = serde_json::from_value(event.clone()).expect(case.name);
        evolve(&mut state, &event);
    }
    let outcome = decide(&state, &case.when, &media());
    match (&case.then, outcome) {
        (Then::Events(expected), Ok(events)) => {
            let got: Vec<Value> = events
                .iter()
                .map(|e| serde_json::to_value(e).unwrap())
                .collect();
            assert_eq!(&got, expected, "{}", case.name);
        }
        (Then::Errors(expected), Err(errors)) => {
            let got: Vec<(&str, Value)> = errors
                .errors()
                .iter()
                .map(|e| (e.code.as_str(), serde_json::to_value(&e.loc).unwrap()))
                .collect();
            assert_eq!(&got, expected, "{}", case.name);
            for e in errors.errors() {
                assert!(!e.msg.is_empty(), "{}: empty message", case.name);
            }
        }
        (Then::Events(_), Err(errors)) => panic!("{}: unexpected errors {errors}", case.name),
        (Then::Errors(_), Ok(events)) => panic!("{}: unexpected events {events:?}", case.name),
    }
}

#[test]
fn accepted_batches() {
    let cases = [
        Case {
            name: "add without id or index appends with a generated id",
            given: vec![created()],
            when: vec![json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 4 * S})],
            then: Then::Events(vec![added("clip-1", "/m/a.mp4", 0, 4 * S, 0)]),
        },
        Case {
            name: "add with id and index inserts there",
            given: two_clips(),
            when: vec![
                json!({"op": "add_clip", "clip_id": "title.card_2", "source": "/m/b.mov",
                "in": 0, "out": S, "index": 1}),
            ],
            then: Then::Events(vec![added("title.card_2", "/m/b.mov", 0, S, 1)]),
        },
        Case {
            name: "generated ids continue after the highest generated one",
            given: two_clips(),
            when: vec![json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": S})],
            then: Then::Events(vec![added("clip-2", "/m/a.mp4", 0, S, 2)]),
        },
        Case {
            name: "a generated id is not reused after its clip is removed",
            given: vec![
                created(),
                added("clip-1", "/m/a.mp4", 0, S, 0),
                removed("clip-1", "/m/a.mp4", 0, S, 0),
            ],
            when: vec![json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": S})],
            then: Then::Events(vec![added("clip-2", "/m/a.mp4", 0, S, 0)]),
        },
        Case {
            name: "later edits see the clips added by earlier ones",
            given: vec![created()],
            when: vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 4 * S}),
                json!({"op": "add_clip", "source": "/m/b.mov", "in": 0, "out": S, "index": 1}),
                json!({"op": "update_clip", "clip_id": "clip-1", "in": S}),
                json!({"op": "remove_clip", "clip_id": "clip-2"}),
            ],
            then: Then::Events(vec![
                added("clip-1", "/m/a.mp4", 0, 4 * S, 0),
                added("clip-2", "/m/b.mov", 0, S, 1),
                trimmed("clip-1", (S, 4 * S), (0, 4 * S)),
                removed("clip-2", "/m/b.mov", 0, S, 1),
            ]),
        },
        Case {
            name: "update out only keeps in and records the previous points",
            given: two_clips(),
            when: vec![json!({"op": "update_clip", "clip_id": "intro", "out": 12_500_000})],
            then: Then::Events(vec![trimmed("intro", (S, 12_500_000), (S, 2 * S))]),
        },
        Case {
            name: "remove records the whole clip and its index",
            given: two_clips(),
            when: vec![json!({"op": "remove_clip", "clip_id": "intro"})],
            then: Then::Events(vec![removed("intro", "/m/b.mov", S, 2 * S, 1)]),
        },
        Case {
            name: "null optional fields count as absent",
            given: vec![created()],
            when: vec![
                json!({"op": "add_clip", "clip_id": null, "source": "/m/a.mp4",
                "in": 0, "out": S, "index": null}),
            ],
            then: Then::Events(vec![added("clip-1", "/m/a.mp4", 0, S, 0)]),
        },
        Case {
            name: "exactly one frame and exactly the source's end are allowed",
            given: vec![created()],
            when: vec![json!({"op": "add_clip", "source": "/m/b.mov",
                "in": 12_500_000 - 33_334, "out": 12_500_000})],
            then: Then::Events(vec![added(
                "clip-1",
                "/m/b.mov",
                12_500_000 - 33_334,
                12_500_000,
                0,
            )]),
        },
    ];
    for case in &cases {
        run(case);
    }
}

#[test]
fn rejected_batches_and_times() {
    let cases = [
        Case {
            name: "empty batch",
            given: two_clips(),
            when: vec![],
            then: Then::Errors(vec![("empty_batch", json!(["edits"]))]),
        },
        Case {
            name: "no project yet",
            given: vec![],
            when: vec![json!({"op": "remove_clip", "clip_id": "a"})],
            then: Then::Errors(vec![("project_not_created", json!([]))]),
        },
        Case {
            name: "every bad edit is reported and the failed one is skipped",
            given: two_clips(),
            when: vec![
                json!({"op": "add_clip", "clip_id": "new", "source": "/m/a.mp4", "in": 0,
                    "out": 11 * S}),
                json!({"op": "remove_clip", "clip_id": "intro"}),
                json!({"op": "update_clip", "clip_id": "new", "out": S}),
                json!({"op": "update_clip", "clip_id": "intro", "out": S}),
            ],
            then: Then::Errors(vec![
                ("out_beyond_duration", json!(["edits", 0, "out"])),
                ("clip_not_found", json!(["edits", 2, "clip_id"])),
                ("clip_not_found", json!(["edits", 3, "clip_id"])),
            ]),
        },
        Case {
            name: "times",
            given: two_clips(),
            when: vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": -1, "out": -2}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 3 * S, "out": 3 * S}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": 33_333}),
                json!({"op": "update_clip", "clip_id": "clip-1", "in": 5 * S}),
                json!({"op": "update_clip", "clip_id": "clip-1", "in": 0, "out": 2 * S + 1,
                    "index": 0}),
            ],
            then: Then::Errors(vec![
                ("time_negative", json!(["edits", 0, "in"])),
                ("time_negative", json!(["edits", 0, "out"])),
                ("in_not_before_out", json!(["edits", 1, "out"])),
                ("clip_too_short", json!(["edits", 2, "out"])),
                ("in_not_before_out", json!(["edits", 3, "in"])),
                ("unknown_field", json!(["edits", 4, "index"])),
            ]),
        },
    ];
    for case in &cases {
        run(case);
    }
}

#[test]
fn rejected_ids_sources_and_structure() {
    let cases = [
        Case {
            name: "ids and indexes",
            given: two_clips(),
            when: vec![
                json!({"op": "add_clip", "clip_id": "intro", "source": "/m/a.mp4", "in": 0,
                    "out": S}),
                json!({"op": "add_clip", "clip_id": "no spaces", "source": "/m/a.mp4", "in": 0,
                    "out": S}),
                json!({"op": "add_clip", "clip_id": "x".repeat(65), "source": "/m/a.mp4",
                    "in": 0, "out": S}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": S, "index": 3}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": S, "index": -1}),
                json!({"op": "update_clip", "clip_id": "intro"}),
            ],
            then: Then::Errors(vec![
                ("clip_id_taken", json!(["edits", 0, "clip_id"])),
                ("invalid_id", json!(["edits", 1, "clip_id"])),
                ("invalid_id", json!(["edits", 2, "clip_id"])),
                ("index_out_of_range", json!(["edits", 3, "index"])),
                ("index_out_of_range", json!(["edits", 4, "index"])),
                ("nothing_to_update", json!(["edits", 5])),
            ]),
        },
        Case {
            name: "sources",
            given: vec![created()],
            when: vec![
                json!({"op": "add_clip", "source": "/m/nope.mp4", "in": 0, "out": S}),
                json!({"op": "add_clip", "source": "/m/song.wav", "in": 0, "out": 61 * S}),
            ],
            then: Then::Errors(vec![
                ("source_unknown", json!(["edits", 0, "source"])),
                ("source_has_no_video", json!(["edits", 1, "source"])),
                ("out_beyond_duration", json!(["edits", 1, "out"])),
            ]),
        },
        Case {
            name: "the timeline has a maximum length",
            given: vec![created(), added("big", "/m/long.mp4", 0, 99 * 3600 * S, 0)],
            when: vec![
                json!({"op": "add_clip", "source": "/m/long.mp4", "in": 0, "out": 3601 * S}),
                json!({"op": "update_clip", "clip_id": "big", "out": 101 * 3600 * S}),
            ],
            then: Then::Errors(vec![
                ("timeline_too_long", json!(["edits", 0, "out"])),
                ("timeline_too_long", json!(["edits", 1, "out"])),
            ]),
        },
        Case {
            name: "malformed edits",
            given: two_clips(),
            when: vec![
                json!({"op": "split_clip", "clip_id": "intro"}),
                json!({"clip_id": "intro"}),
                json!({"op": ["remove_clip"]}),
                json!({"op": "add_clip", "source": 7, "in": 1.5, "out": "2", "index": true}),
                json!({"op": "remove_clip"}),
                json!({"op": "remove_clip", "clip_id": "intro", "why": "because"}),
                json!(null),
            ],
            then: Then::Errors(vec![
                ("unknown_op", json!(["edits", 0, "op"])),
                ("missing_field", json!(["edits", 1, "op"])),
                ("wrong_type", json!(["edits", 2, "op"])),
                ("wrong_type", json!(["edits", 3, "source"])),
                ("wrong_type", json!(["edits", 3, "in"])),
                ("wrong_type", json!(["edits", 3, "out"])),
                ("wrong_type", json!(["edits", 3, "index"])),
                ("missing_field", json!(["edits", 4, "clip_id"])),
                ("unknown_field", json!(["edits", 5, "why"])),
                ("wrong_type", json!(["edits", 6])),
            ]),
        },
    ];
    for case in &cases {
        run(case);
    }
}

#[test]
fn errors_carry_hints_and_context_for_agents() {
    let mut state = initial_state();
    for e in decide_create("p1", "Demo", &created()["data"]["output"]).unwrap() {
        evolve(&mut state, &e);
    }
    let edits = [
        json!({"op": "add_clip", "source": "/m/b.mov", "in": 0, "out": 13 * S}),
        json!({"op": "remove_clip", "clip_id": "ghost"}),
        json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0, "out": S, "index": 5}),
    ];
    let errors = decide(&state, &edits, &media()).unwrap_err();
    let [beyond, ghost, index] = errors.errors() else {
        panic!("{errors}")
    };
    assert_eq!(
        beyond.hint.as_deref(),
        Some("out must be at most 12.5 s, the source's duration")
    );
    assert_eq!(beyond.ctx["max"], 12.5, "times in the context are seconds");
    assert_eq!(ghost.ctx["existing"], json!([]));
    assert_eq!(
        ghost.hint.as_deref(),
        Some("the timeline has no clips; add one first")
    );
    assert_eq!(index.ctx["max"], 0);
}

#[test]
fn clip_not_found_lists_at_most_twenty_ids() {
    let mut given = vec![created()];
    for i in 0..25 {
        given.push(added(&format!("c{i}"), "/m/a.mp4", 0, S, i));
    }
    let mut state = initial_state();
    for event in &given {
        evolve(&mut state, &serde_json::from_value(event.clone()).unwrap());
    }
    let errors = decide(
        &state,
        &[json!({"op": "remove_clip", "clip_id": "zz"})],
        &media(),
    )
    .unwrap_err();
    let e = &errors.errors()[0];
    assert_eq!(e.ctx["existing"].as_array().unwrap().len(), 20);
    assert_eq!(e.ctx["existing_count"], 25);
    assert!(e.hint.as_deref().unwrap().ends_with("(and 5 more)"));
}

#[test]
fn create_checks_name_and_output() {
    let output = json!({"width": 1280, "height": 720, "fps": "30", "sample_rate": 48000});
    let long = "n".repeat(201);
    let errors = decide_create(
        "p1",
        &long,
        &json!({"width": 3, "height": 720, "fps": "0",
        "sample_rate": 48000}),
    )
    .unwrap_err();
    let got: Vec<(&str, Value)> = errors
        .errors()
        .iter()
        .map(|e| (e.code.as_str(), serde_json::to_value(&e.loc).unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("string_too_long", json!(["name"])),
            ("dimension_invalid", json!(["output", "width"])),
            ("fps_invalid", json!(["output", "fps"])),
        ]
    );
    // 200 characters (not bytes) is fine.
    assert!(decide_create("p1", &"é".repeat(200), &output).is_ok());
    let errors = decide_create("", "x", &json!("1080p")).unwrap_err();
    assert_eq!(errors.codes(), ["invalid_id", "wrong_type"]);
    assert_eq!(errors.errors()[1].loc, ["output".into()]);
}

#[test]
fn evolve_ignores_events_that_do_not_fit() {
    let mut state = initial_state();
    let stray: Event = serde_json::from_value(added("a", "/m/a.mp4", 0, S, 0)).unwrap();
    evolve(&mut state, &stray);
    assert!(state.is_none());
    for event in two_clips() {
        evolve(&mut state, &serde_json::from_value(event).unwrap());
    }
    let before = state.clone();
    let ghost_trim: Event = serde_json::from_value(trimmed("ghost", (0, 1), (0, 2))).unwrap();
    evolve(&mut state, &ghost_trim);
    assert_eq!(state, before);
    // A removal whose index is stale still removes the clip by id.
    let stale_removal: Event =
        serde_json::from_value(removed("intro", "/m/b.mov", S, 2 * S, 0)).unwrap();
    evolve(&mut state, &stale_removal);
    let ids: Vec<&str> = state
        .as_ref()
        .unwrap()
        .clips
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["clip-1"]);
}
