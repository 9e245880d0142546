"""Request and response bodies at the HTTP edge: times in seconds, ids as strings.

These structs decode and type-check the JSON (unknown fields are refused); the Rust
core then checks every rule. Conversion to integer microseconds happens here, once.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from stoat.timecode import to_micros

Seconds = Annotated[float, msgspec.Meta(description="Seconds, exact to the microsecond")]


class OutputSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The project's output format."""

    width: int = 1920
    height: int = 1080
    fps: Annotated[str, msgspec.Meta(examples=["30", "30000/1001"])] = "30"
    sample_rate: int = 48000


class CreateProject(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    output: OutputSettings = msgspec.field(default_factory=OutputSettings)


class AddClip(msgspec.Struct, tag="add_clip", tag_field="op", forbid_unknown_fields=True):
    """Put a clip of ``source`` from ``in`` to ``out`` on the timeline."""

    source: Annotated[str, msgspec.Meta(description="A path inside an allowed media root")]
    in_: Seconds = msgspec.field(name="in")
    out: Seconds
    clip_id: str | None = None
    index: Annotated[int | None, msgspec.Meta(description="Insert before this clip")] = None


class UpdateClip(msgspec.Struct, tag="update_clip", tag_field="op", forbid_unknown_fields=True):
    """Trim a clip: change its ``in`` and/or ``out`` point."""

    clip_id: str
    in_: Seconds | None = msgspec.field(default=None, name="in")
    out: Seconds | None = None


class RemoveClip(msgspec.Struct, tag="remove_clip", tag_field="op", forbid_unknown_fields=True):
    clip_id: str


Edit = AddClip | UpdateClip | RemoveClip


class EditBatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Edits applied atomically, in order: all of their events, or none."""

    edits: list[Edit]
    expected_version: int | None = None


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    preset: str = "h264_aac"
    version: int | None = None


def core_edit(edit: Edit) -> dict[str, Any]:
    """The decider's form of an edit: microseconds, no unset fields."""
    raw = msgspec.to_builtins(edit)
    for key in ("in", "out"):
        if raw.get(key) is not None:
            raw[key] = to_micros(raw[key])
    return {key: value for key, value in raw.items() if value is not None}
