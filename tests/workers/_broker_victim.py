"""A worker process for tests/workers/test_broker.py to kill.

Run as ``python _broker_victim.py DATABASE MARKER``: consumes the ``renders`` queue of an
``ApswBroker`` with a one-second lease, and once the ``render`` actor has a message it
writes the message's args to MARKER and hangs until killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import dramatiq
from dramatiq import Worker

from stoat.workers.broker import ApswBroker

LEASE_SECONDS = 1.0


def main(database: str, marker: str) -> None:
    broker = ApswBroker(database, lease_seconds=LEASE_SECONDS, poll_interval=0.02)

    @dramatiq.actor(broker=broker, queue_name="renders", actor_name="render")
    def render(job_id: str) -> None:
        Path(marker).write_text(job_id)
        time.sleep(3600)

    worker = Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
