"""The compiled ``stoat._core`` against its stub, and its behaviour through Python."""

from __future__ import annotations

import ast
import copy
import os
import pickle
import typing
from pathlib import Path
from typing import Any

import pytest

import stoat
from stoat import _core
from stoat._core import Timeline, ValidationError, check_path, progress

STUB = Path(stoat.__file__).parent / "_core.pyi"

SECOND = 1_000_000
OUTPUT = {"width": 1280, "height": 720, "fps": "30000/1001"}
MEDIA: dict[str, dict[str, Any]] = {
    "/media/a.mp4": {"duration": 10 * SECOND, "has_video": True, "has_audio": True},
    "/media/b.mov": {"duration": 12_500_000, "has_video": True, "has_audio": False},
    "/media/song.wav": {"duration": 60 * SECOND, "has_video": False, "has_audio": True},
}


# --- the stub against the module ---------------------------------------------------------


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(), filename=str(STUB))


def _is_type_only(node: ast.stmt) -> bool:
    """Type aliases and TypedDicts exist for type checkers only."""
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.annotation, ast.Name) and node.annotation.id == "TypeAlias"
    if isinstance(node, ast.ClassDef):
        return any(isinstance(base, ast.Name) and base.id == "TypedDict" for base in node.bases)
    return False


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _stub_runtime_names() -> set[str]:
    names = set()
    for node in _stub_tree().body:
        name = _defined_name(node)
        if name is not None and not _is_type_only(node):
            names.add(name)
    return names


def _stub_class_members(class_name: str) -> set[str]:
    for node in _stub_tree().body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {
                name
                for item in node.body
                if (name := _defined_name(item)) is not None and not name.startswith("_")
            }
    raise AssertionError(f"{class_name} is not in the stub")


def _stub_type_aliases() -> dict[str, Any]:
    """Evaluates the stub's imports and type aliases (only those: a stub is not meant to run)."""
    body: list[ast.stmt] = [
        node
        for node in _stub_tree().body
        if isinstance(node, ast.Import | ast.ImportFrom)
        or (isinstance(node, ast.AnnAssign) and _is_type_only(node))
    ]
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(STUB), "exec"), namespace)
    return namespace


def _stub_all() -> list[str]:
    for node in _stub_tree().body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__all__"]:
            names: list[str] = ast.literal_eval(node.value)
            return names
    raise AssertionError("the stub has no __all__")


def test_stub_declares_exactly_the_module_exports() -> None:
    public = {name for name in dir(_core) if not name.startswith("_")} | {"__version__"}
    assert _stub_runtime_names() == public
    assert sorted(_core.__all__) == sorted(_stub_all())
    assert set(_core.__all__) == public


@pytest.mark.parametrize("class_name", ["Timeline", "ValidationError"])
def test_stub_classes_declare_exactly_the_public_members(class_name: str) -> None:
    runtime = getattr(_core, class_name)
    inherited = set(dir(ValueError)) if issubclass(runtime, ValueError) else set(dir(object))
    public = {name for name in dir(runtime) if not name.startswith("_")} - inherited
    assert _stub_class_members(class_name) == public


def test_error_codes_equal_the_stub_literal() -> None:
    declared = typing.get_args(_stub_type_aliases()["ErrorCode"])
    assert list(declared) == _core.ERROR_CODES
    assert len(set(_core.ERROR_CODES)) == len(_core.ERROR_CODES)


def test_event_types_equal_the_stub_literal() -> None:
    assert list(typing.get_args(_stub_type_aliases()["EventType"])) == _core.EVENT_TYPES
    assert len(_core.EVENT_TYPES) == 21
    assert _core.EVENT_TYPES[:2] == ["ProjectCreated", "OutputSet"]


def test_exports_plain_data() -> None:
    assert _core.__version__ == "0.1.0"
    assert _core.EDIT_OPS == [
        "set_output",
        "add_track",
        "update_track",
        "remove_track",
        "add_clip",
        "update_clip",
        "remove_clip",
        "move_clip",
        "add_effect",
        "update_effect",
        "remove_effect",
        "set_transition",
        "remove_transition",
        "set_keyframes",
        "set_layout",
    ]
    assert _core.RENDER_PRESETS[0] == "h264_aac"
    assert [p["name"] for p in _core.render_presets()] == _core.RENDER_PRESETS
    trial = _core.encoder_trial_argv("h264_nvenc")
    assert trial[-5:] == ["-c:v", "h264_nvenc", "-f", "null", "-"]
    assert _core.SNAPSHOT_VERSION == 2
    assert len(_core.FFMPEG_TRANSITIONS) == 46
    assert _core.LAYOUT_TYPES == ["pip", "side_by_side", "top_bottom", "grid_2x2", "grid_3x3"]


