"""The infrastructure factory that ``PERSISTENCE_MODULE=stoat.eventstore`` selects."""

from __future__ import annotations

from typing import Literal, cast

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
)
from eventsourcing.utils import Environment, EnvType, resolve_topic, strtobool
from typing_extensions import TypeVar

from stoat.eventstore._datastore import (
    DEFAULT_BUSY_TIMEOUT_MS,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SYNCHRONOUS,
    ApswDatastore,
    parse_synchronous,
)
from stoat.eventstore._recorders import ApswAggregateRecorder, ApswApplicationRecorder
from stoat.eventstore._tracking import ApswProcessRecorder, ApswTrackingRecorder

TApswTrackingRecorder = TypeVar(
    "TApswTrackingRecorder", bound=ApswTrackingRecorder, default=ApswTrackingRecorder
)


class ApswFactory(InfrastructureFactory[ApswTrackingRecorder]):
    """Builds apsw-backed recorders from the environment.

    Environment keys (each may be prefixed with the application's or projection's
    upper-cased name, e.g. ``STOAT_APSW_DBNAME``, as everywhere in eventsourcing):

    - ``APSW_DBNAME`` (required): database file name or ``file:`` URI.
    - ``APSW_SYNCHRONOUS``: ``OFF``, ``NORMAL``, ``FULL`` (default) or ``EXTRA``.
    - ``APSW_BUSY_TIMEOUT``: milliseconds to wait for another writer (default 5000).
    - ``APSW_POLL_INTERVAL``: milliseconds between checks for other processes' commits
      in subscriptions and ``wait()`` (default 50).
    - ``ORIGINATOR_ID_TYPE``: ``uuid`` (default) or ``text``.
    - ``CREATE_TABLE``: create tables on construction (default yes).

    Table names follow ``eventsourcing.postgres``: ``{name}_events``,
    ``{name}_snapshots`` and ``{name}_tracking`` from the environment's name (the
    application's or projection's), so projections sharing one database keep separate
    tracking tables.
    """

    APSW_DBNAME = "APSW_DBNAME"
    APSW_SYNCHRONOUS = "APSW_SYNCHRONOUS"
    APSW_BUSY_TIMEOUT = "APSW_BUSY_TIMEOUT"
    APSW_POLL_INTERVAL = "APSW_POLL_INTERVAL"
    ORIGINATOR_ID_TYPE = "ORIGINATOR_ID_TYPE"
    CREATE_TABLE = "CREATE_TABLE"

    aggregate_recorder_class: type[ApswAggregateRecorder] = ApswAggregateRecorder
    application_recorder_class: type[ApswApplicationRecorder] = ApswApplicationRecorder
    tracking_recorder_class: type[ApswTrackingRecorder] = ApswTrackingRecorder
    process_recorder_class: type[ApswProcessRecorder] = ApswProcessRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        db_name = self.env.get(self.APSW_DBNAME)
        if not db_name:
            keys = ", ".join(self.env.create_keys(self.APSW_DBNAME))
            msg = f"apsw database name not found in environment with keys: {keys}"
            raise OSError(msg)
        try:
            synchronous = parse_synchronous(
                self.env.get(self.APSW_SYNCHRONOUS) or DEFAULT_SYNCHRONOUS
            )
        except ValueError as error:
            raise OSError(str(error)) from None
        self.datastore = ApswDatastore(
            db_name,
            synchronous=synchronous,
            busy_timeout_ms=self._env_milliseconds(self.APSW_BUSY_TIMEOUT, DEFAULT_BUSY_TIMEOUT_MS),
            poll_interval=self._env_milliseconds(
                self.APSW_POLL_INTERVAL, round(DEFAULT_POLL_INTERVAL * 1000), minimum=1
            )
            / 1000,
            originator_id_type=self._env_originator_id_type(),
        )

    def _env_milliseconds(self, key: str, default: int, *, minimum: int = 0) -> int:
        text = (self.env.get(key) or "").strip()
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            msg = f"Environment value for key '{key}' must be an integer >= {minimum}: {text!r}"
            raise OSError(msg)
        return value

    def _env_originator_id_type(self) -> Literal["uuid", "text"]:
        value = (self.env.get(self.ORIGINATOR_ID_TYPE) or "uuid").lower()
        if value not in ("uuid", "text"):
            msg = f"Invalid {self.ORIGINATOR_ID_TYPE} '{value}', must be 'uuid' or 'text'"
            raise OSError(msg)
        return cast('Literal["uuid", "text"]', value)

    def _prefix(self, default: str) -> str:
        return self.env.name.lower() or default

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        """A recorder for ``{name}_{purpose}`` (the application uses it for snapshots)."""
        recorder = type(self).aggregate_recorder_class(
            self.datastore, events_table_name=f"{self._prefix('stored')}_{purpose}"
        )
        self._maybe_create_table(recorder)
        return recorder

    def application_recorder(self) -> ApplicationRecorder:
        """The application's event store and notification log, ``{name}_events``."""
        topic = self.env.get(self.APPLICATION_RECORDER_TOPIC)
        recorder_class = resolve_topic(topic) if topic else type(self).application_recorder_class
        assert issubclass(recorder_class, ApswApplicationRecorder)
        recorder = recorder_class(
            self.datastore, events_table_name=f"{self._prefix('stored')}_events"
        )
        self._maybe_create_table(recorder)
        return recorder

    def tracking_recorder(
        self, tracking_recorder_class: type[TApswTrackingRecorder] | None = None
    ) -> TApswTrackingRecorder:
        """A tracking recorder (or the given subclass: a projection's view)."""
        if tracking_recorder_class is None:
            topic = self.env.get(self.TRACKING_RECORDER_TOPIC)
            tracking_recorder_class = cast(
                "type[TApswTrackingRecorder]",
                resolve_topic(topic) if topic else type(self).tracking_recorder_class,
            )
        assert issubclass(tracking_recorder_class, ApswTrackingRecorder)
        recorder = tracking_recorder_class(
            self.datastore, tracking_table_name=f"{self._prefix('notification')}_tracking"
        )
        self._maybe_create_table(recorder)
        return recorder

    def process_recorder(self) -> ProcessRecorder:
        """Events plus tracking in one database, for event-sourced projections."""
        topic = self.env.get(self.PROCESS_RECORDER_TOPIC)
        recorder_class = resolve_topic(topic) if topic else type(self).process_recorder_class
        assert issubclass(recorder_class, ApswProcessRecorder)
        recorder = recorder_class(
            self.datastore,
            events_table_name=f"{self._prefix('stored')}_events",
            tracking_table_name=f"{self._prefix('notification')}_tracking",
        )
        self._maybe_create_table(recorder)
        return recorder

    def _maybe_create_table(self, recorder: ApswAggregateRecorder | ApswTrackingRecorder) -> None:
        if strtobool(self.env.get(self.CREATE_TABLE) or "yes"):
            recorder.create_table()

    def close(self) -> None:
        """Release the database connections (shared ones close with their last user)."""
        self.datastore.close()
