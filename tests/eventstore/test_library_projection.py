"""The eventsourcing library's projection test cases, with our persistence module.

``ApswEventCounters`` is a read model written the way Stoat's projections are meant to
be: its table lives in the view database next to its tracking table, and each counter
update commits together with its tracking record (``tracked()``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.projection import ProjectionRunner
from eventsourcing.tests import projection as lib
from eventsourcing.utils import Environment

from stoat.eventstore import ApswFactory, ApswTrackingRecorder
from stoat.eventstore._recorders import quote_identifier

if TYPE_CHECKING:
    from eventsourcing.persistence import Tracking

    from stoat.eventstore import ApswDatastore


class ApswEventCounters(ApswTrackingRecorder, lib.EventCountersView):
    """Counts created and subsequent events, exactly once per notification."""

    def __init__(self, datastore: ApswDatastore, **kwargs: Any) -> None:
        tracking_table_name: str = kwargs.get("tracking_table_name", "notification_tracking")
        self.counters_table = quote_identifier(tracking_table_name.removesuffix("_tracking"))
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.counters_table} "
            "(name TEXT PRIMARY KEY, counter INTEGER NOT NULL) STRICT",
        ]

    def get_created_event_counter(self) -> int:
        return self._select_counter("created")

    def get_subsequent_event_counter(self) -> int:
        return self._select_counter("subsequent")

    def incr_created_event_counter(self, tracking: Tracking) -> None:
        self._incr_counter("created", tracking)

    def incr_subsequent_event_counter(self, tracking: Tracking) -> None:
        self._incr_counter("subsequent", tracking)

    def _select_counter(self, name: str) -> int:
        row = self.datastore.fetchone(
            f"SELECT counter FROM {self.counters_table} WHERE name = ?",
            (name,),
        )
        return 0 if row is None else cast("int", row[0])

    def _incr_counter(self, name: str, tracking: Tracking) -> None:
        with self.tracked(tracking) as cursor:
            cursor.execute(
                f"INSERT INTO {self.counters_table} VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET counter = counter + 1",
                (name,),
            )


class WithTempDir:
    def make_tmp(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="stoat-eventstore-")
        return Path(self._tmp.name)

    def cleanup_tmp(self) -> None:
        self._tmp.cleanup()


class TestApswEventCounters(WithTempDir, lib.EventCountersViewTestCase):
    def setUp(self) -> None:
        tmp = self.make_tmp()
        self.factory = ApswFactory.construct(
            {"PERSISTENCE_MODULE": "stoat.eventstore", "APSW_DBNAME": str(tmp / "views.db")}
        )

    def tearDown(self) -> None:
        self.factory.close()
        self.cleanup_tmp()

    def construct_event_counters_view(self) -> lib.EventCountersView:
        return self.factory.tracking_recorder(ApswEventCounters)


class TestAggregateEventCountersProjection(
    WithTempDir, lib.AggregateEventCountersProjectionTestCase
):
    view_class = ApswEventCounters

    def setUp(self) -> None:
        tmp = self.make_tmp()
        # Events and views in separate files, as Stoat deploys them.
        self.env = {  # type: ignore[misc]
            "PERSISTENCE_MODULE": "stoat.eventstore",
            "APPLICATION_APSW_DBNAME": str(tmp / "events.db"),
            "EVENTCOUNTERS_APSW_DBNAME": str(tmp / "views.db"),
        }

    def tearDown(self) -> None:
        self.cleanup_tmp()

    def test_event_counters_projection(self) -> None:
        super().test_event_counters_projection()

        # Resume from the recorded position with new application and view objects.
        with (
            ProjectionRunner(
                application_class=Application,
                projection_class=lib.AggregateEventCountersProjection,
                view_class=self.view_class,
                env=self.env,
            ),
            Application[Any](self.env) as write_model,
        ):
            read_model = (
                InfrastructureFactory[ApswEventCounters]
                .construct(
                    env=Environment(name=lib.AggregateEventCountersProjection.name, env=self.env)
                )
                .tracking_recorder(ApswEventCounters)
            )
            aggregate = Aggregate()
            aggregate.trigger_event(event_class=Aggregate.Event)
            aggregate.trigger_event(event_class=Aggregate.Event)
            recordings = write_model.save(aggregate)
            read_model.wait(write_model.name, recordings[-1].notification.id)
            assert read_model.get_created_event_counter() == 3
            assert read_model.get_subsequent_event_counter() == 6
            read_model.datastore.close()


class TestEventSourcedProjection(WithTempDir, lib.EventSourcedProjectionTestCase):
    def setUp(self) -> None:
        tmp = self.make_tmp()
        # The application's events and the projection's events and tracking share one
        # file: tables are named after each environment ("application_events",
        # "counters_events", "counters_tracking").
        self.env = {  # type: ignore[misc]
            "PERSISTENCE_MODULE": "stoat.eventstore",
            "APSW_DBNAME": str(tmp / "events.db"),
        }

    def tearDown(self) -> None:
        self.cleanup_tmp()


class TestTaggedDecisionCountersProjection(lib.TaggedDecisionCountersProjectionTestCase):
    def setUp(self) -> None:
        self.skipTest(
            "DCBApplication needs the library's DCB recorders (dynamic consistency "
            "boundaries), which this persistence module does not provide"
        )
