//! Given/when/then tables for the project and track ops: `set_output`, `add_track`,
//! `update_track`, `remove_track`, `set_layout`, and batch-level rules.

#![allow(clippy::too_many_lines)] // tables of cases
mod common;

use common::{run, three_clips, Case, Then, S};
use serde_json::json;

fn voice_and_music() -> Vec<serde_json::Value> {
    vec![
        json!({"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"}),
        json!({"op": "add_track", "kind": "audio", "track_id": "music"}),
    ]
}

#[test]
fn batch_rules() {
    let cases = [
        Case {
            name: "an empty batch is refused",
            given: vec![],
            when: vec![],
            then: Then::Errors(vec![("empty_batch", json!(["edits"]))]),
        },
        Case {
            name: "every error of every edit is reported, later edits see earlier ones",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "explode"}),
                json!({"op": "remove_clip", "clip_id": "a1"}),
                json!({"op": "remove_clip", "clip_id": "a1"}),
                json!({"clip_id": "a1"}),
                json!("remove_clip"),
                json!({"op": 3}),
            ],
            then: Then::Errors(vec![
                ("unknown_op", json!(["edits", 0, "op"])),
                ("clip_not_found", json!(["edits", 2, "clip_id"])),
                ("missing_field", json!(["edits", 3, "op"])),
                ("wrong_type", json!(["edits", 4])),
                ("wrong_type", json!(["edits", 5, "op"])),
            ]),
        },
        Case {
            name: "a later edit may use what an earlier one added",
            given: vec![],
            when: vec![
                json!({"op": "add_track", "kind": "overlay"}),
                json!({"op": "add_clip", "track_id": "overlay-1", "kind": "color", "color": "red", "duration": 2}),
            ],
            then: Then::Events(vec![
                (
                    "TrackAdded",
                    json!({"track": {"id": "overlay-1", "name": "Overlay 1"}, "index": 1,
                    "batch": {"index": 0, "size": 2}}),
                ),
                (
                    "ClipAdded",
                    json!({"track_id": "overlay-1", "clip": {"id": "clip-1", "color": "#FF0000",
                    "duration": 2 * S}, "batch": {"index": 1, "size": 2}}),
                ),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn set_output() {
    let cases = [
        Case {
            name: "a preset sets the size",
            given: vec![],
            when: vec![json!({"op": "set_output", "preset": "9:16", "background": "white"})],
            then: Then::Events(vec![(
                "OutputSet",
                json!({
                "output": {"width": 1080, "height": 1920, "fps": "30", "background": "#FFFFFF"},
                "previous": {"width": 640, "height": 360, "background": "#000000"}}),
            )]),
        },
        Case {
            name: "loudness takes defaults, null removes it",
            given: vec![],
            when: vec![
                json!({"op": "set_output", "loudness": {"target": -16}}),
                json!({"op": "set_output", "loudness": null}),
            ],
            then: Then::Events(vec![
                (
                    "OutputSet",
                    json!({"output": {"loudness": {"target": -16.0, "true_peak": -1.0}}}),
                ),
                (
                    "OutputSet",
                    json!({"previous": {"loudness": {"target": -16.0}}}),
                ),
            ]),
        },
        Case {
            name: "bad settings are located",
            given: vec![],
            when: vec![
                json!({"op": "set_output"}),
                json!({"op": "set_output", "preset": "16:9", "width": 1280}),
                json!({"op": "set_output", "width": 641, "fps": "29.97"}),
                json!({"op": "set_output", "sample_rate": 47000, "background": "ultraviolet"}),
            ],
            then: Then::Errors(vec![
                ("nothing_to_update", json!(["edits", 0])),
                ("conflicting_fields", json!(["edits", 1, "width"])),
                ("fps_invalid", json!(["edits", 2, "fps"])),
                ("color_invalid", json!(["edits", 3, "background"])),
            ]),
        },
        Case {
            name: "a frame rate that makes a clip shorter than a frame is refused",
            given: vec![vec![
                json!({"op": "add_clip", "source": "/m/a.mp4", "out": 0.5}),
            ]],
            when: vec![json!({"op": "set_output", "fps": "1"})],
            then: Then::Errors(vec![("clip_too_short", json!(["edits", 0, "fps"]))]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn add_track() {
    let cases = [
        Case {
            name: "generated id and name, audio role defaults to music, on top",
            given: vec![],
            when: vec![json!({"op": "add_track", "kind": "audio"})],
            then: Then::Events(vec![(
                "TrackAdded",
                json!({"index": 1, "track": {
                "id": "audio-1", "kind": "audio", "name": "Audio 1", "role": "music",
                "muted": false, "hidden": false, "volume": 1.0, "clips": []}}),
            )]),
        },
        Case {
            name: "chosen id at the bottom",
            given: vec![],
            when: vec![
                json!({"op": "add_track", "kind": "video", "track_id": "bg", "index": 0, "name": "Background"}),
            ],
            then: Then::Events(vec![(
                "TrackAdded",
                json!({"index": 0, "track": {"id": "bg", "name": "Background"}}),
            )]),
        },
        Case {
            name: "ducking under a voice track",
            given: vec![vec![voice_and_music()[0].clone()]],
            when: vec![json!({"op": "add_track", "kind": "audio", "ducking": {"under": "voice"}})],
            then: Then::Events(vec![(
                "TrackAdded",
                json!({"track": {"ducking": {"under": "voice",
                "threshold": -30.0, "ratio": 8.0, "attack": 20_000, "release": 250_000}}}),
            )]),
        },
        Case {
            name: "rejections",
            given: vec![],
            when: vec![
                json!({"op": "add_track", "kind": "video", "track_id": "video-1"}),
                json!({"op": "add_track", "kind": "subtitle"}),
                json!({"op": "add_track", "kind": "video", "role": "voice"}),
                json!({"op": "add_track", "kind": "video", "index": 5}),
                json!({"op": "add_track", "kind": "audio", "ducking": {"under": "nobody"}}),
                json!({"op": "add_track", "kind": "audio", "volume": 5, "name": " "}),
            ],
            then: Then::Errors(vec![
                ("track_id_taken", json!(["edits", 0, "track_id"])),
                ("invalid_choice", json!(["edits", 1, "kind"])),
                ("field_not_applicable", json!(["edits", 2, "role"])),
                ("index_out_of_range", json!(["edits", 3, "index"])),
                ("still_referenced", json!(["edits", 4, "ducking"])),
                ("string_blank", json!(["edits", 5, "name"])),
                ("value_out_of_range", json!(["edits", 5, "volume"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn update_and_remove_track() {
    let cases = [
        Case {
            name: "volume and mute, with the previous values",
            given: vec![],
            when: vec![
                json!({"op": "update_track", "track_id": "video-1", "volume": 0.5, "muted": true}),
            ],
            then: Then::Events(vec![(
                "TrackUpdated",
                json!({"track_id": "video-1",
                "changes": {"volume": 0.5, "muted": true}, "previous": {"volume": 1.0, "muted": false}}),
            )]),
        },
        Case {
            name: "reorder in the z-order",
            given: vec![voice_and_music()],
            when: vec![json!({"op": "update_track", "track_id": "music", "index": 0})],
            then: Then::Events(vec![(
                "TrackUpdated",
                json!({"changes": {"index": 0}, "previous": {"index": 2}}),
            )]),
        },
        Case {
            name: "ducking on and off",
            given: vec![voice_and_music()],
            when: vec![
                json!({"op": "update_track", "track_id": "music", "ducking": {"under": "voice", "ratio": 4}}),
                json!({"op": "update_track", "track_id": "music", "ducking": null}),
            ],
            then: Then::Events(vec![
                (
                    "TrackUpdated",
                    json!({"changes": {"ducking": {"under": "voice", "ratio": 4.0}}, "previous": {"ducking": null}}),
                ),
                ("TrackUpdated", json!({"changes": {"ducking": null}})),
            ]),
        },
        Case {
            name: "ducking needs music under voice",
            given: vec![voice_and_music()],
            when: vec![
                json!({"op": "update_track", "track_id": "music", "ducking": {"under": "music"}}),
                json!({"op": "update_track", "track_id": "voice", "ducking": {"under": "voice"}}),
                json!({"op": "update_track", "track_id": "video-1", "role": "voice"}),
                json!({"op": "update_track", "track_id": "video-1"}),
                json!({"op": "update_track", "track_id": "nope", "muted": true}),
            ],
            then: Then::Errors(vec![
                ("role_mismatch", json!(["edits", 0, "ducking"])),
                ("role_mismatch", json!(["edits", 1, "ducking"])),
                ("field_not_applicable", json!(["edits", 2, "role"])),
                ("nothing_to_update", json!(["edits", 3])),
                ("track_not_found", json!(["edits", 4, "track_id"])),
            ]),
        },
        Case {
            name: "a voice track that music ducks under keeps its role and stays",
            given: vec![
                voice_and_music(),
                vec![
                    json!({"op": "update_track", "track_id": "music", "ducking": {"under": "voice"}}),
                ],
            ],
            when: vec![
                json!({"op": "update_track", "track_id": "voice", "role": "sfx"}),
                json!({"op": "remove_track", "track_id": "voice"}),
            ],
            then: Then::Errors(vec![
                ("role_mismatch", json!(["edits", 0, "role"])),
                ("still_referenced", json!(["edits", 1, "track_id"])),
            ]),
        },
        Case {
            name: "a track goes with its clips",
            given: vec![three_clips()],
            when: vec![json!({"op": "remove_track", "track_id": "video-1"})],
            then: Then::Events(vec![(
                "TrackRemoved",
                json!({"index": 0, "track": {"id": "video-1",
                "clips": [{"id": "a1"}, {"id": "b1"}, {"id": "a2"}]}}),
            )]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn set_layout() {
    let overlay = vec![
        json!({"op": "add_track", "kind": "overlay"}),
        json!({"op": "add_track", "kind": "audio"}),
    ];
    let cases = [
        Case {
            name: "picture-in-picture with defaults",
            given: vec![overlay.clone()],
            when: vec![
                json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "overlay-1"}}),
            ],
            then: Then::Events(vec![(
                "LayoutSet",
                json!({"layout": {"type": "pip", "track_id": "overlay-1",
                "corner": "bottom_right", "size": 0.3, "margin": 0.03}, "previous": null}),
            )]),
        },
        Case {
            name: "a grid of a track and a clip, then none",
            given: vec![overlay.clone(), three_clips()],
            when: vec![
                json!({"op": "set_layout", "layout": {"type": "side_by_side", "regions": ["overlay-1", "a1"]}}),
                json!({"op": "set_layout", "layout": null}),
            ],
            then: Then::Events(vec![
                (
                    "LayoutSet",
                    json!({"layout": {"regions": ["overlay-1", "a1"], "gap": 0}}),
                ),
                (
                    "LayoutSet",
                    json!({"layout": null, "previous": {"type": "side_by_side"}}),
                ),
            ]),
        },
        Case {
            name: "what a layout names must exist, show pictures, and appear once",
            given: vec![overlay.clone(), three_clips()],
            when: vec![
                json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "ghost"}}),
                json!({"op": "set_layout", "layout": {"type": "pip", "track_id": "audio-1"}}),
                json!({"op": "set_layout", "layout": {"type": "grid_2x2", "regions": ["a1", "a1"]}}),
                json!({"op": "set_layout", "layout": {"type": "grid_2x2", "regions": []}}),
                json!({"op": "set_layout", "layout": {"type": "mosaic"}}),
                json!({"op": "set_layout"}),
            ],
            then: Then::Errors(vec![
                ("still_referenced", json!(["edits", 0, "layout"])),
                ("role_mismatch", json!(["edits", 1, "layout"])),
                ("duplicate_value", json!(["edits", 2, "layout"])),
                ("list_too_short", json!(["edits", 3, "layout", "regions"])),
                ("invalid_choice", json!(["edits", 4, "layout", "type"])),
                ("missing_field", json!(["edits", 5, "layout"])),
            ]),
        },
        Case {
            name: "removing what the layout names is refused",
            given: vec![
                overlay,
                three_clips(),
                vec![json!({"op": "set_layout", "layout":
                {"type": "top_bottom", "regions": ["a1", "overlay-1"]}})],
            ],
            when: vec![
                json!({"op": "remove_clip", "clip_id": "a1"}),
                json!({"op": "remove_track", "track_id": "overlay-1"}),
            ],
            then: Then::Errors(vec![
                ("still_referenced", json!(["edits", 0])),
                ("still_referenced", json!(["edits", 1, "track_id"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}
