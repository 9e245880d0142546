"""The global event log for pollers, and live streams (SSE) that resume without gaps."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from stoat.errors import NotFound, Rejected, error_item
from stoat.http.context import ServicesDep, await_position
from stoat.http.projects import After as ReadAfter
from stoat.projections.event_json import to_documents, topics_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from stoat.services import Services

PING_SECONDS = 15.0
BACKLOG_PAGE = 500

After = Annotated[int, QueryParameter(ge=0, description="Events after this log position")]
Types = Annotated[
    str | None, QueryParameter(description="Comma-separated event types, e.g. ClipAdded")
]


def _topics(types: str | None) -> list[str]:
    names = [name.strip() for name in (types or "").split(",") if name.strip()]
    topics = topics_for(names)
    if topics is None:
        raise Rejected(
            [
                error_item(
                    "unknown_event_type",
                    ("query", "types"),
                    f"unknown event types in {types!r}",
                    "use event type names such as ClipAdded or RenderCompleted",
                )
            ]
        )
    return topics


@get("/v1/events", sync_to_thread=True)
def list_events(
    services: ServicesDep,
    after: After = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    types: Types = None,
) -> dict[str, Any]:
    """The global log, oldest first, ``limit`` events after position ``after``."""
    batch = services.app.recorder.select_notifications(
        start=after + 1, limit=limit, topics=_topics(types)
    )
    items = to_documents(services.app.mapper, batch)
    return {"items": items, "next": str(batch[-1].id) if len(batch) == limit else None}


@get("/v1/events/stream")
async def stream_events(
    request: Request[Any, Any, Any], services: ServicesDep, types: Types = None
) -> ServerSentEvent:
    """Every new event as it is appended; reconnect with ``Last-Event-ID`` to resume."""
    wanted = {name.strip() for name in (types or "").split(",") if name.strip()}
    _topics(types)
    return _sse(services, _resume_point(request), lambda doc: not wanted or doc["type"] in wanted)


@get("/v1/projects/{project_id:str}/events/stream")
async def stream_project_events(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    services: ServicesDep,
    wait_for: ReadAfter,
) -> ServerSentEvent:
    """The events of one project and of its renders (progress included)."""
    await asyncio.to_thread(await_position, services, wait_for)
    await asyncio.to_thread(services.views.project, project_id)  # 404 if unknown
    return _sse(services, _resume_point(request), _ProjectFilter(services, project_id))


def _resume_point(request: Request[Any, Any, Any]) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    if not raw.isdigit():
        raise Rejected(
            [
                error_item(
                    "invalid_last_event_id",
                    ("headers", "Last-Event-ID"),
                    "Last-Event-ID must be the id of an event this stream sent",
                    "send the id of the last event received, or omit it",
                )
            ]
        )
    return int(raw)


def _sse(
    services: Services, after: int, match: Callable[[dict[str, Any]], bool]
) -> ServerSentEvent:
    return ServerSentEvent(_events(services, after, match), retry_duration=1000)


async def _events(
    services: Services, after: int, match: Callable[[dict[str, Any]], bool]
) -> AsyncIterator[ServerSentEventMessage]:
    subscriber = services.broadcaster.subscribe()
    last = after
    try:
        while batch := await asyncio.to_thread(
            services.app.recorder.select_notifications, start=last + 1, limit=BACKLOG_PAGE
        ):
            for document in to_documents(services.app.mapper, batch):
                last = document["id"]
                if match(document):
                    yield _message(document)
        while not subscriber.overflowed:
            try:
                live = await asyncio.wait_for(subscriber.queue.get(), PING_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="ping")
                continue
            if live is None or live["id"] <= last:
                continue
            last = live["id"]
            if match(live):
                yield _message(live)
    finally:
        services.broadcaster.unsubscribe(subscriber)


def _message(document: dict[str, Any]) -> ServerSentEventMessage:
    data = msgspec.json.encode(document).decode()
    return ServerSentEventMessage(data=data, event=document["type"], id=document["id"])


class _ProjectFilter:
    """Matches a project's events and those of render jobs of that project."""

    def __init__(self, services: Services, project_id: str) -> None:
        self._services = services
        self._project_id = project_id
        self._renders: dict[str, bool] = {}

    def __call__(self, document: dict[str, Any]) -> bool:
        if document["aggregate_id"] == self._project_id:
            return True
        if document["aggregate_type"] != "RenderJob":
            return False
        render_id = document["aggregate_id"]
        if render_id not in self._renders:
            project = document["data"].get("project_id") or self._lookup(render_id)
            self._renders[render_id] = project == self._project_id
        return self._renders[render_id]

    def _lookup(self, render_id: str) -> str | None:
        try:
            return str(self._services.views.render(render_id)["project_id"])
        except NotFound:
            return None


ROUTES = [list_events, stream_events, stream_project_events]
