"""ApswBroker against real SQLite files and a real dramatiq Worker."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw
import dramatiq
import pytest
from dramatiq import Message, Worker
from dramatiq.errors import QueueJoinTimeout, QueueNotFound
from dramatiq.middleware import CurrentMessage, Middleware
from hypothesis import settings

import stoat
from stoat.workers import _broker_store
from stoat.workers.broker import ApswBroker, ApswMessageProxy
from tests.workers._broker_model import BrokerModel

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

VICTIM = Path(__file__).with_name("_broker_victim.py")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "broker.db"


@pytest.fixture
def open_broker(db: Path) -> Iterator[Callable[..., ApswBroker]]:
    """Open brokers on the test's database file (one per "process"); all closed after."""
    brokers: list[ApswBroker] = []

    def open_(**options: Any) -> ApswBroker:
        options.setdefault("poll_interval", 0.02)
        broker = ApswBroker(db, **options)
        broker.add_middleware(CurrentMessage())
        brokers.append(broker)
        return broker

    yield open_
    for broker in brokers:
        broker.close()


@pytest.fixture
def broker(open_broker: Callable[..., ApswBroker]) -> ApswBroker:
    return open_broker()


@contextmanager
def running(broker: ApswBroker, threads: int = 2) -> Iterator[Worker]:
    worker = Worker(broker, worker_threads=threads, worker_timeout=50)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def current_attempts() -> int:
    message = CurrentMessage.get_current_message()
    assert message is not None
    attempts = message.options["attempts"]
    assert isinstance(attempts, int)
    return attempts


def message(queue_name: str = "q", *args: Any) -> Message[Any]:
    return Message(queue_name=queue_name, actor_name="a", args=args, kwargs={}, options={})


def states(broker: ApswBroker) -> list[str]:
    """The state of every message row, oldest first, read straight from the file."""
    connection = apsw.Connection(broker.path)
    try:
        rows = connection.execute("SELECT state FROM dramatiq_messages ORDER BY id").fetchall()
    finally:
        connection.close()
    return [str(state) for (state,) in rows]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# -- with a Worker ------------------------------------------------------------------------


def test_an_actor_runs_once_and_sees_its_attempt(broker: ApswBroker) -> None:
    seen: list[tuple[int, int]] = []

    @dramatiq.actor(broker=broker)
    def add(x: int, y: int) -> None:
        seen.append((x + y, current_attempts()))

    with running(broker):
        add.send(1, 2)
        broker.join(add.queue_name, timeout=5000)

    assert seen == [(3, 1)]
    assert broker.queue_depth(add.queue_name) == 0


def test_retries_come_back_through_the_delay_queue_after_their_delay(broker: ApswBroker) -> None:
    runs: list[float] = []

    @dramatiq.actor(broker=broker, max_retries=5, min_backoff=100, max_backoff=1000)
    def flaky() -> None:
        runs.append(time.monotonic())
        if len(runs) == 1:
            raise ValueError("first failure: backed off by 100 to 200 ms")
        if len(runs) == 2:
            raise dramatiq.Retry(delay=200)

    with running(broker):
        flaky.send()
        broker.join(flaky.queue_name, timeout=5000)

    assert len(runs) == 3
    first_gap, second_gap = (later - earlier for earlier, later in itertools.pairwise(runs))
    assert first_gap >= 0.1
    assert second_gap >= 0.2
    assert broker.dead_letters(flaky.queue_name) == []


def test_a_delayed_message_is_not_delivered_before_its_eta(broker: ApswBroker) -> None:
    broker.declare_queue("q")
    sent = broker.enqueue(message("q", 1), delay=300)
    assert sent.queue_name == "q.DQ"
    consumer = broker.consume("q.DQ", prefetch=10, timeout=100)

    started = time.monotonic()
    assert next(consumer) is None
    got = next(c for c in iter(lambda: next(consumer), "never") if c is not None)

    assert time.monotonic() - started >= 0.25
    assert got.message_id == sent.message_id
    assert got.options["eta"] == sent.options["eta"]
    consumer.ack(got)


