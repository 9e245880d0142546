"""Log context across the queue: the request id from HTTP into job messages and workers.

The dispatcher reads the request id recorded on the event that asked for a job and
puts it in the dramatiq message's options (``request_id``); :class:`JobLogContext`, a
dramatiq middleware, binds it with the job id (the message's first argument) to the
worker thread's structlog context while the message is processed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dramatiq
import msgspec
import structlog

if TYPE_CHECKING:
    from dramatiq.broker import MessageProxy
    from eventsourcing.persistence import Notification

REQUEST_ID_OPTION = "request_id"
_JOB_KEYS = ("request_id", "job_id", "actor_name", "message_id")


class _Context(msgspec.Struct):
    request_id: str = ""


class _Recorded(msgspec.Struct):
    context: _Context | None = None


def recorded_request_id(notification: Notification) -> str:
    """The request id an event was recorded with, or "" (system work, other encodings)."""
    try:
        recorded = msgspec.json.decode(notification.state, type=_Recorded)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    return recorded.context.request_id if recorded.context is not None else ""


def message_for(
    actor: dramatiq.Actor[..., None], notification: Notification, *args: Any
) -> dramatiq.Message[None]:
    """A message for ``actor`` about the event's aggregate, carrying its request id."""
    request_id = recorded_request_id(notification)
    options: dict[str, Any] = {REQUEST_ID_OPTION: request_id} if request_id else {}
    return actor.message_with_options(args=(str(notification.originator_id), *args), **options)


class JobLogContext(dramatiq.Middleware):
    """Binds request id, job id and actor to the worker thread's log context."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        del broker
        context: dict[str, str] = {
            "actor_name": message.actor_name,
            "message_id": message.message_id,
        }
        if message.args:
            context["job_id"] = str(message.args[0])
        request_id = message.options.get(REQUEST_ID_OPTION)
        if request_id:
            context["request_id"] = str(request_id)
        structlog.contextvars.unbind_contextvars(*_JOB_KEYS)
        structlog.contextvars.bind_contextvars(**context)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        del broker, message, result, exception
        structlog.contextvars.unbind_contextvars(*_JOB_KEYS, "project_id")

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        del broker, message
        structlog.contextvars.unbind_contextvars(*_JOB_KEYS, "project_id")
