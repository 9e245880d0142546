"""A real ``stoat serve`` process to kill, clients that keep editing through its deaths,
and what the stored log and read models hold afterwards.

Shared by the reliability tests and ``bench/reliability_crash.py``; nothing here is a
double of the service: the server is a subprocess, kills are SIGKILL, the stores are the
server's own SQLite files.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import apsw
import httpx
import msgspec

from stoat._core import Timeline

if TYPE_CHECKING:
    from pathlib import Path

ADMIN_KEY = "stoat_reliability-admin-key-0123456789abcdefghijklmno"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


SERVE = (sys.executable, "-m", "stoat.cli", "serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``stoat serve`` on ``data_dir`` as a child process, started and killed at will.

    Its stderr goes to ``<data_dir>/../serve.log`` (appended across restarts), which a
    failing test prints.
    """

    def __init__(
        self, data_dir: Path, *, env: dict[str, str] | None = None, port: int | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / "serve.log"
        self.env = {
            **os.environ,
            "STOAT_ADMIN_KEY": ADMIN_KEY,
            "STOAT_LOG_LEVEL": "WARNING",
            # No events of the service's own in the log: what is there came from clients.
            "STOAT_AUDIT_CHECKPOINT_EVENTS": "0",
            "STOAT_AUDIT_CHECKPOINT_SECONDS": "0",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0, probe: str = "/health/ready") -> float:
        """Start the server; return the seconds from the exec to a 200 from ``probe``."""
        assert self.process is None, "already running"
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--port", str(self.port), "--data-dir", str(self.data_dir)],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"stoat serve exited with {self.process.returncode}:\n{self.log()}"
                raise AssertionError(msg)
            try:
                if httpx.get(f"{self.base_url}{probe}", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        msg = f"stoat serve was not ready in {timeout} s:\n{self.log()}"
        raise AssertionError(msg)

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed by the process."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
            self.process = None

    def stop(self) -> None:
        """SIGTERM and wait for a clean exit."""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(60)
            finally:
                self.process = None
            assert code == 0, f"stoat serve exited with {code}:\n{self.log()}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except FileNotFoundError:
            return ""

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers=AUTH, timeout=timeout)


@dataclass
class Ack:
    """An edit the server answered with a 2xx."""

    key: str
    project_id: str
    version: int
    position: int


@dataclass
class EditLoad:
    """Client threads that post one-clip edits with Idempotency-Keys while the server dies.

    A request that gets no answer (the connection dropped with the server) is sent again
    with the same key and body until one comes: that is what a careful client does, and
    the idempotency key must make it safe. A 409 (lost race with another client on the
    same project) or 503 is retried the same way; any other answer is a failure.
    """

    base_url: str
    project_ids: list[str]
    clients: int = 4
    acks: list[Ack] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retries: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        for index in range(self.clients):
            thread = threading.Thread(target=self._run, args=(index,), name=f"client-{index}")
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 120.0) -> None:
        """Stop after each client's request in flight has its answer."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            assert not thread.is_alive(), f"{thread.name} did not finish its last request"

    def _run(self, index: int) -> None:
        project_id = self.project_ids[index % len(self.project_ids)]
        with httpx.Client(base_url=self.base_url, headers=AUTH, timeout=30) as http:
            sent = 0
            while not self._stop.is_set():
                key = f"c{index}-e{sent}"
                # The clip's length tells the edits apart in the timeline too.
                clip = {"op": "add_clip", "kind": "color", "color": "teal", "duration": 1}
                self._send(http, project_id, key, {"edits": [clip]})
                sent += 1

    def _send(self, http: httpx.Client, project_id: str, key: str, body: Any) -> None:
        url = f"/v1/projects/{project_id}/edits"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = http.post(url, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:
                self._count("transport")
                time.sleep(0.05)
                continue
            if response.is_success:
                answer = response.json()
                ack = Ack(key, project_id, answer["version"], answer["position"])
                with self._lock:
                    self.acks.append(ack)
                return
            if response.status_code in {409, 503}:
                self._count(str(response.status_code))
                time.sleep(0.02)
                continue
            with self._lock:
                self.failures.append(f"{key}: {response.status_code} {response.text}")
            return
        with self._lock:
            self.failures.append(f"{key}: no answer in 120 s")

    def _count(self, reason: str) -> None:
        with self._lock:
            self.retries[reason] += 1


def create_projects(server: Server, count: int) -> list[str]:
    with server.client() as http:
        ids = []
        for index in range(count):
            created = http.post(
                "/v1/projects", json={"name": f"load {index}", "output": {"preset": "16:9"}}
            )
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        return ids


@dataclass
class StoredEvent:
    position: int
    aggregate_id: str
    version: int
    topic: str
    idempotency_key: str | None


def read_log(data_dir: Path) -> list[StoredEvent]:
    """Every event in ``events.db``, decoded by the application (the server is stopped)."""
    from stoat.commands.application import StoatApplication
    from stoat.settings import Settings

    app = StoatApplication(env=Settings(data_dir=data_dir).environment())
    try:
        events: list[StoredEvent] = []
        start = 1
        while batch := app.recorder.select_notifications(start=start, limit=1000):
            for notification in batch:
                event = app.mapper.to_domain_event(notification)
                context = getattr(event, "context", None) or {}
                events.append(
                    StoredEvent(
                        position=notification.id,
                        aggregate_id=str(notification.originator_id),
                        version=notification.originator_version,
                        topic=notification.topic,
                        idempotency_key=context.get("idempotency_key"),
                    )
                )
            start = batch[-1].id + 1
        return events
    finally:
        app.close()


# SQLite's statistics and the full-text index's own storage differ with the order rows
# arrived in; the rows they describe are compared through the tables they index.
_NOT_COMPARED = ("sqlite_", "library_search_")


def view_tables(views_db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows, sorted, keyed by table name."""
    conn = apsw.Connection(str(views_db), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        names = [
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not str(row[0]).startswith(_NOT_COMPARED)
        ]
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for name in names:
            if name == "project_view_events":
                continue  # folded into project_views' state below
            if name == "project_views":
                tables[name] = sorted(_project_rows(conn), key=repr)
                continue
            if name == "notification_tracking":
                # Which follower wrote it differs (the live runner, or a rebuild); the
                # position each reached must not.
                query = "SELECT MAX(notification_id) FROM notification_tracking"
            else:
                query = f'SELECT * FROM "{name}"'  # names from sqlite_master
            tables[name] = sorted(conn.execute(query).fetchall(), key=repr)
        return tables
    finally:
        conn.close()


def _project_rows(conn: apsw.Connection) -> list[tuple[Any, ...]]:
    """``project_views`` rows with the runner's resume state resolved: the stored snapshot
    with the events stored after it applied. Where the snapshot falls depends on how the
    log was batched (a live runner or a rebuild); the state it resolves to must not."""
    columns = [str(row[1]) for row in conn.execute("PRAGMA table_info(project_views)")]
    at = columns.index("state")
    rows = []
    for row in conn.execute("SELECT * FROM project_views"):
        timeline = Timeline.from_snapshot(bytes(row[at]))
        for name, data in conn.execute(
            "SELECT type, data FROM project_view_events WHERE project_id = ? ORDER BY version",
            (row[0],),
        ):
            timeline.evolve(name, msgspec.json.decode(data))
        rows.append((*row[:at], timeline.to_snapshot(), *row[at + 1 :]))
    return rows


def rebuilt_views(data_dir: Path, scratch: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The read models a rebuild from scratch makes, on a copy of ``data_dir``."""
    copy = scratch / "rebuild"
    shutil.copytree(data_dir, copy)
    (copy / "views.db").unlink()
    for suffix in ("-wal", "-shm"):
        (copy / f"views.db{suffix}").unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "stoat.cli", "projections", "rebuild", "--data-dir", str(copy)],
        env={**os.environ, "STOAT_ADMIN_KEY": ADMIN_KEY, "STOAT_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return view_tables(copy / "views.db")


def log_head(data_dir: Path) -> int:
    """The last position in ``events.db`` (read on a connection of our own)."""
    conn = apsw.Connection(str(data_dir / "events.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        row = conn.execute("SELECT MAX(notification_id) FROM stoat_events").fetchone()
        return int(row[0] or 0) if row else 0
    finally:
        conn.close()


def wait_for_views(server: Server, timeout: float = 60.0) -> int:
    """Wait until the read models have reached the log's head; return the head."""
    head = log_head(server.data_dir)
    deadline = time.monotonic() + timeout
    with server.client() as http:
        while True:
            reached = http.get("/v1/projects", headers={"X-Stoat-After": str(head)})
            if reached.status_code == 200:
                return head
            assert time.monotonic() < deadline, reached.text
