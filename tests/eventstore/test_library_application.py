"""The eventsourcing library's application test cases, with our persistence module.

As in the library's own ``test_application_with_sqlite.py``, the environment variables
select the module for every ``Application`` the cases construct.
"""

from __future__ import annotations

import os
import tempfile
from itertools import count
from pathlib import Path
from unittest import TestCase

import pytest
from eventsourcing.tests import application as lib

_MEMORY_DB_NUMBERS = count(1)


class WithApsw(TestCase):
    expected_factory_topic = "stoat.eventstore._factory:ApswFactory"
    memory = False

    def setUp(self) -> None:
        super().setUp()
        self._tmp = tempfile.TemporaryDirectory(prefix="stoat-eventstore-")
        if self.memory:
            db_name = f"file:application-{next(_MEMORY_DB_NUMBERS)}?mode=memory"
        else:
            db_name = str(Path(self._tmp.name) / "events.db")
        self._saved = {key: os.environ.get(key) for key in self._env()}
        os.environ.update(self._env(db_name))

    @staticmethod
    def _env(db_name: str = "") -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "stoat.eventstore",
            "CREATE_TABLE": "y",
            "APSW_DBNAME": db_name,
            # The cases append from many threads at once; durability is not under test.
            "APSW_SYNCHRONOUS": "NORMAL",
        }

    def tearDown(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._tmp.cleanup()
        super().tearDown()


class TestApplicationWithApswFile(WithApsw, lib.ApplicationTestCase):
    @pytest.mark.filterwarnings("always::DeprecationWarning")
    def test_application_log(self) -> None:
        # The case records the deprecation warning itself, which only works when the
        # warning is not turned into an error (pytest runs with filterwarnings=error).
        super().test_application_log()


class TestApplicationWithApswInMemory(TestApplicationWithApswFile):
    memory = True


class TestExampleApplicationWithApswFile(WithApsw, lib.ExampleApplicationTestCase):
    pass


class TestExampleApplicationWithApswInMemory(WithApsw, lib.ExampleApplicationTestCase):
    memory = True
