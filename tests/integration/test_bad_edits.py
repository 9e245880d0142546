"""Every op, tried with missing, wrong-type, out-of-range values and unknown ids.

The cases come from the edit schema the server publishes (the Rust core's), so a new op
or field is covered without touching this file. Each bad edit gets a 422 naming the field,
and nothing is appended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from stoat import _core

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime

# A value of each JSON type; a field gets the first whose type it does not accept.
VALUES_BY_TYPE: dict[str, Any] = {
    "string": "soon",
    "number": 12345.5,
    "object": {"unexpected": 1},
    "array": ["unexpected"],
    "boolean": True,
}

# Examples for the clip kinds the schema gives none of.
KIND_EXAMPLES = {
    "color": {"op": "add_clip", "kind": "color", "color": "red", "duration": 1},
    "text": {"op": "add_clip", "kind": "text", "text": "Hello", "duration": 1},
}


def branches() -> list[dict[str, Any]]:
    """One schema per op and kind (add_clip and add_effect nest one branch per kind);
    a nested branch inherits its parent's examples."""
    found: list[dict[str, Any]] = []
    pending = list(_core.edit_schema()["oneOf"])
    while pending:
        branch = pending.pop(0)
        if "oneOf" in branch and "properties" not in branch:
            for inner in branch["oneOf"]:
                pending.append({"examples": branch.get("examples", []), **inner})
        else:
            found.append(branch)
    return found


# Ids the project fixture has, put into the schema's examples so that an example's own
# references resolve and only the field under test is wrong.
EXISTING_IDS = {
    "clip_id": "clip-1",
    "from_clip_id": "clip-1",
    "to_clip_id": "c1",
    "effect_id": "effect-1",
}


SOURCES: dict[str, str] = {}


def example_for(branch: dict[str, Any]) -> dict[str, Any]:
    selected = selectors(branch)
    candidates = [
        e
        for e in branch.get("examples", [])
        if all(e.get(k, v) == v for k, v in selected.items() if k != "op")
    ]
    if not candidates and selected.get("kind") in KIND_EXAMPLES:
        candidates = [KIND_EXAMPLES[selected["kind"]]]
    if not candidates and selected.get("op") == "add_effect":
        candidates = [
            e["example"] for e in _core.effects_catalog() if e["type"] == selected["type"]
        ]
    if not candidates:
        return {}
    example = {**candidates[0], **selected}
    if "source" in example:
        example["source"] = SOURCES.get(selected.get("kind", "media"), example["source"])
    for name, value in EXISTING_IDS.items():
        if name in example:
            example[name] = value
    if "track_id" in example:
        example["track_id"] = {
            "add_track": "fresh",
            "update_track": "music",
            "remove_track": "music",
        }.get(example["op"], "video-1")
    return example


def selectors(branch: dict[str, Any]) -> dict[str, Any]:
    """The constant fields that pick the branch: op, and kind or type where nested."""
    return {
        name: spec["const"]
        for name, spec in branch["properties"].items()
        if isinstance(spec, dict) and "const" in spec
    }


def types_of(spec: dict[str, Any]) -> set[str]:
    """The JSON types a property accepts; empty when the schema does not say."""
    if "type" in spec:
        kinds = spec["type"]
        return set(kinds) if isinstance(kinds, list) else {kinds}
    found: set[str] = set()
    for option in spec.get("anyOf", []) + spec.get("oneOf", []):
        found |= types_of(option)
    if "$ref" in spec or "enum" in spec or "const" in spec:
        found.add("string")  # colours, enums and other shared definitions are strings
    return found


def wrong_value(spec: dict[str, Any]) -> Any:
    allowed = types_of(spec)
    if "integer" in allowed:
        allowed.add("number")
    if not allowed:
        return None
    for kind, value in VALUES_BY_TYPE.items():
        if kind not in allowed:
            return value
    return None


CASES = [
    pytest.param(branch, id="-".join(str(v) for v in selectors(branch).values()))
    for branch in branches()
]


def post(client: TestClient[Litestar], project: str, edit: dict[str, Any]) -> Any:
    return client.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})


@pytest.fixture
def project(client: TestClient[Litestar], media_dir: Path) -> str:
    """A project with what the schema's examples refer to, and a colour clip c1."""
    SOURCES["media"] = str(media_dir / "red.mp4")
    created = client.post("/v1/projects", json={"name": "bad input"}).json()
    setup = [
        {"op": "add_clip", "clip_id": "clip-1", "source": str(media_dir / "red.mp4")},
        {"op": "add_clip", "kind": "color", "clip_id": "c1", "color": "red", "duration": 1},
        {"op": "add_track", "kind": "overlay", "track_id": "overlay-1"},
        {"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"},
        {"op": "add_track", "kind": "audio", "track_id": "music", "role": "music"},
        {"op": "add_effect", "clip_id": "clip-1", "effect_id": "effect-1", "type": "blur"},
    ]
    response = client.post(f"/v1/projects/{created['id']}/edits", json={"edits": setup})
    assert response.status_code == 200, response.text
    return str(created["id"])


