"""The JSON documents the API serves, built from the Rust core's views of a timeline.

Both the projections (current state) and the version queries (past state, replayed
from the log) use these functions, so the two never disagree on shape. The Rust views
are already in seconds.
"""

from __future__ import annotations

from typing import Any


def project_document(state: dict[str, Any], version: int, modified_at: str) -> dict[str, Any]:
    document = {key: value for key, value in state.items() if key != "project_id"}
    return {"id": state["project_id"], **document, "version": version, "modified_at": modified_at}


def timeline_document(project_id: str, version: int, layout: dict[str, Any]) -> dict[str, Any]:
    return {"project_id": project_id, "version": version, **layout}


def clip_count(document: dict[str, Any]) -> int:
    return sum(len(track["clips"]) for track in document.get("tracks", []))
