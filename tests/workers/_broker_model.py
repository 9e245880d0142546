"""A model-based test of ApswBroker's consumer contract, run from test_broker.py.

Two consumers with a prefetch of one share a queue; Hypothesis enqueues, takes, acks,
nacks and requeues in any order, and replays settled (stale) deliveries, which must
change nothing. The model says which message each take must get and with how many
attempts; the broker's counts must match it after every step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from dramatiq import Message
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from stoat.workers.broker import ApswBroker, ApswMessageProxy

SETTLE = ("ack", "nack", "requeue")


class BrokerModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.TemporaryDirectory()
        database = Path(self.directory.name) / "broker.db"
        self.broker = ApswBroker(database, synchronous="OFF", poll_interval=0.01)
        self.broker.declare_queue("q")
        self.consumers = [self.broker.consume("q", timeout=0) for _ in range(2)]
        self.sent = 0
        self.ready: set[int] = set()
        self.held: dict[int, tuple[int, ApswMessageProxy]] = {}
        self.attempts: dict[int, int] = {}
        self.dead: set[int] = set()
        self.stale: list[ApswMessageProxy] = []

    def teardown(self) -> None:
        for consumer in self.consumers:
            consumer.close()
        self.broker.close()
        self.directory.cleanup()

    @rule(count=st.integers(min_value=1, max_value=3))
    def enqueue(self, count: int) -> None:
        for _ in range(count):
            message: Message[Any] = Message(
                queue_name="q", actor_name="a", args=(self.sent,), kwargs={}, options={}
            )
            self.broker.enqueue(message)
            self.ready.add(self.sent)
            self.attempts[self.sent] = 0
            self.sent += 1

    @rule(which=st.sampled_from([0, 1]))
    def take(self, which: int) -> None:
        proxy = next(self.consumers[which])
        busy = any(owner == which for owner, _ in self.held.values())
        if busy or not self.ready:
            assert proxy is None
            return
        assert isinstance(proxy, ApswMessageProxy)
        (n,) = proxy.args
        assert n == min(self.ready), "oldest first"
        self.ready.remove(n)
        self.attempts[n] += 1
        assert proxy.options["attempts"] == self.attempts[n]
        self.held[n] = (which, proxy)

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data(), how=st.sampled_from(SETTLE))
    def settle(self, data: st.DataObject, how: str) -> None:
        n = data.draw(st.sampled_from(sorted(self.held)))
        owner, proxy = self.held.pop(n)
        consumer = self.consumers[data.draw(st.sampled_from([owner, 1 - owner]))]
        if how == "ack":
            consumer.ack(proxy)
        elif how == "nack":
            consumer.nack(proxy)
            self.dead.add(n)
        else:
            consumer.requeue([proxy])
            self.ready.add(n)
            self.attempts[n] -= 1
        self.stale.append(proxy)

    @precondition(lambda self: bool(self.stale))
    @rule(data=st.data(), how=st.sampled_from(SETTLE))
    def replay_stale(self, data: st.DataObject, how: str) -> None:
        proxy = data.draw(st.sampled_from(self.stale))
        consumer = self.consumers[0]
        if how == "ack":
            consumer.ack(proxy)
        elif how == "nack":
            consumer.nack(proxy)
        else:
            consumer.requeue([proxy])

    @invariant()
    def counts_match(self) -> None:
        assert self.broker.queue_depth("q") == len(self.ready) + len(self.held)
        dead = {letter.message.args[0] for letter in self.broker.dead_letters("q")}
        assert dead == self.dead
