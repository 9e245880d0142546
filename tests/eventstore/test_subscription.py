"""subscribe(): catch up, block, wake at once for local commits, poll for other processes."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from eventsourcing.persistence import InterfaceError

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from tests.eventstore._support import spawn_context, stored_events
from tests.eventstore._workers import append_batches

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from eventsourcing.persistence import ApplicationRecorder, Notification, Subscription

# Long enough that only the in-process commit signal can explain a prompt wake-up.
SLOW_POLL_MS = "20000"


@pytest.fixture
def db_name(tmp_path: Path) -> str:
    return str(tmp_path / "events.db")


def _factory(db_name: str, **env: str) -> Iterator[ApswFactory]:
    factory = ApswFactory({"APSW_DBNAME": db_name, **env})
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def factory(db_name: str) -> Iterator[ApswFactory]:
    yield from _factory(db_name, APSW_POLL_INTERVAL=SLOW_POLL_MS)


def _recorder(factory: ApswFactory) -> ApswApplicationRecorder:
    recorder = factory.application_recorder()
    assert isinstance(recorder, ApswApplicationRecorder)
    return recorder


class Collector(threading.Thread):
    """Iterates a subscription in the background, timing each arrival."""

    def __init__(self, subscription: Subscription[ApplicationRecorder]) -> None:
        super().__init__()
        self.subscription = subscription
        self.received: list[tuple[float, Notification]] = []
        self.error: BaseException | None = None
        self.arrived = threading.Event()

    def run(self) -> None:
        try:
            for notification in self.subscription:
                self.received.append((time.monotonic(), notification))
                self.arrived.set()
        except BaseException as error:
            self.error = error


def test_catches_up_then_wakes_at_once_for_a_commit_in_this_process(
    factory: ApswFactory,
) -> None:
    recorder = _recorder(factory)
    recorder.insert_events(stored_events(count=2))
    with recorder.subscribe(gt=None) as subscription:
        collector = Collector(subscription)
        collector.start()
        assert collector.arrived.wait(timeout=10)
        time.sleep(0.2)  # Let it block, waiting for news.
        collector.arrived.clear()
        recorder.insert_events(stored_events(count=1))
        committed = time.monotonic()
        assert collector.arrived.wait(timeout=10)
        subscription.stop()
        collector.join(timeout=10)
    assert not collector.is_alive()
    assert collector.error is None
    assert [n.id for _, n in collector.received] == [1, 2, 3]
    # Far below the 20 s poll interval: the commit signal woke the subscriber.
    assert collector.received[-1][0] - committed < 2.0


def test_wakes_for_a_commit_through_another_datastore_on_the_same_file(
    factory: ApswFactory, db_name: str
) -> None:
    subscribed = _recorder(factory)
    for other_factory in _factory(db_name, APSW_POLL_INTERVAL=SLOW_POLL_MS):
        writer = _recorder(other_factory)
        with subscribed.subscribe(gt=None) as subscription:
            collector = Collector(subscription)
            collector.start()
            time.sleep(0.2)
            writer.insert_events(stored_events(count=1))
            committed = time.monotonic()
            assert collector.arrived.wait(timeout=10)
            subscription.stop()
            collector.join(timeout=10)
        assert collector.received[0][0] - committed < 2.0


def test_receives_events_appended_by_another_process(db_name: str) -> None:
    context = spawn_context()
    ready, go, done = context.Event(), context.Event(), context.Event()
    results = context.Queue()
    child = context.Process(
        target=append_batches,
        kwargs={
            "db_name": db_name,
            "batches": 10,
            "batch_size": 3,
            "ready": ready,
            "go": go,
            "done": done,
            "results": results,
            "pause": 0.02,
        },
    )
    # Default poll interval (50 ms): the other process's commits are found by polling.
    for factory in _factory(db_name):
        recorder = _recorder(factory)
        child.start()
        try:
            assert ready.wait(timeout=60)
            subscription = recorder.subscribe(gt=None)
            watchdog = threading.Timer(60, subscription.stop)
            watchdog.start()
            received: list[Notification] = []
            with subscription:
                go.set()
                for notification in subscription:
                    received.append(notification)
                    if len(received) == 30:
                        break
            watchdog.cancel()
            child_batches = results.get(timeout=30)
            child.join(timeout=30)
        finally:
            if child.is_alive():
                child.kill()
                child.join()
            results.close()
            results.join_thread()
    assert [n.id for n in received] == list(range(1, 31))
    assert [n.id for n in received] == [i for batch in child_batches for i in batch]


def test_stop_from_another_thread_ends_a_blocked_iteration(factory: ApswFactory) -> None:
    recorder = _recorder(factory)
    with recorder.subscribe(gt=None) as subscription:
        collector = Collector(subscription)
        collector.start()
        time.sleep(0.2)
        assert collector.is_alive()
        stopped = time.monotonic()
        subscription.stop()
        collector.join(timeout=10)
        assert not collector.is_alive()
        assert time.monotonic() - stopped < 2.0
    assert collector.error is None
    assert collector.received == []


def test_topic_filter_yields_only_matching_notifications(factory: ApswFactory) -> None:
    recorder = _recorder(factory)
    recorder.insert_events(stored_events(count=3, topic="other"))
    recorder.insert_events(stored_events(count=1, topic="wanted"))
    with recorder.subscribe(gt=None, topics=["wanted"]) as subscription:
        collector = Collector(subscription)
        collector.start()
        assert collector.arrived.wait(timeout=10)
        collector.arrived.clear()
        recorder.insert_events(stored_events(count=600, topic="other"))
        recorder.insert_events(stored_events(count=1, topic="wanted"))
        assert collector.arrived.wait(timeout=10)
        subscription.stop()
        collector.join(timeout=10)
    assert [(n.id, n.topic) for _, n in collector.received] == [(4, "wanted"), (605, "wanted")]


def test_closing_the_datastore_ends_a_waiting_subscription_with_an_error(db_name: str) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name})  # Default 50 ms poll interval.
    recorder = _recorder(factory)
    subscription = recorder.subscribe(gt=None)
    collector = Collector(subscription)
    collector.start()
    time.sleep(0.2)
    factory.close()
    collector.join(timeout=10)
    assert not collector.is_alive()
    assert isinstance(collector.error, InterfaceError)
    with subscription:
        subscription.stop()
