//! Undo, redo, restore and fork: tables of steps and what the project looks like after.

mod common;

use common::{apply, created, given, three_clips, S};
use serde_json::{json, Value};
use stoat_core::{
    decide_fork, decide_redo, decide_restore, decide_undo, decode_snapshot, encode_snapshot,
    evolve, Change, Event, State,
};

fn run_all(state: &mut State, events: &[Event]) {
    for e in events {
        evolve(state, e);
    }
}

fn codes_and_locs(errors: &stoat_core::ValidationErrors) -> Vec<(&'static str, Value)> {
    errors
        .errors()
        .iter()
        .map(|e| (e.code.as_str(), serde_json::to_value(&e.loc).unwrap()))
        .collect()
}

#[test]
fn undo_and_redo_a_batch_as_one_step() {
    let mut state = created();
    let before = state.clone().unwrap();
    apply(&mut state, &three_clips());
    let after = state.clone().unwrap();
    assert_eq!(after.version, 4);
    assert_eq!(after.history.undo_len(), 1);

    let undo = decide_undo(&state, 1).unwrap();
    assert_eq!(undo.len(), 1);
    let Change::EditsUndone(e) = &undo[0].change else {
        panic!("{undo:?}")
    };
    assert_eq!(e.of_version, 4);
    let removed: Vec<&str> = e
        .events
        .iter()
        .map(|c| match c {
            Change::ClipRemoved(r) => r.clip.id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(removed, ["a2", "b1", "a1"]);
    run_all(&mut state, &undo);
    let t = state.as_ref().unwrap();
    assert_eq!(t.doc, before.doc);
    assert_eq!(
        (t.version, t.history.undo_len(), t.history.redo_len()),
        (5, 0, 1)
    );

    let redo = decide_redo(&state, 1).unwrap();
    let Change::EditsRedone(r) = &redo[0].change else {
        panic!()
    };
    assert_eq!((r.of_version, r.events.len()), (4, 3));
    run_all(&mut state, &redo);
    let t = state.as_ref().unwrap();
    assert_eq!(t.doc, after.doc);
    assert_eq!(
        (t.version, t.history.undo_len(), t.history.redo_len()),
        (6, 1, 0)
    );

    // Undo of a redo is an undo again; generated ids are never reused.
    let undo = decide_undo(&state, 1).unwrap();
    run_all(&mut state, &undo);
    let events = apply(
        &mut state,
        &[json!({"op": "add_clip", "source": "/m/a.mp4"})],
    );
    assert_eq!(events[0].data().unwrap()["clip"]["id"], "clip-1");
    assert_eq!(
        state.as_ref().unwrap().history.redo_len(),
        0,
        "a new batch clears redo"
    );
}

#[test]
fn several_steps_and_refusals() {
    let mut state = given(&[three_clips()]);
    apply(
        &mut state,
        &[json!({"op": "update_clip", "clip_id": "a1", "out": 2})],
    );
    apply(&mut state, &[json!({"op": "add_track", "kind": "audio"})]);
    let undo = decide_undo(&state, 2).unwrap();
    let versions: Vec<u64> = undo
        .iter()
        .map(|e| match &e.change {
            Change::EditsUndone(u) => u.of_version,
            _ => 0,
        })
        .collect();
    assert_eq!(versions, [6, 5]);
    run_all(&mut state, &undo);
    let t = state.as_ref().unwrap();
    assert_eq!(t.doc.tracks.len(), 1);
    assert_eq!(t.doc.tracks[0].clips[0].out_point, Some(4 * S));

    let cases: [(i64, bool, &str, Value); 4] = [
        (2, true, "nothing_to_undo", json!(["steps"])),
        (0, true, "value_out_of_range", json!(["steps"])),
        (3, false, "nothing_to_redo", json!(["steps"])),
        (-1, false, "value_out_of_range", json!(["steps"])),
    ];
    for (steps, undo, code, loc) in cases {
        let errors = if undo {
            decide_undo(&state, steps)
        } else {
            decide_redo(&state, steps)
        }
        .unwrap_err();
        assert_eq!(codes_and_locs(&errors), [(code, loc)], "{steps} {undo}");
    }
    let errors = decide_undo(&state, 2).unwrap_err();
    assert_eq!(errors.errors()[0].ctx["available"], 1);
    assert!(decide_undo(&created(), 1).is_err());
}

#[test]
fn replay_rebuilds_history_and_snapshots_keep_it() {
    let mut state = created();
    let mut log: Vec<Event> = Vec::new();
    let mut record = |state: &mut State, events: Vec<Event>| {
        run_all(state, &events);
        log.extend(events);
    };
    let first = stoat_core::decide_create(
        "p1",
        "Demo",
        &json!({"width": 640, "height": 360, "fps": "30"}),
    )
    .unwrap();
    record(&mut None, first.clone());
    let batch = stoat_core::decide(
        &state,
        &three_clips(),
        &common::media(),
        &stoat_core::Env::default(),
    )
    .unwrap();
    record(&mut state, batch);
    let batch = stoat_core::decide(
        &state,
        &[json!({"op": "remove_clip", "clip_id": "b1"})],
        &common::media(),
        &stoat_core::Env::default(),
    )
    .unwrap();
    record(&mut state, batch);
    let undo = decide_undo(&state, 1).unwrap();
    record(&mut state, undo);

    // Stored events are (type, data) pairs; replay them from nothing.
    let mut replayed: State = None;
    for e in &log {
        let stored = Event::from_parts(e.type_name(), e.data().unwrap()).unwrap();
        evolve(&mut replayed, &stored);
    }
    assert_eq!(replayed, state);
    let snapshot = decode_snapshot(&encode_snapshot(&state).unwrap()).unwrap();
    assert_eq!(snapshot, state);
    assert_eq!(
        decide_redo(&snapshot, 1).unwrap(),
        decide_redo(&state, 1).unwrap()
    );
}

#[test]
fn restore_is_one_undoable_step() {
    let mut state = created();
    apply(&mut state, &three_clips());
    let at_4 = state.clone();
    apply(&mut state, &[json!({"op": "remove_clip", "clip_id": "a1"})]);
    apply(&mut state, &[json!({"op": "set_output", "fps": "25"})]);
    let before_restore = state.clone().unwrap();

    let events = decide_restore(&state, 4, &at_4).unwrap();
    let Change::ProjectRestored(r) = &events[0].change else {
        panic!()
    };
    assert_eq!(r.to_version, 4);
    run_all(&mut state, &events);
    let t = state.as_ref().unwrap();
    assert_eq!(t.doc, at_4.as_ref().unwrap().doc);
    assert_eq!((t.version, t.history.undo_len()), (7, 4));

    let undo = decide_undo(&state, 1).unwrap();
    run_all(&mut state, &undo);
    assert_eq!(state.as_ref().unwrap().doc, before_restore.doc);

    for (version, target) in [(0, &at_4), (99, &at_4), (3, &at_4)] {
        let errors = decide_restore(&state, version, target).unwrap_err();
        assert_eq!(
            codes_and_locs(&errors),
            [("version_out_of_range", json!(["version"]))]
        );
    }
}

#[test]
fn fork_starts_a_linked_project() {
    let mut source = created();
    apply(&mut source, &three_clips());
    let events = decide_fork("p2", "Copy", "p1", 4, &source).unwrap();
    assert_eq!(events.len(), 1);
    let data = events[0].data().unwrap();
    assert_eq!(data["origin_project_id"], "p1");
    assert_eq!(data["origin_version"], 4);
    let mut fork: State = None;
    run_all(&mut fork, &events);
    let t = fork.as_ref().unwrap();
    assert_eq!(
        (t.project_id.as_str(), t.name.as_str(), t.version),
        ("p2", "Copy", 1)
    );
    assert_eq!(t.doc, source.as_ref().unwrap().doc);
    assert_eq!(t.origin.as_ref().unwrap().version, 4);
    assert!(
        decide_undo(&fork, 1).is_err(),
        "a fork starts with nothing to undo"
    );
    let added = apply(
        &mut fork,
        &[json!({"op": "add_clip", "source": "/m/a.mp4"})],
    );
    assert_eq!(added[0].data().unwrap()["clip"]["id"], "clip-1");

    let errors = decide_fork("p 2", "", "p1", 3, &source).unwrap_err();
    assert_eq!(
        codes_and_locs(&errors),
        [
            ("invalid_id", json!(["project_id"])),
            ("string_blank", json!(["name"])),
            ("version_out_of_range", json!(["version"])),
        ]
    );
}

#[test]
fn first_slice_events_still_replay() {
    let clip = |id: &str, out: i64| {
        json!({"id": id, "source": "/m/a.mp4", "in": 0, "out": out,
        "media": {"duration": 10 * S, "has_video": true, "has_audio": true, "width": null, "height": null}})
    };
    let log = [
        (
            "ProjectCreated",
            json!({"project_id": "p", "name": "n", "output":
            {"width": 320, "height": 240, "fps": "30", "sample_rate": 48000}}),
        ),
        ("ClipAdded", json!({"clip": clip("a", 2 * S), "index": 0})),
        ("ClipAdded", json!({"clip": clip("b", 3 * S), "index": 1})),
        (
            "ClipTrimmed",
            json!({"clip_id": "a", "in": S, "out": 2 * S, "previous_in": 0, "previous_out": 2 * S}),
        ),
        ("ClipRemoved", json!({"clip": clip("b", 3 * S), "index": 1})),
    ];
    let mut state: State = None;
    for (t, data) in log {
        evolve(&mut state, &Event::from_parts(t, data).unwrap());
    }
    let t = state.as_ref().unwrap();
    assert_eq!(t.version, 5);
    assert_eq!(t.doc.tracks[0].clips.len(), 1);
    assert_eq!(t.doc.tracks[0].clips[0].in_point, Some(S));
    assert_eq!(
        t.history.undo_len(),
        4,
        "each old event is a step of its own"
    );
}
