"""The read models' JSON documents, written from the Rust core's JSON, equal the ones
built from its Python views: same values, same keys in the same order."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from stoat._core import Timeline
from stoat.projections.represent import (
    project_document,
    project_document_json,
    timeline_document,
    timeline_document_json,
)

MEDIA: dict[str, dict[str, object]] = {
    "/media/a.mp4": {
        "duration": 60_000_000,
        "has_video": True,
        "has_audio": True,
        "width": 1920,
        "height": 1080,
        "fps": "30000/1001",
        "rotation": 90,
        "sample_rate": 44100,
        "channels": 2,
    },
    "/media/song.wav": {"duration": 600_000_000, "has_video": False, "has_audio": True},
    "/media/logo.png": {"duration": 0, "has_video": True, "has_audio": False},
}

EDITS: list[dict[str, Any]] = [
    {"op": "add_clip", "clip_id": "a", "source": "/media/a.mp4", "in": 0.25, "out": 3.1},
    {"op": "add_clip", "clip_id": "b", "source": "/media/a.mp4", "in": 1, "out": 4, "speed": 1.5},
    {"op": "add_clip", "clip_id": "c", "kind": "color", "color": "#102030", "duration": 2},
    {"op": "add_effect", "clip_id": "a", "type": "color", "params": {"saturation": 1.1}},
    {"op": "add_effect", "clip_id": "b", "type": "text", "params": {"text": 'it\'s [é] "q"'}},
    {
        "op": "add_effect",
        "clip_id": "b",
        "type": "watermark",
        "params": {"path": "/media/logo.png"},
    },
    {
        "op": "set_keyframes",
        "clip_id": "a",
        "property": "opacity",
        "keyframes": [{"time": 0, "value": 0.5}, {"time": 1, "value": 1, "easing": "ease_out"}],
    },
    {
        "op": "set_transition",
        "from_clip_id": "a",
        "to_clip_id": "b",
        "name": "wipeleft",
        "duration": 0.5,
    },
    {"op": "add_track", "kind": "overlay", "track_id": "titles"},
    {
        "op": "add_clip",
        "track_id": "titles",
        "kind": "text",
        "text": "T",
        "start": 1,
        "duration": 1,
    },
    {"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"},
    {"op": "add_clip", "track_id": "voice", "source": "/media/song.wav", "out": 5},
    {
        "op": "add_track",
        "kind": "audio",
        "track_id": "music",
        "role": "music",
        "ducking": {"under": "voice"},
    },
    {"op": "add_clip", "track_id": "music", "source": "/media/song.wav", "in": 0.000001, "out": 7},
    {"op": "set_layout", "layout": {"type": "pip", "track_id": "titles"}},
]


def _timelines() -> list[Timeline]:
    made = Timeline()
    output = {"preset": "9:16", "fps": "24000/1001", "loudness": {"target": -14}}
    for event_type, data in Timeline.decide_create("p-1", 'Näme "x"', output):
        made.evolve(event_type, data)
    empty = made.__copy__()
    for event_type, data in made.decide(EDITS, MEDIA):
        made.evolve(event_type, data)
    undone = made.__copy__()
    for event_type, data in undone.decide_undo(1):
        undone.evolve(event_type, data)
    forked = Timeline()
    for event_type, data in Timeline.decide_fork("p-2", "fork", "p-1", made.version, made):
        forked.evolve(event_type, data)
    return [empty, made, undone, forked]


def _same(stored: bytes, built: dict[str, Any]) -> None:
    decoded = msgspec.json.decode(stored)
    assert decoded == built
    assert json.dumps(decoded) == json.dumps(built)  # the keys' order too


@pytest.mark.parametrize("timeline", _timelines(), ids=["empty", "edited", "undone", "forked"])
def test_json_documents_equal_the_python_ones(timeline: Timeline) -> None:
    version, at = timeline.version, "2024-05-06T07:08:09.123456+00:00"
    _same(
        project_document_json(timeline, version, at),
        project_document(timeline.state(), version, at),
    )
    _same(
        timeline_document_json("p-1", timeline, version),
        timeline_document("p-1", version, timeline.layout()),
    )


def test_state_and_layout_json_equal_the_python_views() -> None:
    for timeline in _timelines():
        _same(timeline.state_json(), timeline.state())
        _same(timeline.layout_json(), timeline.layout())
