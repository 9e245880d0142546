"""The dispatcher: follows the log and turns RenderRequested events into job messages.

With the embedded broker the messages and the dispatcher's tracking position commit in
one transaction (exactly-once enqueue). The Redis broker makes this at-least-once (see
``redis_broker``), which the idempotent actors tolerate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.utils import get_topic

from stoat.domain.render_job import RenderJob
from stoat.domain.scan import LibraryScan
from stoat.domain.video import VIDEO_CONTENT_EVENTS
from stoat.observability.context import message_for
from stoat.projections.follower import LogFollower
from stoat.projections.views import APPLICATION_NAME
from stoat.workers.broker import ApswBroker
from stoat.workers.redis_broker import RedisJobBroker

if TYPE_CHECKING:
    from collections.abc import Sequence

    import dramatiq
    from eventsourcing.persistence import ApplicationRecorder, Notification

JobBroker = ApswBroker | RedisJobBroker
"""The brokers Stoat runs on: both keep the dispatchers' positions."""

RENDER_TOPICS = (get_topic(RenderJob.RenderRequested),)


def render_dispatcher(
    recorder: ApplicationRecorder, broker: JobBroker, render_actor: dramatiq.Actor[..., None]
) -> LogFollower:
    def position() -> int:
        return broker.max_tracking_id(APPLICATION_NAME) or 0

    def handle(notifications: Sequence[Notification]) -> None:
        # The request id that asked for the render goes along, into the worker's logs.
        messages = [message_for(render_actor, n) for n in notifications]
        broker.enqueue_with_tracking(messages, APPLICATION_NAME, notifications[-1].id)

    return LogFollower(
        "stoat-dispatcher", recorder, position=position, handle=handle, topics=RENDER_TOPICS
    )


# -- the media library: scans and derived media (thumbnails, waveforms, proxies) ----------

LIBRARY_TRACKING = "stoat-library"
"""The library dispatcher's tracking name in the broker (apart from the renders')."""


def library_dispatcher(
    recorder: ApplicationRecorder,
    broker: JobBroker,
    *,
    scan_actor: dramatiq.Actor[..., None],
    assets_actor: dramatiq.Actor[..., None] | None,
) -> LogFollower:
    """Enqueues a scan job per ``ScanRequested`` and, unless ``assets_actor`` is None,
    an asset job per import or update of a video, exactly once."""
    scan_topic = get_topic(LibraryScan.ScanRequested)
    topics = [scan_topic]
    if assets_actor is not None:
        topics += [get_topic(cls) for cls in VIDEO_CONTENT_EVENTS]

    def position() -> int:
        return broker.max_tracking_id(LIBRARY_TRACKING) or 0

    def handle(notifications: Sequence[Notification]) -> None:
        messages = [
            message_for(scan_actor, n)
            if n.topic == scan_topic or assets_actor is None
            else message_for(assets_actor, n)
            for n in notifications
        ]
        broker.enqueue_with_tracking(messages, LIBRARY_TRACKING, notifications[-1].id)

    return LogFollower(
        "stoat-library-dispatcher", recorder, position=position, handle=handle, topics=topics
    )