def test_a_message_whose_worker_is_killed_is_redelivered_once_after_the_lease(
    tmp_path: Path, open_broker: Callable[..., ApswBroker]
) -> None:
    broker = open_broker(lease_seconds=1.0)
    seen: list[tuple[str, int]] = []

    @dramatiq.actor(broker=broker, queue_name="renders", actor_name="render")
    def render(job_id: str) -> None:
        seen.append((job_id, current_attempts()))

    render.send("job-1")
    marker = tmp_path / "started"
    src = str(Path(stoat.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    victim = subprocess.Popen([sys.executable, str(VICTIM), broker.path, str(marker)], env=env)
    try:
        wait_until(marker.exists)
        assert marker.read_text() == "job-1"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        victim.kill()
        victim.wait(timeout=10)

    assert broker.queue_depth("renders") == 1, "the dead worker's lease is still on the row"
    with running(broker):
        broker.join("renders", timeout=10_000)

    assert seen == [("job-1", 2)]


def test_the_heartbeat_keeps_a_long_task_leased_past_lease_seconds(
    open_broker: Callable[..., ApswBroker],
) -> None:
    broker = open_broker(lease_seconds=1.0)
    other_process = open_broker(lease_seconds=1.0)
    other_process.declare_queue("default")
    release = threading.Event()
    seen: list[int] = []

    @dramatiq.actor(broker=broker)
    def long_task() -> None:
        seen.append(current_attempts())
        release.wait(10)

    with running(broker):
        long_task.send()
        wait_until(lambda: bool(seen))
        thief = other_process.consume("default", timeout=100)
        stolen = [next(thief) for _ in range(22)]  # about 2.2 s, over twice the lease
        release.set()
        broker.join("default", timeout=5000)

    assert stolen == [None] * 22
    assert seen == [1]


def test_stopping_a_worker_requeues_its_prefetched_messages(broker: ApswBroker) -> None:
    release = threading.Event()
    seen: list[tuple[int, int]] = []

    @dramatiq.actor(broker=broker)
    def step(n: int) -> None:
        seen.append((n, current_attempts()))
        release.wait(10)

    step.send(1)
    step.send(2)
    worker = Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        wait_until(lambda: bool(seen))
        # One thread is busy with the first message; the second waits in its work queue.
        assert states(broker) == ["leased", "leased"]
    finally:
        threading.Timer(0.2, release.set).start()
        worker.stop()

    assert seen == [(1, 1)]
    assert states(broker) == ["ready"]
    with running(broker):
        broker.join("default", timeout=5000)
    assert seen == [(1, 1), (2, 1)], "a requeued message's unprocessed claim does not count"


def test_a_failing_message_is_dead_lettered_with_its_reason(broker: ApswBroker) -> None:
    @dramatiq.actor(broker=broker, max_retries=0)
    def doomed(x: int) -> None:
        raise ValueError(f"bad input {x}")

    with running(broker):
        doomed.send(7)
        broker.join(doomed.queue_name, timeout=5000)

    (dead,) = broker.dead_letters(doomed.queue_name)
    assert dead.reason == "ValueError: bad input 7"
    assert dead.attempts == 1
    assert dead.message.args == (7,)
    assert dead.message.options["retries"] == 1
    assert "attempts" not in dead.message.options
    assert broker.queue_depth(doomed.queue_name) == 0
    assert broker.dead_letters(f"{doomed.queue_name}.XQ") == [dead]


def test_join_waits_for_the_queue_to_drain(broker: ApswBroker) -> None:
    done: list[int] = []

    @dramatiq.actor(broker=broker)
    def slow(n: int) -> None:
        time.sleep(0.05)
        done.append(n)

    for n in range(5):
        slow.send(n)
    with pytest.raises(QueueJoinTimeout):
        broker.join(slow.queue_name, timeout=100)
    with running(broker, threads=1):
        broker.join(slow.queue_name, timeout=5000)
        assert sorted(done) == list(range(5))


# -- the consumer contract ----------------------------------------------------------------


def test_consume_and_enqueue_need_a_declared_queue(broker: ApswBroker) -> None:
    with pytest.raises(QueueNotFound):
        broker.consume("nowhere")
    with pytest.raises(QueueNotFound):
        broker.enqueue(message("nowhere"))
    broker.declare_queue("q")
    broker.declare_queue("q")
    assert broker.get_declared_queues() == {"q"}
    assert broker.get_declared_delay_queues() == {"q.DQ"}


def test_next_returns_none_after_the_timeout_when_idle(broker: ApswBroker) -> None:
    broker.declare_queue("q")
    consumer = broker.consume("q", timeout=150)
    started = time.monotonic()
    assert next(consumer) is None
    assert 0.14 <= time.monotonic() - started < 1.0


def test_an_idle_consumer_wakes_at_once_for_a_message_from_its_own_process(
    open_broker: Callable[..., ApswBroker],
) -> None:
    broker = open_broker(poll_interval=5.0)
    broker.declare_queue("q")
    consumer = broker.consume("q", timeout=3000)
    threading.Timer(0.1, broker.enqueue, [message("q", 1)]).start()

    started = time.monotonic()
    got = next(consumer)

    assert got is not None
    assert got.args == (1,)
    assert time.monotonic() - started < 1.0


def test_a_consumer_polls_for_messages_from_other_processes(
    open_broker: Callable[..., ApswBroker],
) -> None:
    consuming, producing = open_broker(poll_interval=0.05), open_broker()
    consuming.declare_queue("q")
    producing.declare_queue("q")
    consumer = consuming.consume("q", timeout=3000)
    threading.Timer(0.1, producing.enqueue, [message("q", 1)]).start()

    got = next(consumer)

    assert got is not None
    assert got.args == (1,)


def test_an_idle_consumer_does_not_burn_cpu(broker: ApswBroker) -> None:
    broker.declare_queue("q")
    consumer = broker.consume("q", timeout=1000)
    cpu = time.process_time()
    assert next(consumer) is None
    assert time.process_time() - cpu < 0.25


def test_prefetch_bounds_the_messages_a_consumer_holds(broker: ApswBroker) -> None:
    broker.declare_queue("q")
    for n in range(5):
        broker.enqueue(message("q", n))
    consumer = broker.consume("q", prefetch=2, timeout=50)

    first, second, third = next(consumer), next(consumer), next(consumer)
    assert first is not None
    assert second is not None
    assert third is None
    consumer.ack(first)
    after_ack = next(consumer)

    assert [m.args for m in (first, second, after_ack) if m is not None] == [(0,), (1,), (2,)]


def test_two_consumers_on_one_file_never_get_the_same_message(
    open_broker: Callable[..., ApswBroker],
) -> None:
    brokers = [open_broker(), open_broker()]
    for each in brokers:
        each.declare_queue("q")
    total = 300
    for n in range(total):
        brokers[n % 2].enqueue(message("q", n))
    got: list[list[int]] = [[], [], [], []]

    def drain(index: int) -> None:
        consumer = brokers[index % 2].consume("q", prefetch=3, timeout=100)
        while (proxy := next(consumer)) is not None:
            got[index].append(proxy.args[0])
            consumer.ack(proxy)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    everything = [n for each in got for n in each]
    assert sorted(everything) == list(range(total))
    assert brokers[0].queue_depth("q") == 0


def test_requeue_makes_a_message_ready_again_without_counting_the_claim(
    broker: ApswBroker,
) -> None:
    broker.declare_queue("q")
    broker.enqueue(message("q", 1))
    consumer = broker.consume("q", timeout=50)
    proxy = next(consumer)
    assert proxy is not None
    consumer.requeue([proxy])

    again = next(consumer)

    assert again is not None
    assert again.options["attempts"] == 1
    consumer.ack(again)
    assert broker.queue_depth("q") == 0


def test_closing_a_consumer_gives_back_what_it_had_buffered(broker: ApswBroker) -> None:
    broker.declare_queue("q")
    for n in range(3):
        broker.enqueue(message("q", n))
    consumer = broker.consume("q", prefetch=3, timeout=50)
    first = next(consumer)
    assert first is not None
    consumer.close()

    rest = broker.consume("q", prefetch=3, timeout=50)
    assert [next(rest).args for _ in range(2)] == [(1,), (2,)]  # type: ignore[union-attr]
    assert next(rest) is None


def test_a_stale_delivery_cannot_settle_a_message_claimed_again(
    open_broker: Callable[..., ApswBroker], monkeypatch: pytest.MonkeyPatch
) -> None:
    stalled = open_broker(lease_seconds=0.2)
    monkeypatch.setattr(stalled, "_beat", lambda: None)  # a process too busy to heartbeat
    healthy = open_broker(lease_seconds=5.0)
    for each in (stalled, healthy):
        each.declare_queue("q")
    stalled.enqueue(message("q", 1))
    old = next(stalled.consume("q", timeout=50))
    assert isinstance(old, ApswMessageProxy)

    new = next(healthy.consume("q", timeout=1000))
    assert isinstance(new, ApswMessageProxy)
    assert new.options["attempts"] == 2

    old.owner.ack(old)
    old.owner.nack(old)
    assert healthy.queue_depth("q") == 1
    assert healthy.dead_letters("q") == []
    new.owner.ack(new)
    assert healthy.queue_depth("q") == 0


def test_flush_drops_a_queue_with_its_delay_queue_and_dead_letters(broker: ApswBroker) -> None:
    for name in ("q", "r"):
        broker.declare_queue(name)
        broker.enqueue(message(name, 1))
        broker.enqueue(message(name, 2), delay=60_000)
    consumer = broker.consume("q", timeout=50)
    proxy = next(consumer)
    assert proxy is not None
    consumer.nack(proxy)

    broker.flush("q")
    assert (broker.queue_depth("q"), broker.dead_letters("q")) == (0, [])
    assert broker.queue_depth("r") == 2
    broker.flush_all()
    assert broker.queue_depth("r") == 0


def test_messages_survive_reopening_the_file(db: Path) -> None:
    first = ApswBroker(db)
    try:
        first.declare_queue("q")
        sent = first.enqueue(message("q", 1))
    finally:
        first.close()
    second = ApswBroker(db, synchronous="normal")
    try:
        second.declare_queue("q")
        got = next(second.consume("q", timeout=50))
        assert got is not None
        assert got.message_id == sent.message_id
    finally:
        second.close()


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"lease_seconds": 0}, "lease_seconds"),
        ({"poll_interval": -1}, "poll_interval"),
        ({"synchronous": "SOMETIMES"}, "synchronous"),
    ],
)
def test_bad_options_are_refused(db: Path, options: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        ApswBroker(db, **options)


# -- exactly-once enqueue -----------------------------------------------------------------


class Recorder(Middleware):
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def before_enqueue(self, broker: Any, message: Message[Any], delay: int) -> None:
        self.calls.append(("before", message.args))

    def after_enqueue(self, broker: Any, message: Message[Any], delay: int) -> None:
        self.calls.append(("after", message.args))


def test_enqueue_with_tracking_commits_messages_and_position_together(
    broker: ApswBroker,
) -> None:
    recorder = Recorder()
    broker.add_middleware(recorder)
    broker.declare_queue("q")
    assert broker.max_tracking_id("dispatcher") is None

    broker.enqueue_with_tracking([message("q", 1), message("q", 2)], "dispatcher", 5)

    assert broker.max_tracking_id("dispatcher") == 5
    assert broker.queue_depth("q") == 2
    assert recorder.calls == [
        ("before", (1,)),
        ("before", (2,)),
        ("after", (1,)),
        ("after", (2,)),
    ]


def test_enqueue_with_tracking_ignores_repeated_and_earlier_positions(
    broker: ApswBroker,
) -> None:
    recorder = Recorder()
    broker.add_middleware(recorder)
    broker.declare_queue("q")
    broker.enqueue_with_tracking([message("q", 1)], "dispatcher", 5)
    recorder.calls.clear()

    broker.enqueue_with_tracking([message("q", 1)], "dispatcher", 5)
    broker.enqueue_with_tracking([message("q", 0)], "dispatcher", 4)

    assert broker.queue_depth("q") == 1
    assert broker.max_tracking_id("dispatcher") == 5
    assert ("after", (1,)) not in recorder.calls
    broker.enqueue_with_tracking([], "dispatcher", 6)
    broker.enqueue_with_tracking([message("q", 3)], "other", 1)
    assert broker.max_tracking_id("dispatcher") == 6
    assert broker.max_tracking_id("other") == 1
    assert broker.queue_depth("q") == 2


def test_enqueue_with_tracking_is_all_or_nothing(
    broker: ApswBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker.declare_queue("q")
    broker.enqueue_with_tracking([message("q", 1)], "dispatcher", 1)

    with pytest.raises(QueueNotFound):
        broker.enqueue_with_tracking([message("q", 2), message("nowhere")], "dispatcher", 2)

    def crash_after_insert(self: Any, cursor: Any, messages: Any, now: int) -> None:
        original_insert(self, cursor, messages, now)
        raise RuntimeError("crash mid-transaction")

    original_insert = _broker_store.Store.insert
    monkeypatch.setattr(_broker_store.Store, "insert", crash_after_insert)
    with pytest.raises(RuntimeError, match="mid-transaction"):
        broker.enqueue_with_tracking([message("q", 2)], "dispatcher", 2)
    monkeypatch.undo()

    assert broker.max_tracking_id("dispatcher") == 1
    assert broker.queue_depth("q") == 1
    broker.enqueue_with_tracking([message("q", 2)], "dispatcher", 2)
    assert broker.queue_depth("q") == 2


# -- the contract as a model ----------------------------------------------------------------

TestBrokerModel = BrokerModel.TestCase
TestBrokerModel.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
