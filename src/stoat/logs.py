"""structlog configured for JSON lines, with context variables (request id, actor, ids).

Every line is one JSON object with ``timestamp``, ``level``, ``event`` and whatever the
context holds: ``request_id`` (bound by the request-id middleware, and by the job
middleware in workers, from the message), ``actor`` (the caller's key id),
``project_id`` and ``job_id``. Lines from the standard library's loggers (uvicorn,
dramatiq) go through the same renderer, so the output stays one format.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from typing import TextIO

_HANDLER_NAME = "stoat-json"


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Sends structlog and standard logging to ``stream`` (stderr) as JSON lines."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    out = stream if stream is not None else sys.stderr
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    handler = logging.StreamHandler(out)
    handler.name = _HANDLER_NAME
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.name != _HANDLER_NAME]
    root.addHandler(handler)
    root.setLevel(numeric)
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
