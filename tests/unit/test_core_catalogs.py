"""The schema and catalogs the core generates, checked against the reader that validates.

``_validate`` is a small JSON Schema (draft 2020-12) checker for the keywords the core
emits; every example must pass both it and the Rust reader, and generated edits must be
accepted by the schema exactly when the reader finds no structural problem.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stoat import _core
from stoat._core import Timeline, ValidationError

# Codes for problems a schema can describe; the others depend on the project's state or
# on rules across fields (even sizes, one of path or cues, ...).
STRUCTURAL = {
    "wrong_type",
    "missing_field",
    "unknown_field",
    "unknown_op",
    "value_out_of_range",
    "invalid_choice",
    "color_invalid",
    "list_too_short",
    "list_too_long",
    "string_blank",
    "string_too_long",
    "invalid_id",
    "file_type_invalid",
    "path_invalid",
    "fps_invalid",
    "fps_out_of_range",
}

SCHEMA = _core.edit_schema()


def _type_ok(expected: str, value: Any) -> bool:
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
    }
    return checks[expected](value)


def _validate(schema: dict[str, Any], value: Any, root: dict[str, Any] = SCHEMA) -> bool:  # noqa: C901
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        if not _validate(root["$defs"][name], value, root):
            return False
    if "type" in schema and not _type_ok(schema["type"], value):
        return False
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get(
            "maxLength", math.inf
        ):
            return False
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", math.inf):
            return False
        if "items" in schema and not all(_validate(schema["items"], v, root) for v in value):
            return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if any(key not in value for key in schema.get("required", [])):
            return False
        for key, item in value.items():
            if key in properties:
                if not _validate(properties[key], item, root):
                    return False
            elif schema.get("additionalProperties") is False:
                return False
    if "oneOf" in schema and sum(_validate(s, value, root) for s in schema["oneOf"]) != 1:
        return False
    return "anyOf" not in schema or any(_validate(s, value, root) for s in schema["anyOf"])


def _reader_codes(edit: Any) -> set[str]:
    """The structural problems the Rust reader finds in one edit (on an empty project)."""
    timeline = Timeline()
    for event_type, data in Timeline.decide_create("p", "P", {}):
        timeline.evolve(event_type, data)
    try:
        timeline.decide([edit], {})
    except ValidationError as error:
        codes: set[str] = {item["code"] for item in error.errors()}
        return codes & STRUCTURAL
    return set()


def _examples() -> list[dict[str, Any]]:
    examples = [op["examples"][0] for op in SCHEMA["oneOf"]]
    examples += [entry["example"] for entry in _core.effects_catalog()]
    examples += [entry["example"] for entry in _core.layouts_catalog()]
    examples += [entry["example"] for entry in _core.output_presets()]
    examples += [e["example"] for e in _core.transitions_catalog(_core.FFMPEG_TRANSITIONS)]
    return examples


def test_the_schema_is_one_of_the_ops() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert [op["title"] for op in SCHEMA["oneOf"]] == _core.EDIT_OPS
    for op in SCHEMA["oneOf"]:
        assert op["description"], op["title"]
        assert op["ai_hint"], op["title"]
    assert set(SCHEMA["$defs"]) == {"color", "effect", "screen_layout"}
    transition = SCHEMA["oneOf"][_core.EDIT_OPS.index("set_transition")]
    assert transition["properties"]["name"]["enum"] == _core.FFMPEG_TRANSITIONS
    limited = _core.edit_schema(["fade", "custom"])
    transition = limited["oneOf"][_core.EDIT_OPS.index("set_transition")]
    assert transition["properties"]["name"]["enum"] == ["fade"]


@pytest.mark.parametrize("example", _examples(), ids=lambda e: str(e.get("op")))
def test_every_example_passes_the_schema_and_the_reader(example: dict[str, Any]) -> None:
    assert _validate(SCHEMA, example), example
    assert _reader_codes(example) == set(), example


def test_catalogs_describe_every_type() -> None:
    effects = _core.effects_catalog()
    assert [e["type"] for e in effects] == _core.EFFECT_TYPES
    blur = next(e for e in effects if e["type"] == "blur")
    assert blur["parameters"]["properties"]["sigma"]["maximum"] == 100.0
    assert blur["defaults"] == {"sigma": 5.0}
    text = next(e for e in effects if e["type"] == "text")
    assert text["defaults"]["style"]["color"] == "#FFFFFF"
    assert "$defs" in text["parameters"]
    assert {e["applies_to"] for e in effects} == {"video", "audio", "video_and_audio"}
    layouts = _core.layouts_catalog()
    assert [(layout["type"], layout["grid"]) for layout in layouts][:2] == [
        ("pip", None),
        ("side_by_side", {"columns": 2, "rows": 1}),
    ]
    transitions = _core.transitions_catalog(["fade", "wipeleft", "custom", "future"])
    assert [(t["name"], t["family"]) for t in transitions] == [
        ("fade", "fade"),
        ("wipeleft", "wipeleft"),
        ("future", None),
    ]
    presets = {(p["name"], p["width"], p["height"]) for p in _core.output_presets()}
    assert presets == {
        ("16:9", 1920, 1080),
        ("9:16", 1080, 1920),
        ("1:1", 1080, 1080),
        ("4:5", 1080, 1350),
    }


@pytest.mark.parametrize(
    "edit",
    [
        {"op": "add_clip", "source": "/a.mp4", "speed": 5},
        {"op": "add_clip", "source": "/a.mp4", "clip_id": None},
        {"op": "add_clip", "kind": "color", "color": "Red", "duration": 1},
        {"op": "set_output", "background": "#fff"},
        {"op": "add_effect", "clip_id": "c", "type": "blur", "params": {"sigma": -1}},
        {"op": "add_effect", "clip_id": "c", "type": "sparkle"},
        {"op": "add_effect", "clip_id": "c", "type": "lut", "params": {"path": "/a.png"}},
        {
            "op": "set_keyframes",
            "clip_id": "c",
            "property": "x",
            "keyframes": [{"time": 0, "value": 1, "easing": "bounce"}],
        },
        {"op": "set_layout", "layout": {"type": "grid_2x2", "regions": ["a"] * 5}},
        {"op": "update_track", "track_id": "t", "colour": "red"},
    ],
)
def test_schema_and_reader_refuse_the_same_mistakes(edit: dict[str, Any]) -> None:
    assert not _validate(SCHEMA, edit)
    assert _reader_codes(edit)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(-2, 3000, allow_nan=False).filter(lambda f: f == 0 or abs(f) > 1e-3),
    st.sampled_from(["", " ", "x", "red", "#FF000080", "#fff", "30000/1001", "ease_in", "fade"]),
    st.lists(st.sampled_from(["a", "b", 1]), max_size=3),
)


@st.composite
def _edits(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(SCHEMA["oneOf"]))
    variant = draw(st.sampled_from(op.get("oneOf", [op])))
    properties: dict[str, Any] = variant["properties"]
    edit: dict[str, Any] = {"op": op["title"]}
    for key, schema in properties.items():
        if key != "op" and draw(st.booleans()):
            const = schema.get("const")
            edit[key] = const if const is not None and draw(st.booleans()) else draw(_values)
    if draw(st.booleans()):
        edit[draw(st.sampled_from(["extra", "colour"]))] = 1
    return edit


@settings(max_examples=300, deadline=None)
@given(_edits())
def test_the_schema_accepts_exactly_what_the_reader_reads(edit: dict[str, Any]) -> None:
    assert _validate(SCHEMA, edit) == (not _reader_codes(edit)), edit


def test_ease_and_value_at() -> None:
    assert _core.ease("ease_in_quad", 0.5) == 0.25
    assert _core.ease("ease_in", 0.5) == 0.125
    assert _core.ease("hold", 0.999) == 0.0
    with pytest.raises(ValidationError) as caught:
        _core.ease("bounce", 0.5)
    assert [(e["code"], e["loc"]) for e in caught.value.errors()] == [("invalid_choice", ("name",))]
    keyframes: list[dict[str, Any]] = [
        {"time": 0, "value": 0},
        {"time": 2, "value": 1, "easing": "hold"},
        {"time": 4, "value": 0.5},
    ]
    assert _core.value_at(keyframes, 1.0) == 0.5
    assert _core.value_at(keyframes, 3.0) == 1.0
    assert _core.value_at(keyframes, 9.0) == 0.5
    assert _core.value_at([], 1.0) is None
    with pytest.raises(ValidationError) as bad:
        _core.value_at([{"time": 1, "value": 0}, {"time": 0.5, "value": 0}], 0)
    assert [(e["code"], e["loc"]) for e in bad.value.errors()] == [
        ("keyframes_not_increasing", ("keyframes", 1, "time"))
    ]
