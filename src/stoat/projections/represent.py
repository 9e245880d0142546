"""The JSON documents the API serves, built from Rust state: seconds, not microseconds.

Both the projections (current state) and the version queries (past state, replayed
from the log) use these functions, so the two can never disagree on shape.
"""

from __future__ import annotations

from typing import Any

from stoat.timecode import to_seconds


def project_document(state: dict[str, Any], version: int, modified_at: str) -> dict[str, Any]:
    return {
        "id": state["project_id"],
        "name": state["name"],
        "version": version,
        "output": state["output"],
        "clips": [clip_document(clip) for clip in state["clips"]],
        "modified_at": modified_at,
    }


def clip_document(clip: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": clip["id"],
        "source": clip["source"],
        "in": to_seconds(clip["in"]),
        "out": to_seconds(clip["out"]),
        "source_duration": to_seconds(clip["media"]["duration"]),
    }


def timeline_document(project_id: str, version: int, layout: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "version": version,
        "duration": to_seconds(layout["duration"]),
        "frames": layout["frames"],
        "clips": [
            {
                "id": placed["id"],
                "source": placed["source"],
                "in": to_seconds(placed["in"]),
                "out": to_seconds(placed["out"]),
                "start": to_seconds(placed["start"]),
                "end": to_seconds(placed["end"]),
                "duration": to_seconds(placed["duration"]),
                "frame_start": placed["frame_start"],
                "frame_count": placed["frame_count"],
            }
            for placed in layout["clips"]
        ],
    }
