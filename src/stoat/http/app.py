"""The Litestar application: routes, auth, problem+json errors, request ids, OpenAPI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

import stoat.http.library as library_api
from stoat import __version__
from stoat.http import audit as audit_api
from stoat.http import (
    catalog,
    events,
    health,
    keys,
    metrics,
    openapi,
    projects,
    renders,
    system,
    webhooks,
)
from stoat.http.auth import bearer_guard
from stoat.http.problems import EXCEPTION_HANDLERS
from stoat.http.request_id import RequestIdMiddleware
from stoat.observability.http import ObservabilityMiddleware, bind_actor
from stoat.observability.rate_limit import RateLimiter, RateLimitMiddleware

if TYPE_CHECKING:
    from litestar.types import Middleware

    from stoat.services import Services

ROUTES = [
    *projects.ROUTES,
    *renders.ROUTES,
    *catalog.ROUTES,
    *keys.ROUTES,
    *events.ROUTES,
    *health.ROUTES,
    *openapi.ROUTES,
    *system.ROUTES,
]
ROUTES += library_api.ROUTES  # the media library
ROUTES += webhooks.ROUTES
ROUTES += audit_api.ROUTES  # the audit log; its public key is open
ROUTES += metrics.ROUTES  # open, like health


def create_app(services: Services) -> Litestar:
    """Builds the HTTP API over already constructed services."""
    # One Router around the handlers: registered directly on the app, two sync handlers
    # sharing a path get wrapped for the thread pool twice (Litestar 2.x). The router
    # also carries the auth guard, so every route is covered unless marked public.
    api = Router("/", route_handlers=ROUTES, guards=[bearer_guard(services.keys)])
    middleware: list[Middleware] = [RequestIdMiddleware, ObservabilityMiddleware]
    settings = services.settings
    if settings.rate_limit > 0:
        limiter = RateLimiter(settings.rate_limit, settings.rate_limit_burst)
        middleware.append(DefineMiddleware(RateLimitMiddleware, limiter=limiter))
    return Litestar(
        route_handlers=[api],
        dependencies={"services": Provide(lambda: services, use_cache=True, sync_to_thread=False)},
        state=State({"services": services}),
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=middleware,
        before_request=bind_actor,
        openapi_config=OpenAPIConfig(
            title="Stoat",
            version=__version__,
            description="An event-sourced video-editing backend for AI agents.",
            # Litestar's own renderers live here; /schema/openapi.json is ours (openapi.py),
            # with the Rust core's edit schema spliced in.
            path="/schema/litestar",
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
