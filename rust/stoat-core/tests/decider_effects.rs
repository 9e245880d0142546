//! Given/when/then tables for effects and keyframes, and paths resolved through `env`.

#![allow(clippy::too_many_lines)] // tables of cases
mod common;

use std::collections::BTreeMap;

use common::{check, given, media, run, three_clips, Case, Then};
use serde_json::json;
use stoat_core::{decide, referenced_paths, Env, LocItem};

#[test]
fn add_update_remove_effect() {
    let cases = [
        Case {
            name: "defaults filled in, seconds read",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "add_effect", "clip_id": "a1", "type": "blur"}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "text", "index": 0,
                    "params": {"text": "Hi", "start": 0.5, "fade_in": 0.25, "style": {"color": "yellow"}}}),
            ],
            then: Then::Events(vec![
                (
                    "EffectApplied",
                    json!({"clip_id": "a1", "index": 0,
                    "effect": {"id": "effect-1", "type": "blur", "params": {"sigma": 5.0}}}),
                ),
                (
                    "EffectApplied",
                    json!({"index": 0, "effect": {"id": "effect-2", "type": "text",
                    "params": {"text": "Hi", "start": 500_000, "fade_in": 250_000, "fade_out": 0,
                        "style": {"color": "#FFFF00", "size": 64}}}}),
                ),
            ]),
        },
        Case {
            name: "update merges params; remove keeps the effect for undo",
            given: vec![
                three_clips(),
                vec![
                    json!({"op": "add_effect", "clip_id": "a1", "type": "color", "effect_id": "grade"}),
                ],
            ],
            when: vec![
                json!({"op": "update_effect", "effect_id": "grade", "params": {"contrast": 1.2}}),
                json!({"op": "remove_effect", "effect_id": "grade"}),
            ],
            then: Then::Events(vec![
                (
                    "EffectUpdated",
                    json!({"clip_id": "a1", "effect_id": "grade",
                    "params": {"contrast": 1.2, "brightness": 0.0}, "previous": {"contrast": 1.0}}),
                ),
                (
                    "EffectRemoved",
                    json!({"clip_id": "a1", "index": 0, "effect": {"id": "grade",
                    "params": {"contrast": 1.2}}}),
                ),
            ]),
        },
        Case {
            name: "every effect's example is accepted on a clip with sound and picture",
            given: vec![three_clips()],
            when: stoat_core::effects_catalog()
                .iter()
                .map(|e| {
                    let mut edit = e["example"].clone();
                    edit["clip_id"] = json!("a1");
                    edit
                })
                .collect(),
            then: Then::Events(
                stoat_core::effect_types()
                    .iter()
                    .map(|_| ("EffectApplied", json!({})))
                    .collect(),
            ),
        },
        Case {
            name: "rejections",
            given: vec![
                three_clips(),
                vec![
                    json!({"op": "add_effect", "clip_id": "a1", "type": "blur", "effect_id": "soft"}),
                ],
            ],
            when: vec![
                json!({"op": "add_effect", "clip_id": "a1", "type": "sparkle"}),
                json!({"op": "add_effect", "clip_id": "b1", "type": "audio_fade", "params": {"fade_in": 1}}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "blur", "params": {"sigma": 0}}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "text", "params": {"text": "x", "start": 4}}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "lut", "params": {"path": "/m/look.png"}}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "subtitles", "params": {"path": "/m/a.srt", "cues": [{"start": 0, "end": 1, "text": "x"}]}}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "blur", "effect_id": "soft"}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "fade"}),
                json!({"op": "add_effect", "clip_id": "zz", "type": "grayscale"}),
                json!({"op": "update_effect", "effect_id": "soft", "params": {"sigma": 500}}),
                json!({"op": "update_effect", "effect_id": "soft", "params": {}}),
                json!({"op": "update_effect", "effect_id": "soft", "type": "color", "params": {"gamma": 2}}),
                json!({"op": "update_effect", "effect_id": "hard", "params": {"sigma": 1}}),
                json!({"op": "remove_effect", "effect_id": "hard"}),
                json!({"op": "add_effect", "clip_id": "a1", "type": "subtitles", "params": {"cues": [{"start": 2, "end": 1, "text": "x"}]}}),
            ],
            then: Then::Errors(vec![
                ("invalid_choice", json!(["edits", 0, "type"])),
                ("effect_not_applicable", json!(["edits", 1, "type"])),
                ("value_out_of_range", json!(["edits", 2, "params", "sigma"])),
                ("time_beyond_clip", json!(["edits", 3, "params", "start"])),
                ("file_type_invalid", json!(["edits", 4, "params", "path"])),
                ("conflicting_fields", json!(["edits", 5, "params", "cues"])),
                ("effect_id_taken", json!(["edits", 6, "effect_id"])),
                ("effect_invalid", json!(["edits", 7, "params", "fade_in"])),
                ("clip_not_found", json!(["edits", 8, "clip_id"])),
                ("value_out_of_range", json!(["edits", 9, "params", "sigma"])),
                ("nothing_to_update", json!(["edits", 10, "params"])),
                ("invalid_choice", json!(["edits", 11, "type"])),
                ("effect_not_found", json!(["edits", 12, "effect_id"])),
                ("effect_not_found", json!(["edits", 13, "effect_id"])),
                (
                    "end_not_after_start",
                    json!(["edits", 14, "params", "cues", 0, "end"]),
                ),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn set_keyframes() {
    let cases = [
        Case {
            name: "keyframes with easings; aliases become canonical; empty clears",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "opacity", "keyframes": [
                    {"time": 0, "value": 0, "easing": "ease_in"}, {"time": 1.5, "value": 1}]}),
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "opacity", "keyframes": []}),
            ],
            then: Then::Events(vec![
                (
                    "KeyframesSet",
                    json!({"clip_id": "a1", "property": "opacity", "previous": [], "keyframes": [
                    {"time": 0, "value": 0.0, "easing": "ease_in_cubic"},
                    {"time": 1_500_000, "value": 1.0, "easing": "linear"}]}),
                ),
                (
                    "KeyframesSet",
                    json!({"keyframes": [], "previous": [{"time": 0}, {"time": 1_500_000}]}),
                ),
            ]),
        },
        Case {
            name: "rejections",
            given: vec![three_clips()],
            when: vec![
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "x", "keyframes": [
                    {"time": 1, "value": 0}, {"time": 1, "value": 5}, {"time": 5, "value": 2}]}),
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "opacity", "keyframes": [{"time": 0, "value": 2}]}),
                json!({"op": "set_keyframes", "clip_id": "b1", "property": "volume", "keyframes": []}),
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "scale", "keyframes": [{"time": 0, "value": 1, "easing": "bounce"}]}),
                json!({"op": "set_keyframes", "clip_id": "a1", "property": "rotation", "keyframes": []}),
            ],
            then: Then::Errors(vec![
                (
                    "keyframes_not_increasing",
                    json!(["edits", 0, "keyframes", 1, "time"]),
                ),
                (
                    "time_beyond_clip",
                    json!(["edits", 0, "keyframes", 2, "time"]),
                ),
                (
                    "value_out_of_range",
                    json!(["edits", 1, "keyframes", 0, "value"]),
                ),
                ("effect_not_applicable", json!(["edits", 2, "property"])),
                (
                    "invalid_choice",
                    json!(["edits", 3, "keyframes", 0, "easing"]),
                ),
                ("invalid_choice", json!(["edits", 4, "property"])),
            ]),
        },
    ];
    cases.iter().for_each(run);
}

