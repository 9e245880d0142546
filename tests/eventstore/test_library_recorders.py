"""The eventsourcing library's own recorder and factory test cases, run on our module.

The base classes are reached through their module (``lib``) so that pytest does not
collect the abstract classes themselves.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal
from uuid import UUID, uuid4

import pytest

pytest.importorskip(
    "Crypto", reason="eventsourcing.tests.persistence imports AESCipher (needs pycryptodome)"
)

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.tests import persistence as lib
from eventsourcing.utils import Environment

from stoat.eventstore import (
    ApswAggregateRecorder,
    ApswApplicationRecorder,
    ApswDatastore,
    ApswFactory,
    ApswProcessRecorder,
    ApswTrackingRecorder,
)
from tests.eventstore._support import TempDatabaseTestCase


class WithDatastore(TempDatabaseTestCase):
    """A fresh database file per test; ``create_recorder`` may be called repeatedly."""

    originator_id_type: Literal["uuid", "text"] = "uuid"
    memory = False

    def recorder_datastore(self) -> ApswDatastore:
        # A named in-memory database is shared by the datastores of this test only.
        db_name = f"file:{self.id()}?mode=memory" if self.memory else self.db_name
        return self.datastore(db_name, originator_id_type=self.originator_id_type)


class WithTextOriginatorID(WithDatastore):
    originator_id_type: Literal["uuid", "text"] = "text"

    def new_originator_id(self) -> UUID | str:
        return "project-" + str(uuid4())


class TestAggregateRecorder(WithDatastore, lib.AggregateRecorderTestCase):
    def create_recorder(self) -> AggregateRecorder:
        recorder = ApswAggregateRecorder(self.recorder_datastore())
        recorder.create_table()
        return recorder


class TestAggregateRecorderWithTextOriginatorID(WithTextOriginatorID, TestAggregateRecorder):
    pass


class TestApplicationRecorder(
    WithDatastore, lib.ApplicationRecorderTestCase[ApswApplicationRecorder]
):
    def create_recorder(self) -> ApswApplicationRecorder:
        recorder = ApswApplicationRecorder(self.recorder_datastore())
        recorder.create_table()
        return recorder

    def test_insert_subscribe(self) -> None:
        # Optional in the library: enabled because we implement subscribe().
        self.optional_test_insert_subscribe()


class TestApplicationRecorderWithTextOriginatorID(WithTextOriginatorID, TestApplicationRecorder):
    pass


class TestApplicationRecorderInMemory(TestApplicationRecorder):
    memory = True


class TestTrackingRecorder(WithDatastore, lib.TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        recorder = ApswTrackingRecorder(self.recorder_datastore())
        recorder.create_table()
        return recorder


class TestProcessRecorder(WithDatastore, lib.ProcessRecorderTestCase):
    def create_recorder(self) -> ProcessRecorder:
        recorder = ApswProcessRecorder(self.recorder_datastore())
        recorder.create_table()
        return recorder


class TestProcessRecorderWithTextOriginatorID(WithTextOriginatorID, TestProcessRecorder):
    pass


class TestNonInterleavingNotificationIDs(WithDatastore, lib.NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self) -> ApplicationRecorder:
        recorder = ApswApplicationRecorder(self.recorder_datastore())
        recorder.create_table()
        return recorder


class TestNonInterleavingNotificationIDsInMemory(TestNonInterleavingNotificationIDs):
    memory = True


class TestInfrastructureFactory(lib.InfrastructureFactoryTestCase[ApswFactory]):
    class TrackingRecorderSubclass(ApswTrackingRecorder):
        pass

    def expected_factory_class(self) -> type[ApswFactory]:
        return ApswFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return ApswAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return ApswApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return ApswTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return self.TrackingRecorderSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return ApswProcessRecorder

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="stoat-eventstore-")
        self.env = Environment("TestCase")
        self.env[InfrastructureFactory.PERSISTENCE_MODULE] = "stoat.eventstore"
        self.env[ApswFactory.APSW_DBNAME] = str(Path(self._tmp.name) / "events.db")
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self._tmp.cleanup()

    def test_table_names_follow_the_environment_name(self) -> None:
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, ApswApplicationRecorder)
        assert recorder.events_table_name == "testcase_events"
        snapshots = self.factory.aggregate_recorder("snapshots")
        assert isinstance(snapshots, ApswAggregateRecorder)
        assert snapshots.events_table_name == "testcase_snapshots"
        tracking = self.factory.tracking_recorder()
        assert tracking.tracking_table_name == "testcase_tracking"

    def test_construct_raises_environment_error_when_dbname_missing(self) -> None:
        del self.env[ApswFactory.APSW_DBNAME]
        with pytest.raises(OSError, match="TESTCASE_APSW_DBNAME, APSW_DBNAME"):
            InfrastructureFactory.construct(self.env)
