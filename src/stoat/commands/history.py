"""A project's history (one entry per edit batch) and the diff between two versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stoat._core import Timeline
from stoat.commands.projects import load_project
from stoat.errors import Rejected

if TYPE_CHECKING:
    from stoat.commands.application import StoatApplication


def project_history(
    app: StoatApplication, project_id: str, *, after: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], int | None]:
    """Entries for the versions after ``after``, oldest first; the next cursor or None.

    One entry per batch: the events one request appended together (an edit batch, an
    undo, a restore), with who, when, the request id and a one-line summary.
    """
    project = load_project(app, project_id)
    entries: list[dict[str, Any]] = []
    event: Any
    for event in app.events.get(project.id, gt=after):
        context = getattr(event, "context", {}) or {}
        batch = event.data.get("batch") or {"index": 0, "size": 1}
        if batch["index"] == 0 or not entries:
            if len(entries) == limit:
                return entries, entries[-1]["version"]
            entries.append(_entry(event, context))
        entry = entries[-1]
        entry["version"] = event.originator_version
        entry["events"].append(type(event).__name__)
        entry["changes"].append(Timeline.summarize(type(event).__name__, event.data))
    for entry in entries:
        entry["summary"] = "; ".join(entry["changes"])
    return entries, None


def _entry(event: Any, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "from_version": event.originator_version,
        "version": event.originator_version,
        "time": event.timestamp.isoformat(),
        "actor": context.get("actor"),
        "actor_name": context.get("actor_name"),
        "request_id": context.get("request_id"),
        "summary": "",
        "events": [],
        "changes": [],
    }


def project_diff(
    app: StoatApplication, project_id: str, from_version: int, to_version: int | None
) -> dict[str, Any]:
    """What changed from ``from_version`` to ``to_version`` (default: current)."""
    current = load_project(app, project_id)
    target = current.version if to_version is None else to_version
    for version in (from_version, target):
        if not 1 <= version <= current.version:
            raise Rejected.version_out_of_range(project_id, version, current.version)
    before = load_project(app, project_id, from_version)
    after = current if target == current.version else load_project(app, project_id, target)
    return {
        "project_id": project_id,
        "from": from_version,
        "to": target,
        "changes": before.timeline.diff(after.timeline),
    }
