"""The dispatcher: follows the log and turns RenderRequested events into job messages.

With the embedded broker the messages and the dispatcher's tracking position commit in
one transaction (exactly-once enqueue). A Redis broker would make this at-least-once,
which the idempotent actors tolerate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.utils import get_topic

from stoat.domain.render_job import RenderJob
from stoat.projections.follower import LogFollower
from stoat.projections.views import APPLICATION_NAME

if TYPE_CHECKING:
    from collections.abc import Sequence

    import dramatiq
    from eventsourcing.persistence import ApplicationRecorder, Notification

    from stoat.workers.broker import ApswBroker

RENDER_TOPICS = (get_topic(RenderJob.RenderRequested),)


def render_dispatcher(
    recorder: ApplicationRecorder, broker: ApswBroker, render_actor: dramatiq.Actor[..., None]
) -> LogFollower:
    def position() -> int:
        return broker.max_tracking_id(APPLICATION_NAME) or 0

    def handle(notifications: Sequence[Notification]) -> None:
        messages = [render_actor.message(str(n.originator_id)) for n in notifications]
        broker.enqueue_with_tracking(messages, APPLICATION_NAME, notifications[-1].id)

    return LogFollower(
        "stoat-dispatcher", recorder, position=position, handle=handle, topics=RENDER_TOPICS
    )