# --- behaviour ---------------------------------------------------------------------------


def _created(project_id: str = "demo") -> Timeline:
    timeline = Timeline()
    for event_type, data in Timeline.decide_create(project_id, "Demo", OUTPUT):
        timeline.evolve(event_type, data)
    return timeline


def _apply(timeline: Timeline, events: list[tuple[str, dict[str, Any]]]) -> None:
    for event_type, data in events:
        timeline.evolve(event_type, data)


def _edit(timeline: Timeline, edits: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    events = timeline.decide(edits, MEDIA)
    _apply(timeline, events)
    return events


def _codes_and_locs(error: ValidationError) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(item["code"], item["loc"]) for item in error.errors()]


def _with_three_clips() -> Timeline:
    timeline = _created()
    _edit(
        timeline,
        [
            {"op": "add_clip", "source": "/media/a.mp4", "in": 0, "out": 4},
            {"op": "add_clip", "source": "/media/b.mov", "in": 1, "out": 3.5},
            {"op": "add_clip", "clip_id": "intro", "source": "/media/a.mp4", "out": 1, "index": 0},
        ],
    )
    return timeline


def test_create_returns_the_event_and_evolve_builds_the_state() -> None:
    ((event_type, data),) = Timeline.decide_create("demo", "Demo", OUTPUT)
    assert event_type == "ProjectCreated"
    assert data["output"] == {
        "width": 1280,
        "height": 720,
        "fps": "30000/1001",
        "sample_rate": 48000,
        "background": "#000000",
    }
    assert [track["id"] for track in data["tracks"]] == ["video-1"]
    state = _created().state()
    assert (state["project_id"], state["version"], state["can_undo"]) == ("demo", 1, 0)
    assert state["output"]["loudness"] is None
    assert state["tracks"][0]["clips"] == []


def test_create_reports_every_bad_setting() -> None:
    output = {"width": 1921, "height": 720, "fps": "29.97", "sample_rate": 44000}
    with pytest.raises(ValidationError) as caught:
        Timeline.decide_create("bad id", " ", output)
    assert _codes_and_locs(caught.value) == [
        ("invalid_id", ("project_id",)),
        ("string_blank", ("name",)),
        ("fps_invalid", ("output", "fps")),
        ("dimension_invalid", ("output", "width")),
        ("sample_rate_unsupported", ("output", "sample_rate")),
    ]


def test_edits_in_seconds_events_in_microseconds_state_in_seconds() -> None:
    timeline = _with_three_clips()
    assert timeline.version == 4
    clips = timeline.state()["tracks"][0]["clips"]
    assert [(c["id"], c["in"], c["out"]) for c in clips] == [
        ("intro", 0.0, 1.0),
        ("clip-1", 0.0, 4.0),
        ("clip-2", 1.0, 3.5),
    ]
    trimmed = _edit(timeline, [{"op": "update_clip", "clip_id": "clip-1", "out": 2.000_000_4}])
    assert trimmed == [
        (
            "ClipTrimmed",
            {
                "clip_id": "clip-1",
                "in": 0,
                "out": 2 * SECOND,
                "previous_in": 0,
                "previous_out": 4 * SECOND,
                "batch": {"index": 0, "size": 1},
            },
        )
    ]
    layout = timeline.layout()
    placed = layout["tracks"][0]["clips"]
    assert [(c["id"], c["start"], c["end"]) for c in placed] == [
        ("intro", 0.0, 1.0),
        ("clip-1", 1.0, 3.0),
        ("clip-2", 3.0, 5.5),
    ]
    # 30000/1001 fps: boundaries round(29.97), round(89.91), round(164.835)
    assert [(c["frame_start"], c["frame_count"]) for c in placed] == [(0, 30), (30, 60), (90, 75)]
    assert (layout["duration"], layout["duration_us"], layout["frames"]) == (5.5, 5_500_000, 165)


