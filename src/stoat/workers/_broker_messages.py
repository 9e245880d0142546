"""Message encoding, rejection reasons and dramatiq errors for ``ApswBroker``."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import apsw
from dramatiq import get_encoder
from dramatiq.errors import ConnectionFailed, QueueNotFound

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dramatiq import Message
    from dramatiq.broker import MessageProxy

    from stoat.workers._broker_consumer import ApswMessageProxy

logger = logging.getLogger("stoat.workers.broker")

#: The message option that carries how many times this message row has been delivered.
ATTEMPTS_OPTION = "attempts"


def encode(message: Message[Any] | MessageProxy) -> bytes:
    """Encode without the broker's own per-delivery option."""
    fields = message.asdict()
    fields["options"] = {k: v for k, v in fields["options"].items() if k != ATTEMPTS_OPTION}
    return get_encoder().encode(fields)


def queue_not_found(queue_name: str) -> QueueNotFound:
    return QueueNotFound(queue_name)  # type: ignore[no-untyped-call]


def failure_reason(message: ApswMessageProxy) -> str:
    exception = message._exception
    if exception is None:
        return "rejected without an exception"
    return f"{type(exception).__name__}: {exception}"


def warn_lease_lost(message: ApswMessageProxy, what: str) -> None:
    logger.warning(
        "Message %s (row %d, claim %d) was %s after its lease ran out; "
        "another delivery of it owns the row now, so this changed nothing.",
        message.message_id,
        *message.lease,
        what,
    )


@contextmanager
def busy_as_connection_error() -> Iterator[None]:
    # dramatiq's worker retries acks and nacks that fail with a connection error.
    try:
        yield
    except apsw.BusyError as error:
        text = f"the broker database stayed locked: {error}"
        raise ConnectionFailed(text) from error  # type: ignore[no-untyped-call]
