"""The JSON documents the API serves, built from the Rust core's views of a timeline.

Both the projections (current state) and the version queries (past state, replayed
from the log) use these functions, so the two never disagree on shape. The Rust views
are already in seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from stoat._core import Timeline


def project_document(state: dict[str, Any], version: int, modified_at: str) -> dict[str, Any]:
    document = {key: value for key, value in state.items() if key != "project_id"}
    return {"id": state["project_id"], **document, "version": version, "modified_at": modified_at}


def timeline_document(project_id: str, version: int, layout: dict[str, Any]) -> dict[str, Any]:
    return {"project_id": project_id, "version": version, **layout}


def clip_count(document: dict[str, Any]) -> int:
    return sum(len(track["clips"]) for track in document.get("tracks", []))


def project_document_json(timeline: Timeline, version: int, modified_at: str) -> bytes:
    """:func:`project_document` of the timeline at ``version``, as JSON: spliced from
    :meth:`Timeline.state_json` (``project_id`` first, renamed ``id``), which is several
    times cheaper than building the state as Python objects and encoding those."""
    state = timeline.state_json()
    if timeline.version != version or not state.startswith(_PROJECT_ID):
        return msgspec.json.encode(project_document(timeline.state(), version, modified_at))
    return b"".join(
        (b'{"id":', state[len(_PROJECT_ID) : -1], _MODIFIED_AT, _encode(modified_at), b"}")
    )


def timeline_document_json(project_id: str, timeline: Timeline, version: int) -> bytes:
    """:func:`timeline_document` of the timeline at ``version``, as JSON (from
    :meth:`Timeline.layout_json`)."""
    head = b'{"project_id":%b,"version":%d,' % (_encode(project_id), version)
    return head + timeline.layout_json()[1:]


_PROJECT_ID = b'{"project_id":'
_MODIFIED_AT = b',"modified_at":'
_encode = msgspec.json.encode
