"""Stopping a render: cancel a queued one at once, ask a running one's worker to stop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stoat.commands.renders import load_render
from stoat.commands.results import WriteResult, write_result
from stoat.errors import Rejected, error_item

if TYPE_CHECKING:
    from stoat.commands.application import StoatApplication
    from stoat.domain.context import EventContext


def cancel_render(app: StoatApplication, render_id: str, context: EventContext) -> WriteResult:
    """RenderCancelled for a queued job; RenderCancelRequested for a running one.

    Asking again while a cancel is on its way appends nothing and answers the same.
    """
    job = load_render(app, render_id)
    if job.finished:
        raise Rejected(
            [
                error_item(
                    "render_finished",
                    ("render_id",),
                    f"render {render_id} is already {job.status}",
                    "only queued or running renders can be cancelled",
                    status=str(job.status),
                )
            ],
            title="The render has finished",
        )
    job.cancel(dict(context))
    recordings = app.save(job)
    if recordings:
        return write_result(render_id, recordings)
    position = app.recorder.max_notification_id() or 0
    return WriteResult(id=render_id, version=job.version, position=position, events=[])
