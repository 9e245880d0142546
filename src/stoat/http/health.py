"""Liveness, readiness and start-up probes (open, no auth)."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from stoat import _core
from stoat.eventstore import ApswDatastore
from stoat.eventstore._errors import storage_problem
from stoat.http.context import ServicesDep
from stoat.observability.metrics import queues_of

PUBLIC = {"public": True}


@get("/health/live", sync_to_thread=False, opt=PUBLIC)
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/health/ready", sync_to_thread=True, opt=PUBLIC)
def ready(services: ServicesDep) -> Response[dict[str, Any]]:
    """Every dependency answers: event store, read models, broker, FFmpeg, the Rust core."""
    return _readiness(services)


@get("/health/startup", sync_to_thread=True, opt=PUBLIC)
def startup(services: ServicesDep) -> Response[dict[str, Any]]:
    """Started: the same checks as readiness, for orchestrators that probe both."""
    return _readiness(services)


def _readiness(services: ServicesDep) -> Response[dict[str, Any]]:
    checks = {
        "event_store": _check(services.app.recorder.max_notification_id),
        "event_store_writable": _check(lambda: _writable(services)),
        "read_models": _check(services.views.position),
        "ffmpeg": _check(lambda: shutil.which(services.settings.ffmpeg) or _missing("ffmpeg")),
        "rust_core": {"ok": True, "version": _core.__version__},
    }
    for name, probe in services.readiness.items():
        checks[name] = _check(functools.partial(_probe, name, probe))
    queues = queues_of(services)  # the broker's queue readers, where a runtime runs
    if queues:
        checks["broker"] = _check(lambda: [read() for read in queues.values()])
    ok = all(check["ok"] for check in checks.values())
    status = HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE
    return Response({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=status)


def _check(probe: Any) -> dict[str, Any]:
    try:
        probe()
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {"ok": True}


def _writable(services: ServicesDep) -> None:
    """Raise if the embedded event store's file could not take a write now (disk full,
    read-only); a store elsewhere (a server database) answers for itself."""
    datastore = getattr(services.app.recorder, "datastore", None)
    if not isinstance(datastore, ApswDatastore):
        return  # PostgreSQL: the event_store check's query answers for the server
    if datastore.in_memory or datastore.db_name.startswith("file:"):
        return
    problem = storage_problem(Path(datastore.db_name))
    if problem is not None:
        raise problem


def _probe(name: str, probe: Callable[[], object]) -> None:
    if not probe():
        raise RuntimeError(f"{name} is not running")


def _missing(name: str) -> str:
    raise FileNotFoundError(f"{name} is not on PATH")


ROUTES = [live, ready, startup]