#[test]
fn paths_resolve_through_env() {
    let edits = vec![
        json!({"op": "add_clip", "source": "/in/../m/a.mp4", "out": 2,
            "effects": [{"type": "lut", "params": {"path": "/looks/warm.cube"}}]}),
        json!({"op": "add_clip", "kind": "text", "text": "x", "duration": 1, "style": {"font_file": "/f/a.ttf"}}),
        json!({"op": "add_effect", "clip_id": "clip-1", "type": "watermark", "params": {"path": "/m/logo.png"}}),
        json!({"op": "update_effect", "effect_id": "effect-1", "params": {"path": "/looks/cold.cube"}}),
    ];
    let paths: Vec<(serde_json::Value, String, &str)> = referenced_paths(&edits)
        .into_iter()
        .map(|(loc, p, k)| (serde_json::to_value(loc).unwrap(), p, k))
        .collect();
    assert_eq!(
        paths,
        [
            (
                json!(["edits", 0, "effects", 0, "params", "path"]),
                "/looks/warm.cube".to_owned(),
                "lut"
            ),
            (
                json!(["edits", 0, "source"]),
                "/in/../m/a.mp4".to_owned(),
                "media"
            ),
            (
                json!(["edits", 1, "style", "font_file"]),
                "/f/a.ttf".to_owned(),
                "font"
            ),
            (
                json!(["edits", 2, "params", "path"]),
                "/m/logo.png".to_owned(),
                "image"
            ),
            (
                json!(["edits", 3, "params", "path"]),
                "/looks/cold.cube".to_owned(),
                "lut"
            ),
        ]
    );
    let _ = LocItem::from("edits");

    let state = given(&[]);
    let env = Env {
        files: Some(BTreeMap::from([
            ("/in/../m/a.mp4".to_owned(), "/m/a.mp4".to_owned()),
            ("/looks/warm.cube".to_owned(), "/real/warm.cube".to_owned()),
            ("/m/logo.png".to_owned(), "/m/logo.png".to_owned()),
        ])),
        transitions: None,
    };
    check(
        "unchecked files are located errors",
        decide(&state, &edits, &media(), &env),
        &Then::Errors(vec![
            ("file_unknown", json!(["edits", 1, "style", "font_file"])),
            ("file_unknown", json!(["edits", 3, "params", "path"])),
        ]),
    );
    check(
        "checked files are stored canonical",
        decide(&state, &edits[..1], &media(), &env),
        &Then::Events(vec![(
            "ClipAdded",
            json!({"clip": {"source": "/m/a.mp4",
            "effects": [{"params": {"path": "/real/warm.cube"}}]}}),
        )]),
    );
    let limited = Env {
        files: None,
        transitions: Some(vec!["fade".into(), "dissolve".into()]),
    };
    let state = given(&[three_clips()]);
    let edit = [
        json!({"op": "set_transition", "from_clip_id": "a1", "to_clip_id": "b1", "name": "wipeleft", "duration": 1.0}),
    ];
    check(
        "transition names come from the installed FFmpeg",
        decide(&state, &edit, &media(), &limited),
        &Then::Errors(vec![("invalid_choice", json!(["edits", 0, "name"]))]),
    );
}
