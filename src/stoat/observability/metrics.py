"""Prometheus metrics, all named ``stoat_*``, and their exposition at ``GET /metrics``.

Counters and histograms live in prometheus-client's process registry. When several
processes serve one deployment, set ``PROMETHEUS_MULTIPROC_DIR`` (before start, to an
empty directory, such as ``<data dir>/metrics``): prometheus-client then keeps each
process's values in files there and a scrape of any process sums them. Without it, a
scrape reports the one process it reaches.

Some values are not counted but read at scrape time, because the truth lives in a
store every process shares: the log head (events appended), the projection lag of
this node's read models, and the depth of each job queue.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE_LATEST",
    "CORE_CALL_SECONDS",
    "EDITS_ACCEPTED",
    "EDITS_REJECTED",
    "FFMPEG_ACTIVE",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "RATE_LIMITED",
    "RENDER_JOBS",
    "RENDER_SECONDS",
    "RENDER_SPEED",
    "WEBHOOK_DELIVERIES",
    "Sampler",
    "attach_queues",
    "core_call",
    "detach_queues",
    "exposition",
    "multiprocess_mode",
    "queues_of",
    "record_webhook_delivery",
]

_FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
_SPEED = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)

HTTP_REQUESTS = Counter(
    "stoat_http_requests",
    "HTTP requests answered, by method, route template and status code",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "stoat_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ["method", "route"],
    buckets=_FAST,
)
EDITS_ACCEPTED = Counter("stoat_edits_accepted", "Edits accepted (appended), by op", ["op"])
EDITS_REJECTED = Counter(
    "stoat_edits_rejected",
    "Edits rejected, by op and error code (a batch's other edits count as `batch_rejected`)",
    ["op", "code"],
)
RENDER_JOBS = Counter(
    "stoat_render_jobs",
    "Render attempts by outcome: started, completed, failed, cancelled, retrying",
    ["status"],
)
RENDER_SECONDS = Histogram(
    "stoat_render_duration_seconds", "Wall time of a completed render", buckets=_SLOW
)
RENDER_SPEED = Histogram(
    "stoat_render_speed_ratio",
    "Render speed as a multiple of real time (output duration / wall time)",
    buckets=_SPEED,
)
FFMPEG_ACTIVE = Gauge(
    "stoat_ffmpeg_processes_active",
    "FFmpeg render processes running now",
    multiprocess_mode="livesum",
)
WEBHOOK_DELIVERIES = Counter(
    "stoat_webhook_deliveries",
    "Webhook delivery attempts by outcome (delivered, failed, gone, refused ...)",
    ["outcome"],
)
CORE_CALL_SECONDS = Histogram(
    "stoat_core_call_duration_seconds",
    "Time spent in a Rust core call, by operation",
    ["op"],
    buckets=_FAST,
)
RATE_LIMITED = Counter("stoat_rate_limited", "Requests refused with 429 by the rate limiter")


def multiprocess_mode() -> bool:
    """Whether values are shared through ``PROMETHEUS_MULTIPROC_DIR`` (read at import)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


@contextmanager
def core_call(op: str) -> Iterator[None]:
    """Times a call into the Rust core: ``with core_call("decide"): ...``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        CORE_CALL_SECONDS.labels(op).observe(time.perf_counter() - started)


def record_webhook_delivery(outcome: str) -> None:
    """Counts one webhook delivery attempt; for the webhook worker to call."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


class Sampler:
    """Values read at scrape time from the stores every process shares.

    ``head`` is the log's last notification id, ``position`` this node's read-model
    tracking position, ``queues`` a name -> depth reader per job queue.
    """

    def __init__(
        self,
        head: Callable[[], int | None],
        position: Callable[[], int],
        queues: dict[str, Callable[[], int]] | None = None,
    ) -> None:
        self._head = head
        self._position = position
        self._queues = dict(queues or {})

    def collect(self) -> Iterable[Metric]:
        head = self._head() or 0
        appended = CounterMetricFamily(
            "stoat_events_appended", "Events appended to the log (its head position)"
        )
        appended.add_metric([], head)
        lag = GaugeMetricFamily(
            "stoat_projection_lag_events",
            "Events in the log that this node's read models have not applied yet",
        )
        lag.add_metric([], max(head - self._position(), 0))
        depth = GaugeMetricFamily(
            "stoat_queue_depth", "Job messages queued or in flight, by queue", labels=["queue"]
        )
        for name, read in sorted(self._queues.items()):
            depth.add_metric([name], read())
        return [appended, lag, depth]


_QUEUES: dict[int, dict[str, Callable[[], int]]] = {}


def attach_queues(owner: object, readers: dict[str, Callable[[], int]]) -> None:
    """Makes ``readers`` (queue name -> depth) what a scrape of ``owner`` reports."""
    _QUEUES[id(owner)] = dict(readers)


def detach_queues(owner: object) -> None:
    _QUEUES.pop(id(owner), None)


def queues_of(owner: object) -> dict[str, Callable[[], int]]:
    return _QUEUES.get(id(owner), {})


class _Forward:
    """Hands a registry's metrics to another registry (the per-scrape one)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        return self._source.collect()


def exposition(sampler: Collector | None = None) -> bytes:
    """The text exposition: counted metrics (every process's in multiprocess mode),
    then the values sampled now."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_mode():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    if sampler is not None:
        registry.register(sampler)
    return generate_latest(registry)