def errors_at(response: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for error in response.json()["errors"]:
        found.setdefault(error["path"], set()).add(error["code"])
    return found


@pytest.mark.parametrize("branch", CASES)
def test_missing_wrong_type_and_out_of_range(
    client: TestClient[Litestar], runtime: Runtime, project: str, branch: dict[str, Any]
) -> None:
    before = runtime.services.app.recorder.max_notification_id()
    selected = selectors(branch)
    example = example_for(branch)
    if not example:
        pytest.skip(f"the schema has no example for {selected}")
    for name in branch.get("required", []):
        if name in selected:
            continue
        response = post(client, project, {k: v for k, v in example.items() if k != name})
        assert response.status_code == 422, (name, response.text)
        located = [
            codes
            for path, codes in errors_at(response).items()
            if path == f"edits[0].{name}" or path.startswith(f"edits[0].{name}.")
        ]
        assert any("missing_field" in codes for codes in located), (name, response.json())
    for name, spec in branch["properties"].items():
        if name in selected or not isinstance(spec, dict):
            continue
        value = wrong_value(spec)
        if value is not None:
            response = post(client, project, {**example, name: value})
            assert response.status_code == 422, (name, response.text)
            assert f"edits[0].{name}" in errors_at(response), (name, response.json())
        for bound, step in (("minimum", -1), ("maximum", 1)):
            if isinstance(spec.get(bound), int | float):
                response = post(client, project, {**example, name: spec[bound] + step * 1000})
                assert response.status_code == 422
                codes = errors_at(response).get(f"edits[0].{name}", set())
                assert "value_out_of_range" in codes, (name, bound, response.json())
    assert runtime.services.app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("edit", "path", "code"),
    [
        ({"op": "update_clip", "clip_id": "ghost", "duration": 1}, "clip_id", "clip_not_found"),
        ({"op": "remove_clip", "clip_id": "ghost"}, "clip_id", "clip_not_found"),
        ({"op": "move_clip", "clip_id": "ghost", "start": 1}, "clip_id", "clip_not_found"),
        ({"op": "update_track", "track_id": "ghost", "muted": True}, "track_id", "track_not_found"),
        ({"op": "remove_track", "track_id": "ghost"}, "track_id", "track_not_found"),
        (
            {"op": "add_effect", "clip_id": "ghost", "type": "grayscale"},
            "clip_id",
            "clip_not_found",
        ),
        (
            {"op": "update_effect", "effect_id": "ghost", "params": {}},
            "effect_id",
            "effect_not_found",
        ),
        ({"op": "remove_effect", "effect_id": "ghost"}, "effect_id", "effect_not_found"),
        (
            {"op": "set_transition", "from_clip_id": "c1", "to_clip_id": "ghost", "duration": 0.5},
            "to_clip_id",
            "clip_not_found",
        ),
        (
            {"op": "set_keyframes", "clip_id": "ghost", "property": "opacity", "keyframes": []},
            "clip_id",
            "clip_not_found",
        ),
        (
            {"op": "add_clip", "kind": "color", "color": "red", "duration": 1, "track_id": "ghost"},
            "track_id",
            "track_not_found",
        ),
    ],
)
def test_unknown_ids_are_named_with_the_ones_that_exist(
    client: TestClient[Litestar],
    runtime: Runtime,
    project: str,
    edit: dict[str, Any],
    path: str,
    code: str,
) -> None:
    before = runtime.services.app.recorder.max_notification_id()
    response = post(client, project, edit)
    assert response.status_code == 422
    error = next(e for e in response.json()["errors"] if e["path"] == f"edits[0].{path}")
    assert error["code"] == code
    assert error["hint"]
    assert runtime.services.app.recorder.max_notification_id() == before


def test_a_batch_reports_every_error_and_applies_none(
    client: TestClient[Litestar], runtime: Runtime, project: str
) -> None:
    before = runtime.services.app.recorder.max_notification_id()
    response = post(client, project, {"op": "remove_clip", "clip_id": "c1"})
    assert response.status_code == 200
    response = client.post(
        f"/v1/projects/{project}/edits",
        json={
            "edits": [
                {"op": "add_clip", "kind": "color", "color": "red", "duration": 1},
                {"op": "add_clip", "kind": "color", "color": "nope", "duration": -1},
                {"op": "remove_clip", "clip_id": "c1"},
            ]
        },
    )
    assert response.status_code == 422
    assert sorted(errors_at(response)) == [
        "edits[1].color",
        "edits[1].duration",
        "edits[2].clip_id",
    ]
    assert runtime.services.app.recorder.max_notification_id() == (before or 0) + 1
