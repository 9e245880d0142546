//! Shared fixtures for unit tests.

use serde_json::json;

use crate::events::Change;

/// One change of each type, in [`crate::EVENT_TYPES`] order.
pub(crate) fn one_change_of_each() -> Vec<Change> {
    let output = json!({"width": 2, "height": 2, "fps": "30", "sample_rate": 48000,
        "background": "#000000"});
    let track = json!({"id": "video-1", "kind": "video", "name": "Video 1", "muted": false,
        "hidden": false, "volume": 1.0, "clips": []});
    let clip = json!({"id": "a", "kind": "media", "source": "/a", "in": 0, "out": 1,
        "speed": 1.0, "volume": 1.0, "transform": serde_json::to_value(crate::model::Transform::default()).unwrap(),
        "media": {"duration": 1, "has_video": true, "has_audio": false, "width": null, "height": null}});
    let effect = json!({"id": "e", "type": "blur", "params": {"sigma": 5.0}});
    let transition = json!({"name": "fade", "duration": 5, "audio_curve": "tri"});
    let doc = json!({"output": output, "tracks": [track]});
    let data = [
        (
            "ProjectCreated",
            json!({"project_id": "p", "name": "n", "output": output, "tracks": [track]}),
        ),
        ("OutputSet", json!({"output": output, "previous": output})),
        ("TrackAdded", json!({"track": track, "index": 0})),
        (
            "TrackUpdated",
            json!({"track_id": "video-1", "changes": {"ducking": null}, "previous": {"muted": true}}),
        ),
        ("TrackRemoved", json!({"track": track, "index": 0})),
        (
            "ClipAdded",
            json!({"track_id": "video-1", "clip": clip, "index": 0}),
        ),
        (
            "ClipTrimmed",
            json!({"clip_id": "a", "in": 0, "out": 1, "previous_in": 0, "previous_out": 2}),
        ),
        (
            "ClipMoved",
            json!({"clip_id": "a", "from_track": "v", "from_index": 0, "to_track": "w",
            "to_index": 1, "start": null, "previous_start": 5}),
        ),
        (
            "ClipUpdated",
            json!({"clip_id": "a", "changes": {"speed": 2.0, "freeze": null}, "previous": {"speed": 1.0}}),
        ),
        (
            "ClipRemoved",
            json!({"track_id": "video-1", "clip": clip, "index": 0}),
        ),
        (
            "EffectApplied",
            json!({"clip_id": "a", "effect": effect, "index": 0}),
        ),
        (
            "EffectUpdated",
            json!({"clip_id": "a", "effect_id": "e", "params": {"sigma": 6.0}, "previous": {"sigma": 5.0}}),
        ),
        (
            "EffectRemoved",
            json!({"clip_id": "a", "effect": effect, "index": 0}),
        ),
        (
            "TransitionSet",
            json!({"from_clip_id": "a", "to_clip_id": "b", "transition": transition, "previous": null}),
        ),
        (
            "TransitionRemoved",
            json!({"from_clip_id": "a", "to_clip_id": "b", "transition": transition}),
        ),
        (
            "KeyframesSet",
            json!({"clip_id": "a", "property": "opacity", "keyframes":
            [{"time": 0, "value": 0.5, "easing": "linear"}], "previous": []}),
        ),
        (
            "LayoutSet",
            json!({"layout": {"type": "pip", "track_id": "v"}, "previous": null}),
        ),
        (
            "EditsUndone",
            json!({"of_version": 3, "events": [{"type": "LayoutSet", "data": {"layout": null, "previous": null}}]}),
        ),
        ("EditsRedone", json!({"of_version": 3, "events": []})),
        (
            "ProjectRestored",
            json!({"to_version": 2, "state": doc, "previous": doc}),
        ),
        (
            "ProjectForked",
            json!({"project_id": "q", "name": "n", "origin_project_id": "p",
            "origin_version": 2, "state": doc}),
        ),
    ];
    data.into_iter()
        .map(|(t, d)| Change::from_parts(t, d).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}