def test_a_batch_with_two_bad_edits_reports_both_and_changes_nothing() -> None:
    timeline = _with_three_clips()
    before = timeline.state()
    edits: list[dict[str, Any]] = [
        {"op": "add_clip", "source": "/media/b.mov", "in": 0, "out": 13},
        {"op": "remove_clip", "clip_id": "intro"},
        {"op": "update_clip", "clip_id": "intro", "in": 0},
        {"op": "add_effect", "clip_id": "clip-1", "type": "blur", "params": {"sigma": 1000}},
    ]
    with pytest.raises(ValidationError) as caught:
        timeline.decide(edits, MEDIA)
    assert _codes_and_locs(caught.value) == [
        ("out_beyond_duration", ("edits", 0, "out")),
        ("clip_not_found", ("edits", 2, "clip_id")),
        ("value_out_of_range", ("edits", 3, "params", "sigma")),
    ]
    first = caught.value.errors()[0]
    assert first["hint"] == "out must be at most 12.5 s, the source's duration"
    assert first["ctx"] == {"out": 13.0, "max": 12.5}, "times in the context are seconds"
    assert caught.value.errors()[1]["ctx"]["existing"] == ["clip-1", "clip-2"]
    assert timeline.state() == before


def test_malformed_edits_are_errors_not_crashes() -> None:
    timeline = _created()
    edits: list[Any] = [
        {"op": "explode"},
        {"source": "/media/a.mp4"},
        {"op": "add_clip", "source": "/media/a.mp4", "in": "0", "colour": "red"},
        "remove_clip",
        {"op": "add_clip", "source": "/media/song.wav"},
        {"op": "add_clip", "source": "/media/a.mp4", "in": 0, "out": 10**30},
        {"op": "add_clip", "source": "/media/a.mp4", "out": float("nan")},
    ]
    with pytest.raises(ValidationError) as caught:
        timeline.decide(edits, MEDIA)
    assert _codes_and_locs(caught.value) == [
        ("unknown_op", ("edits", 0, "op")),
        ("missing_field", ("edits", 1, "op")),
        ("wrong_type", ("edits", 2, "in")),
        ("unknown_field", ("edits", 2, "colour")),
        ("wrong_type", ("edits", 3)),
        ("no_suitable_track", ("edits", 4, "track_id")),
        ("wrong_type", ("edits", 5)),
        ("wrong_type", ("edits", 6, "out")),
    ]
    with pytest.raises(ValidationError) as empty:
        timeline.decide([], MEDIA)
    assert _codes_and_locs(empty.value) == [("empty_batch", ("edits",))]


def test_env_names_the_checked_files_and_the_transitions() -> None:
    timeline = _with_three_clips()
    env = {"files": {"/in/../media/a.mp4": "/media/a.mp4"}, "transitions": ["fade"]}
    edits = [
        {"op": "add_clip", "source": "/in/../media/a.mp4", "out": 1},
        {"op": "add_clip", "source": "/media/b.mov", "out": 1},
        {
            "op": "set_transition",
            "from_clip_id": "intro",
            "to_clip_id": "clip-1",
            "name": "wipeleft",
            "duration": 0.5,
        },
    ]
    with pytest.raises(ValidationError) as caught:
        timeline.decide(edits, MEDIA, env)
    assert _codes_and_locs(caught.value) == [
        ("file_unknown", ("edits", 1, "source")),
        ("invalid_choice", ("edits", 2, "name")),
    ]
    events = timeline.decide(edits[:1], MEDIA, env)
    assert events[0][1]["clip"]["source"] == "/media/a.mp4"
    with pytest.raises(ValueError, match="env"):
        timeline.decide(edits[:1], MEDIA, {"colour": 1})


def test_referenced_paths_before_deciding() -> None:
    edits: list[Any] = [
        {"op": "add_clip", "kind": "image", "source": "/m/logo.png", "duration": 2},
        {"op": "add_effect", "clip_id": "c", "type": "subtitles", "params": {"path": "/m/a.srt"}},
        "nonsense",
    ]
    assert _core.referenced_paths(edits) == [
        (("edits", 0, "source"), "/m/logo.png", "image"),
        (("edits", 1, "params", "path"), "/m/a.srt", "subtitles"),
    ]


