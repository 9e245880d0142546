"""Request bodies at the HTTP edge.

Edits are passed to the Rust core exactly as the agent sent them: the core reads the
wire format (seconds, colour strings, rationals), checks every field and rule, and
publishes the JSON Schema of the edits, which the OpenAPI document embeds (see
:mod:`stoat.http.openapi`). One definition serves both, so they cannot drift.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

Version = Annotated[int, msgspec.Meta(ge=1)]


class CreateProject(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    output: dict[str, Any] = msgspec.field(default_factory=dict)


class EditBatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Edits applied atomically, in order: all of their events, or none."""

    edits: list[dict[str, Any]]
    expected_version: Version | None = None


class Steps(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How many edit batches to undo or redo."""

    steps: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    expected_version: Version | None = None


class Restore(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Append a new version whose state equals ``version``."""

    version: Version
    expected_version: Version | None = None


class Fork(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Start a new project from this one at ``version`` (default: the current one)."""

    version: Version | None = None
    name: str | None = None


class RenderRange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A part of the timeline, in seconds."""

    start: float = 0.0
    end: float | None = None


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A render of the project; GET /v1/presets lists each preset's parameters. The Rust
    compiler checks every value (a 422 names the field)."""

    preset: str = "h264_aac"
    version: Version | None = None
    range: RenderRange | None = None
    width: int | None = None
    height: int | None = None
    fps: str | int | None = None
    quality: str | None = None
    crf: int | None = None
    time: Annotated[float | None, msgspec.Meta(description="Poster frames: seconds")] = None
    count: Annotated[int | None, msgspec.Meta(description="Thumbnails: how many")] = None
    video_encoder: str | None = None

    def options(self) -> dict[str, Any]:
        """The compiler's options: everything set except the preset and the version."""
        raw = msgspec.to_builtins(self)
        if isinstance(raw.get("range"), dict):
            raw["range"] = {k: v for k, v in raw["range"].items() if v is not None}
        skip = {"preset", "version"}
        return {key: value for key, value in raw.items() if key not in skip and value is not None}
