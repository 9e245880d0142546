"""GET /metrics: the Prometheus text exposition (open, no key needed)."""

from __future__ import annotations

from litestar import Response, get

from stoat.http.context import ServicesDep
from stoat.observability.metrics import CONTENT_TYPE_LATEST, Sampler, exposition, queues_of


@get("/metrics", include_in_schema=False, opt={"public": True}, sync_to_thread=True)
def metrics(services: ServicesDep) -> Response[bytes]:
    """Every ``stoat_*`` metric; log head, projection lag and queue depths read now."""
    sampler = Sampler(
        services.app.recorder.max_notification_id,
        services.views.position,
        queues_of(services),
    )
    return Response(exposition(sampler), media_type=CONTENT_TYPE_LATEST)


ROUTES = [metrics]