def test_undo_redo_restore_and_fork() -> None:
    timeline = _with_three_clips()
    after_adds = timeline.state()
    _edit(timeline, [{"op": "remove_clip", "clip_id": "intro"}, {"op": "set_output", "fps": "25"}])
    assert timeline.state()["can_undo"] == 2

    undo = timeline.decide_undo()
    assert [(t, d["of_version"]) for t, d in undo] == [("EditsUndone", 6)]
    _apply(timeline, undo)
    state = timeline.state()
    assert state["tracks"] == after_adds["tracks"]
    assert (state["version"], state["can_undo"], state["can_redo"]) == (7, 1, 1)
    _apply(timeline, timeline.decide_redo(1))
    assert timeline.state()["output"]["fps"] == "25"
    with pytest.raises(ValidationError) as caught:
        timeline.decide_redo(1)
    assert _codes_and_locs(caught.value) == [("nothing_to_redo", ("steps",))]
    assert caught.value.errors()[0]["ctx"]["available"] == 0

    at_4 = _with_three_clips()
    restored = timeline.decide_restore(4, at_4)
    assert [t for t, _ in restored] == ["ProjectRestored"]
    _apply(timeline, restored)
    assert timeline.state()["tracks"] == after_adds["tracks"]
    assert timeline.diff(at_4)["changed"] is False
    with pytest.raises(ValidationError):
        timeline.decide_restore(99, at_4)

    forked = Timeline.decide_fork("copy", "Copy", "demo", 4, at_4)
    fork = Timeline()
    _apply(fork, forked)
    assert (fork.version, fork.state()["origin"]) == (1, {"project_id": "demo", "version": 4})
    assert fork.state()["tracks"] == at_4.state()["tracks"]


def test_diff_and_summaries() -> None:
    before = _with_three_clips()
    after = Timeline.from_snapshot(before.to_snapshot())
    events = _edit(
        after,
        [
            {"op": "update_clip", "clip_id": "clip-1", "speed": 2},
            {"op": "add_effect", "clip_id": "intro", "type": "grayscale"},
        ],
    )
    diff = before.diff(after)
    assert diff["clips"]["changed"] == {
        "clip-1": {
            "speed": {"before": 1.0, "after": 2.0},
            "timeline_duration": {"before": 4.0, "after": 2.0},
        }
    }
    assert [e["id"] for e in diff["effects"]["added"]] == ["effect-1"]
    assert [Timeline.summarize(t, d) for t, d in events] == [
        "Updated clip clip-1: speed",
        "Applied grayscale effect effect-1 to clip intro",
    ]
    with pytest.raises(ValueError, match="unknown event type"):
        Timeline.summarize("ClipExploded", {})


def test_uncreated_timeline_is_rejected() -> None:
    timeline = Timeline()
    with pytest.raises(ValidationError) as caught:
        timeline.decide([{"op": "remove_clip", "clip_id": "a"}], {})
    assert _codes_and_locs(caught.value) == [("project_not_created", ())]
    with pytest.raises(ValidationError):
        timeline.state()
    with pytest.raises(ValidationError):
        timeline.decide_undo()
    assert (timeline.clip_count, timeline.version) == (0, 0)


def test_bad_event_data_and_media_are_plain_value_errors() -> None:
    timeline = _created()
    with pytest.raises(ValueError, match="ClipTrimmed") as caught:
        timeline.evolve("ClipTrimmed", {"clip_id": 3})
    assert type(caught.value) is ValueError
    with pytest.raises(ValueError, match="unknown event type"):
        timeline.evolve("ClipExploded", {})
    with pytest.raises(ValueError, match="media"):
        timeline.decide([{"op": "remove_clip", "clip_id": "a"}], {"/x": {"duration": "long"}})


def test_validation_error_is_a_value_error_that_pickles() -> None:
    with pytest.raises(ValidationError) as caught:
        Timeline.decide_create("p", "", OUTPUT)
    error = caught.value
    assert isinstance(error, ValueError)
    assert type(error).__module__ == "stoat._core"
    assert "string_blank" in str(error)
    restored = pickle.loads(pickle.dumps(error))
    assert restored.errors() == error.errors()
    items = error.errors()
    items[0]["ctx"]["tampered"] = True
    assert "tampered" not in error.errors()[0]["ctx"]
    assert copy.copy(error).errors() == error.errors()


