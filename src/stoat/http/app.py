"""The Litestar application: routes, problem+json errors, request ids, OpenAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from stoat import __version__
from stoat.http import health, projects, renders
from stoat.http.problems import EXCEPTION_HANDLERS
from stoat.http.request_id import RequestIdMiddleware

if TYPE_CHECKING:
    from stoat.services import Services


def create_app(services: Services) -> Litestar:
    """Builds the HTTP API over already constructed services."""
    return Litestar(
        # One Router around the handlers: registered directly on the app, two sync
        # handlers sharing a path get wrapped for the thread pool twice (Litestar 2.x).
        route_handlers=[
            Router("/", route_handlers=[*projects.ROUTES, *renders.ROUTES, *health.ROUTES])
        ],
        dependencies={"services": Provide(lambda: services, use_cache=True, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RequestIdMiddleware],
        openapi_config=OpenAPIConfig(
            title="Stoat",
            version=__version__,
            description="An event-sourced video-editing backend for AI agents.",
            path="/schema",
        ),
        debug=False,
    )
