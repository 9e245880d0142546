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


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    preset: str = "h264_aac"
    version: Version | None = None