def test_snapshot_round_trip_keeps_history() -> None:
    timeline = _with_three_clips()
    restored = Timeline.from_snapshot(timeline.to_snapshot())
    assert restored.state() == timeline.state()
    assert restored.layout() == timeline.layout()
    assert restored.decide_undo() == timeline.decide_undo()
    assert Timeline.from_snapshot(Timeline().to_snapshot()).clip_count == 0
    with pytest.raises(ValueError, match="snapshot"):
        Timeline.from_snapshot(b"{}")
    with pytest.raises(ValueError, match="snapshot format 1"):
        Timeline.from_snapshot(b'{"version": 1, "timeline": null}')


def test_compile_render_argv() -> None:
    timeline = _with_three_clips()
    argv = timeline.compile_render({"output_path": "/renders/out.mp4", "preset": "h264_aac"})
    assert argv[0] == "ffmpeg"
    assert argv[-1] == "/renders/out.mp4"
    inputs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-i"]
    assert inputs == ["/media/a.mp4", "/media/a.mp4", "/media/b.mov"]
    seeks = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-ss"]
    assert seeks == ["0", "0", "1"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert "concat=n=3:v=1:a=0" in graph  # the three pictures, back to back
    assert "concat=n=2:v=0:a=1" in graph  # the two sounds; b.mov has none: silence after
    assert argv[argv.index("-map") + 1] in graph
    assert argv[argv.index("-map", argv.index("-map") + 1) + 1] in graph
    assert argv[argv.index("-r") + 1] == "30000/1001"

    scripted, graph_text = timeline.compile_render_script(
        {"output_path": "/renders/out.mp4", "preset": "h264_aac"}, "/renders/out.graph"
    )
    assert graph_text == graph
    assert scripted[scripted.index("-filter_complex_script") + 1] == "/renders/out.graph"
    with pytest.raises(ValidationError) as caught:
        timeline.compile_render({"output_path": "out.mp4", "preset": "flv"})
    assert _codes_and_locs(caught.value) == [
        ("unknown_preset", ("preset",)),
        ("path_invalid", ("output_path",)),
    ]
    with pytest.raises(ValidationError) as empty:
        _created().compile_render({"output_path": "/r/x.mp4", "preset": "h264_aac"})
    assert _codes_and_locs(empty.value) == [("timeline_empty", ())]
    _edit(timeline, [{"op": "add_effect", "clip_id": "intro", "type": "blur"}])
    blurred = timeline.compile_render({"output_path": "/r/x.mp4", "preset": "h264_aac"})
    assert "gblur=sigma=5" in blurred[blurred.index("-filter_complex") + 1]
    with pytest.raises(ValidationError) as out_of_range:
        timeline.compile_render(
            {"output_path": "/r/x.gif", "preset": "gif", "range": {"start": 99}}
        )
    assert _codes_and_locs(out_of_range.value) == [("value_out_of_range", ("range", "start"))]


def test_check_path(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    (media / "a.mp4").write_bytes(b"")
    neighbour = tmp_path / "media2"
    neighbour.mkdir()
    (neighbour / "b.mp4").write_bytes(b"")
    os.symlink(neighbour / "b.mp4", media / "link.mp4")
    roots = [str(media)]

    assert check_path(str(media / "sub" / ".." / "a.mp4"), roots) == str(
        (media / "a.mp4").resolve()
    )
    cases = {
        str(neighbour / "b.mp4"): "path_outside_roots",
        str(media / "link.mp4"): "path_outside_roots",
        str(media / "missing.mp4"): "path_not_found",
        "a.mp4": "path_invalid",
        "": "path_invalid",
    }
    for path, code in cases.items():
        with pytest.raises(ValidationError) as caught:
            check_path(path, roots)
        assert _codes_and_locs(caught.value) == [(code, ("path",))], path


def test_progress() -> None:
    assert progress(2_500_000, 10_000_000, 5_000_000) == (0.25, 15.0)
    assert progress(0, 10_000_000, 1_000_000) == (0.0, None)
    assert progress(20_000_000, 10_000_000, 1_000_000)[0] == 1.0
