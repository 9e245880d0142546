"""Edits made through the commands directly (no HTTP), for tests of the command layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stoat.commands import projects as commands
from stoat.domain.context import system_context

if TYPE_CHECKING:
    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext

CONTEXT = system_context("test")


def colour_clip(clip_id: str, seconds: float = 1.0, **extra: Any) -> dict[str, Any]:
    """An ``add_clip`` of a red colour clip."""
    return {
        "op": "add_clip",
        "kind": "color",
        "clip_id": clip_id,
        "color": "red",
        "duration": seconds,
        **extra,
    }


def keyed(key: str | None) -> EventContext:
    """The test context, with an Idempotency-Key (its request fingerprint is the key)."""
    return CONTEXT if key is None else {**CONTEXT, "idempotency_key": key, "request_hash": key}


def edit(
    app: StoatApplication,
    project_id: str,
    edits: list[dict[str, Any]],
    *,
    expected_version: int | None = None,
    key: str | None = None,
) -> WriteResult:
    """``edit_project`` with a batch that names no file (so nothing is probed)."""
    return commands.edit_project(
        app,
        None,  # type: ignore[arg-type]
        [],
        project_id=project_id,
        edits=edits,
        expected_version=expected_version,
        transitions=[],
        context=keyed(key),
    )
