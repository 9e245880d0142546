"""Webhook deliveries: events per second per subscription, and append-to-receipt latency.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src:. .venv/bin/python bench/webhook_delivery.py

Starts the embedded runtime in a temporary data directory (loopback targets allowed) and
a threaded HTTP receiver on 127.0.0.1 that checks every signature and answers 204. For
each ``--subscriptions`` value it subscribes that many endpoints to ``ProjectCreated``
and then:

- burst: appends ``--events`` events as fast as one writer can, and reports how long
  until every subscription has received every event (deliveries/s over all of them);
- paced: appends ``--paced`` events at ``--rate`` per second, and reports the latency
  from the append's commit to the receiver's arrival (p50, p95, max).

Each delivery is one HTTP request plus one event appended to the subscription (its
cursor), in order, so one subscription is as fast as that round trip; subscriptions run
side by side on ``--workers`` threads.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.webhooks._receiver import Receiver

from stoat.commands._webhook_secrets import secret_box
from stoat.commands.projects import create_project
from stoat.commands.webhooks import create_webhook
from stoat.domain.context import system_context
from stoat.runtime import Runtime
from stoat.settings import Settings


def _subscribe(runtime: Runtime, receiver: Receiver, count: int) -> None:
    app = runtime.services.app
    for _ in range(count):
        secret, _ = create_webhook(
            app,
            secret_box(runtime.settings.data_dir),
            url=receiver.url,
            event_types=["ProjectCreated"],
            secret=receiver.secret,
            allow_private=True,
            context=system_context("bench"),
        )
        receiver.secret = secret


def _append(runtime: Runtime, count: int, rate: float | None) -> dict[int, float]:
    """Appends ``count`` ProjectCreated events; returns position -> monotonic commit time."""
    app = runtime.services.app
    appended: dict[int, float] = {}
    start = time.monotonic()
    for i in range(count):
        if rate is not None:
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
        result = create_project(app, name=f"bench {i}", output={}, context=system_context())
        appended[result.position] = time.monotonic()
    return appended


def _run(settings: Settings, subscriptions: int, events: int, paced: int, rate: float) -> None:
    receiver = Receiver(secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").start()
    runtime = Runtime(settings)
    runtime.start()
    try:
        _subscribe(runtime, receiver, subscriptions)
        started = time.monotonic()
        _append(runtime, events, None)
        appended_in = time.monotonic() - started
        receiver.wait_accepted(events * subscriptions, timeout=600)
        elapsed = time.monotonic() - started
        bad = [r for r in receiver.snapshot() if r.error is not None]
        assert not bad, bad[:1]
        print(
            f"  burst  {subscriptions:3d} subscription(s): {events} events appended in "
            f"{appended_in:.2f} s; all {events * subscriptions} deliveries in {elapsed:.2f} s "
            f"= {events * subscriptions / elapsed:,.0f} deliveries/s "
            f"({events / elapsed:,.0f} events/s per subscription)"
        )
        receiver.requests.clear()
        appended = _append(runtime, paced, rate)
        requests = receiver.wait_accepted(paced * subscriptions, timeout=600)
        latencies = sorted(r.at - appended[_position(r)] for r in requests)
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
        print(
            f"  paced  {subscriptions:3d} subscription(s): {paced} events at {rate:g}/s; "
            f"append to receipt p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"max {latencies[-1] * 1000:.1f} ms"
        )
    finally:
        runtime.stop()
        receiver.stop()


def _position(request: Any) -> int:
    return int(request.payload["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--paced", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--synchronous", default="FULL")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"webhook workers {args.workers}, SQLite synchronous={args.synchronous}")
    for count in args.subscriptions:
        with tempfile.TemporaryDirectory(prefix="stoat-webhook-bench-") as folder:
            settings = Settings(
                data_dir=Path(folder),
                sqlite_synchronous=args.synchronous,
                webhooks_allow_private=True,
                webhooks_workers=args.workers,
            )
            _run(settings, count, args.events, args.paced, args.rate)


if __name__ == "__main__":
    main()
