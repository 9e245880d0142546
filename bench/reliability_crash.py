"""kill -9 under edit load, again and again: what is acknowledged survives, once.

Starts ``stoat serve`` (embedded: SQLite files in a temporary data dir) as a subprocess,
runs client threads that post one-clip edits with Idempotency-Keys (resending the same
key and body when a kill cuts a request off, as a careful client does), and SIGKILLs the
server at random moments ``--kills`` times, restarting it each time. Then it stops the
server and checks the stored log and read models:

- lost: acknowledged edits (a 2xx answer) missing from the log, or stored at another
  version or position than the answer said;
- duplicates: idempotency keys stored more than once;
- views equal rebuild: the read models the server kept through the kills equal
  ``stoat projections rebuild`` on a copy of the data dir.

Prints the counts, the time from each restart's exec to a 200 from ``/health/ready``,
and the edit throughput between kills. Run from the repository root::

    .venv/bin/python bench/reliability_crash.py --kills 30 --clients 8
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.reliability

from tests.reliability._harness import (
    EditLoad,
    Server,
    create_projects,
    read_log,
    rebuilt_views,
    view_tables,
    wait_for_views,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument(
        "--between",
        type=float,
        nargs=2,
        default=(1.0, 4.0),
        metavar=("MIN", "MAX"),
        help="seconds of load between kills, drawn uniformly",
    )
    parser.add_argument("--synchronous", default="FULL", help="STOAT_SQLITE_SYNCHRONOUS")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="stoat-crash-") as scratch:
        data_dir = Path(scratch) / "data"
        server = Server(data_dir, env={"STOAT_SQLITE_SYNCHRONOUS": args.synchronous})
        first_start = server.start()
        projects = create_projects(server, args.projects)
        load = EditLoad(server.base_url, projects, clients=args.clients)
        recoveries: list[float] = []
        running = 0.0
        started = time.monotonic()
        load.start()
        try:
            for _ in range(args.kills):
                pause = rng.uniform(*args.between)
                time.sleep(pause)
                running += pause
                server.kill()
                recoveries.append(server.start())
            time.sleep(1.0)
            running += 1.0
        finally:
            load.stop()
        wall = time.monotonic() - started
        wait_for_views(server)
        server.stop()
        loadavg = os.getloadavg()

        log = read_log(data_dir)
        stored = Counter(event.idempotency_key for event in log if event.idempotency_key)
        at = {event.idempotency_key: event for event in log}
        lost = [
            ack.key
            for ack in load.acks
            if (found := at.get(ack.key)) is None
            or (found.aggregate_id, found.version, found.position)
            != (ack.project_id, ack.version, ack.position)
        ]
        duplicates = sum(1 for count in stored.values() if count > 1)
        unacknowledged = len(set(stored) - {ack.key for ack in load.acks})
        views_equal = view_tables(data_dir / "views.db") == rebuilt_views(data_dir, Path(scratch))

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"load average after the run (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in loadavg)}")
    print(
        f"settings: {args.clients} clients on {args.projects} projects, "
        f"synchronous={args.synchronous}, {args.kills} kills every "
        f"{args.between[0]:g} to {args.between[1]:g} s (seed {args.seed})"
    )
    print(f"first start to ready: {first_start:.2f} s")
    print(
        f"restart to ready: median {statistics.median(recoveries):.2f} s, "
        f"min {min(recoveries):.2f} s, max {max(recoveries):.2f} s"
    )
    print(
        f"edits acknowledged: {len(load.acks)} in {wall:.1f} s "
        f"({len(load.acks) / running:.0f}/s while up, counting only the load's time)"
    )
    print(
        "sends that met no server (cut by a kill, refused while down), resent: "
        f"{load.retries['transport']}"
    )
    print(f"409 (lost race) resent: {load.retries['409']}, 503 resent: {load.retries['503']}")
    print(f"other failures: {len(load.failures)}")
    print(f"events in the log: {len(log)}")
    print(
        f"lost: {len(lost)}, duplicates: {duplicates}, stored but never acknowledged: "
        f"{unacknowledged}"
    )
    print(f"read models equal a rebuild from scratch: {views_equal}")
    if lost or duplicates or load.failures or not views_equal:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
