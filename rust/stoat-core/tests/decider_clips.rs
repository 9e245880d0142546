//! Given/when/then tables for the clip ops: `add_clip`, `update_clip`, `move_clip`,
//! `remove_clip`, `set_transition` and `remove_transition`.

#![allow(clippy::too_many_lines)] // tables of cases
mod common;

use common::{run, three_clips, Case, Then, S};
use serde_json::{json, Value};

fn with_transition() -> Vec<Vec<Value>> {
    vec![
        three_clips(),
        vec![
            json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "b1", "duration": 0.5}),
        ],
    ]
}

#[test]
fn add_clip_accepted() {
    let cases = [
        Case {
            name: "the whole source, generated id, on the first video track",
            given: vec![],
            when: vec![json!({"op": "add_clip", "source": "/m/a.mp4"})],
            then: Then::Events(vec![(
                "ClipAdded",
                json!({"track_id": "video-1", "index": 0, "clip": {
                "id": "clip-1", "kind": "media", "source": "/m/a.mp4", "in": 0, "out": 10 * S,
                "speed": 1.0, "volume": 1.0, "transform": {"fit": "contain", "scale": 1.0},
                "media": {"duration": 10 * S}}}),
            )]),
        },
        Case {
            name: "seconds round to the nearest microsecond; absolute start goes in time order",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 0.123_456_7, "out": 1.000_000_4, "start": 20}),
            ],
            then: Then::Events(vec![(
                "ClipAdded",
                json!({"index": 3, "clip": {
                "in": 123_457, "out": 1_000_000, "start": 20 * S}}),
            )]),
        },
        Case {
            name: "a sound-only source goes to the first audio track",
            given: vec![vec![json!({"op": "add_track", "kind": "audio"})]],
            when: vec![
                json!({"op": "add_clip", "source": "/m/song.wav", "out": 30, "volume": 0.5}),
            ],
            then: Then::Events(vec![(
                "ClipAdded",
                json!({"track_id": "audio-1", "clip": {"volume": 0.5}}),
            )]),
        },
        Case {
            name: "image, colour and text clips, with a style's defaults",
            given: vec![],
            when: vec![
                json!({"op": "add_clip", "kind": "image", "source": "/m/logo.png", "duration": 2}),
                json!({"op": "add_clip", "kind": "color", "color": "#00ff0080", "duration": 1}),
                json!({"op": "add_clip", "kind": "text", "text": "Hi", "duration": 3, "style": {"size": 90}}),
            ],
            then: Then::Events(vec![
                (
                    "ClipAdded",
                    json!({"clip": {"kind": "image", "duration": 2 * S, "media": {"has_video": true}}}),
                ),
                (
                    "ClipAdded",
                    json!({"index": 1, "clip": {"kind": "color", "color": "#00FF0080"}}),
                ),
                (
                    "ClipAdded",
                    json!({"clip": {"kind": "text", "text": "Hi", "style": {"size": 90,
                    "font": "Sans", "color": "#FFFFFF", "position": "center"}}}),
                ),
            ]),
        },
        Case {
            name: "inline effects get ids; speed, reverse and freeze",
            given: vec![],
            when: vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "out": 4, "speed": 2, "reverse": true,
                "freeze": {"at": 1, "duration": 0.5},
                "effects": [{"type": "blur"}, {"type": "volume", "effect_id": "quiet", "params": {"gain": 0.5}}]}),
            ],
            then: Then::Events(vec![(
                "ClipAdded",
                json!({"clip": {"speed": 2.0, "reverse": true,
                "freeze": {"at": S, "duration": 500_000},
                "effects": [{"id": "effect-1", "type": "blur", "params": {"sigma": 5.0}},
                            {"id": "quiet", "type": "volume", "params": {"gain": 0.5}}]}}),
            )]),
        },
        Case {
            name: "inserting between two clips with a transition removes it first",
            given: with_transition(),
            when: vec![json!({"op": "add_clip", "source": "/m/a.mp4", "out": 1, "index": 1})],
            then: Then::Events(vec![
                (
                    "TransitionRemoved",
                    json!({"from_clip_id": "a1", "to_clip_id": "b1",
                    "transition": {"name": "fade", "duration": 500_000}}),
                ),
                ("ClipAdded", json!({"index": 1})),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn add_clip_rejected() {
    let cases = [
        Case {
            name: "span, source and track problems",
            given: vec![
                three_clips(),
                vec![json!({"op": "add_track", "kind": "audio", "track_id": "music"})],
            ],
            when: vec![
                json!({"op": "add_clip", "source": "/m/b.mov", "out": 13}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "in": 5, "out": 5}),
                json!({"op": "add_clip", "source": "/m/nope.mp4"}),
                json!({"op": "add_clip", "kind": "image", "source": "/m/logo.png", "duration": 1, "track_id": "music"}),
                json!({"op": "add_clip", "source": "/m/b.mov", "track_id": "music"}),
                json!({"op": "add_clip", "source": "/m/song.wav", "track_id": "video-1"}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "track_id": "ghost"}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "clip_id": "a1"}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "clip_id": "a b"}),
            ],
            then: Then::Errors(vec![
                ("out_beyond_duration", json!(["edits", 0, "out"])),
                ("in_not_before_out", json!(["edits", 1, "out"])),
                ("source_unknown", json!(["edits", 2, "source"])),
                ("clip_kind_not_allowed", json!(["edits", 3, "track_id"])),
                ("source_has_no_audio", json!(["edits", 4, "track_id"])),
                ("source_has_no_video", json!(["edits", 5, "track_id"])),
                ("track_not_found", json!(["edits", 6, "track_id"])),
                ("clip_id_taken", json!(["edits", 7, "clip_id"])),
                ("invalid_id", json!(["edits", 8, "clip_id"])),
            ]),
        },
        Case {
            name: "no track for a sound-only source",
            given: vec![],
            when: vec![json!({"op": "add_clip", "source": "/m/song.wav"})],
            then: Then::Errors(vec![("no_suitable_track", json!(["edits", 0, "track_id"]))]),
        },
        Case {
            name: "placement and length",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "start": 1}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "out": 0.01}),
                json!({"op": "add_clip", "source": "/m/long.mp4", "out": 360_000}),
            ],
            then: Then::Errors(vec![
                ("clips_overlap", json!(["edits", 0, "start"])),
                ("clip_too_short", json!(["edits", 1, "out"])),
                ("timeline_too_long", json!(["edits", 2, "out"])),
            ]),
        },
        Case {
            name: "field values",
            given: vec![],
            when: vec![
                json!({"op": "add_clip", "kind": "color", "color": "ultraviolet", "duration": 1}),
                json!({"op": "add_clip", "kind": "hologram"}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "speed": 5, "in": -1}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "out": 4, "freeze": {"at": 4, "duration": 1}}),
                json!({"op": "add_clip", "kind": "color", "color": "red", "duration": 1, "source": "/m/a.mp4"}),
                json!({"op": "add_clip", "source": "/m/b.mov", "effects": [{"type": "volume"}]}),
                json!({"op": "add_clip", "source": "/m/a.mp4", "transform": {"crop": {"left": 0.5, "right": 0.5}}}),
                json!({"op": "add_clip", "kind": "text", "text": "a\u{0}b", "duration": 0}),
            ],
            then: Then::Errors(vec![
                ("color_invalid", json!(["edits", 0, "color"])),
                ("invalid_choice", json!(["edits", 1, "kind"])),
                ("value_out_of_range", json!(["edits", 2, "in"])),
                ("value_out_of_range", json!(["edits", 2, "speed"])),
                ("freeze_outside_span", json!(["edits", 3, "freeze", "at"])),
                ("unknown_field", json!(["edits", 4, "source"])),
                (
                    "effect_not_applicable",
                    json!(["edits", 5, "effects", 0, "type"]),
                ),
                (
                    "crop_too_large",
                    json!(["edits", 6, "transform", "crop", "right"]),
                ),
                ("text_invalid", json!(["edits", 7, "text"])),
                ("value_out_of_range", json!(["edits", 7, "duration"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn update_and_move_clip() {
    let cases = [
        Case {
            name: "trim, speed and a merged transform",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "update_clip", "clip_id": "a1", "in": 1, "speed": 2,
                "transform": {"scale": 0.5, "crop": {"top": 0.1}}}),
            ],
            then: Then::Events(vec![
                (
                    "ClipTrimmed",
                    json!({"clip_id": "a1", "in": S, "out": 4 * S, "previous_in": 0, "previous_out": 4 * S}),
                ),
                (
                    "ClipUpdated",
                    json!({"clip_id": "a1",
                    "changes": {"speed": 2.0, "transform": {"scale": 0.5, "position": "center", "crop": {"top": 0.1, "left": 0.0}}},
                    "previous": {"speed": 1.0, "transform": {"scale": 1.0}}}),
                ),
            ]),
        },
        Case {
            name: "an absolute start, then following again",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "update_clip", "clip_id": "a2", "start": 30}),
                json!({"op": "move_clip", "clip_id": "a2", "start": null}),
            ],
            then: Then::Events(vec![
                (
                    "ClipMoved",
                    json!({"clip_id": "a2", "from_track": "video-1", "from_index": 2,
                    "to_track": "video-1", "to_index": 2, "start": 30 * S, "previous_start": null}),
                ),
                (
                    "ClipMoved",
                    json!({"start": null, "previous_start": 30 * S}),
                ),
            ]),
        },
        Case {
            name: "to another track by start, and reordering breaks transitions",
            given: {
                let mut g = with_transition();
                g.push(vec![json!({"op": "add_track", "kind": "overlay"})]);
                g
            },
            when: vec![
                json!({"op": "move_clip", "clip_id": "a2", "track_id": "overlay-1", "start": 2}),
                json!({"op": "move_clip", "clip_id": "a1", "index": 1}),
            ],
            then: Then::Events(vec![
                (
                    "ClipMoved",
                    json!({"to_track": "overlay-1", "to_index": 0, "start": 2 * S}),
                ),
                (
                    "TransitionRemoved",
                    json!({"from_clip_id": "a1", "to_clip_id": "b1"}),
                ),
                (
                    "ClipMoved",
                    json!({"clip_id": "a1", "from_index": 0, "to_index": 1}),
                ),
            ]),
        },
        Case {
            name: "colour and text clips change their own fields",
            given: vec![vec![
                json!({"op": "add_clip", "kind": "text", "clip_id": "t", "text": "Hi", "duration": 2}),
                json!({"op": "add_clip", "kind": "color", "clip_id": "c", "color": "red", "duration": 2}),
            ]],
            when: vec![
                json!({"op": "update_clip", "clip_id": "t", "text": "Bye", "style": {"size": 10}, "duration": 1}),
                json!({"op": "update_clip", "clip_id": "c", "color": "blue"}),
            ],
            then: Then::Events(vec![
                (
                    "ClipUpdated",
                    json!({"changes": {"text": "Bye", "duration": S, "style": {"size": 10, "font": "Sans"}},
                    "previous": {"text": "Hi", "duration": 2 * S, "style": {"size": 64}}}),
                ),
                (
                    "ClipUpdated",
                    json!({"changes": {"color": "#0000FF"}, "previous": {"color": "#FF0000"}}),
                ),
            ]),
        },
        Case {
            name: "rejections",
            given: with_transition(),
            when: vec![
                json!({"op": "update_clip", "clip_id": "a1"}),
                json!({"op": "update_clip", "clip_id": "a1", "duration": 3, "text": "x"}),
                json!({"op": "update_clip", "clip_id": "b1", "out": 1.2}),
                json!({"op": "update_clip", "clip_id": "b1", "start": 3.5, "index": 1}),
                json!({"op": "update_clip", "clip_id": "zz", "speed": 2}),
                json!({"op": "move_clip", "clip_id": "a1"}),
                json!({"op": "move_clip", "clip_id": "a1", "index": 3}),
                json!({"op": "move_clip", "clip_id": "b1", "start": 0}),
            ],
            then: Then::Errors(vec![
                ("nothing_to_update", json!(["edits", 0])),
                ("field_not_applicable", json!(["edits", 1, "duration"])),
                ("field_not_applicable", json!(["edits", 1, "text"])),
                ("transition_too_long", json!(["edits", 2, "out"])),
                ("start_with_transition", json!(["edits", 3, "start"])),
                ("clip_not_found", json!(["edits", 4, "clip_id"])),
                ("nothing_to_update", json!(["edits", 5])),
                ("index_out_of_range", json!(["edits", 6, "index"])),
                ("start_with_transition", json!(["edits", 7, "start"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn remove_clip_and_transitions() {
    let cases = [
        Case {
            name: "a clip goes with its transitions, which go first",
            given: {
                let mut g = with_transition();
                g.push(vec![json!({"op": "set_transition", "from_clip_id": "b1", "to_clip_id": "a2", "name": "wipeleft", "duration": 1})]);
                g
            },
            when: vec![json!({"op": "remove_clip", "clip_id": "b1"})],
            then: Then::Events(vec![
                (
                    "TransitionRemoved",
                    json!({"from_clip_id": "a1", "to_clip_id": "b1"}),
                ),
                (
                    "TransitionRemoved",
                    json!({"from_clip_id": "b1", "to_clip_id": "a2", "transition": {"name": "wipeleft"}}),
                ),
                (
                    "ClipRemoved",
                    json!({"track_id": "video-1", "index": 1, "clip": {"id": "b1", "in": S}}),
                ),
            ]),
        },
        Case {
            name: "set, replace and remove a transition",
            given: with_transition(),
            when: vec![
                json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "b1", "name": "circleopen",
                    "duration": 2.5, "audio_curve": "qsin"}),
                json!({"op": "remove_transition", "from_clip_id": "a1", "to_clip_id": "b1"}),
            ],
            then: Then::Events(vec![
                (
                    "TransitionSet",
                    json!({"from_clip_id": "a1", "to_clip_id": "b1",
                    "transition": {"name": "circleopen", "duration": 2_500_000, "audio_curve": "qsin"},
                    "previous": {"name": "fade", "duration": 500_000}}),
                ),
                (
                    "TransitionRemoved",
                    json!({"transition": {"name": "circleopen"}}),
                ),
            ]),
        },
        Case {
            name: "transition rejections",
            given: vec![
                three_clips(),
                vec![
                    json!({"op": "add_clip", "clip_id": "late", "source": "/m/a.mp4", "start": 30}),
                ],
            ],
            when: vec![
                json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "a2", "duration": 1}),
                json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "b1", "duration": 3}),
                json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "b1", "name": "spin", "duration": 1}),
                json!({"op": "set_transition", "from_clip_id": "a2", "to_clip_id": "late", "duration": 0.5}),
                json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "nope", "duration": 0}),
                json!({"op": "remove_transition", "from_clip_id": "a1", "to_clip_id": "b1"}),
            ],
            then: Then::Errors(vec![
                ("clips_not_adjacent", json!(["edits", 0, "to_clip_id"])),
                ("transition_too_long", json!(["edits", 1, "duration"])),
                ("invalid_choice", json!(["edits", 2, "name"])),
                ("start_with_transition", json!(["edits", 3, "to_clip_id"])),
                ("value_out_of_range", json!(["edits", 4, "duration"])),
                ("transition_not_found", json!(["edits", 5, "to_clip_id"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn transitions_shorten_the_track() {
    let state = common::given(&with_transition());
    let l = stoat_core::layout(state.as_ref().unwrap());
    let starts: Vec<i64> = l.tracks[0].clips.iter().map(|c| c.start).collect();
    assert_eq!(starts, [0, 3_500_000, 6_000_000]);
    assert_eq!(l.duration, 7 * S);
    assert_eq!(l.tracks[0].clips[1].transition_in, 500_000);
}
