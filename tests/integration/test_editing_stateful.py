"""Random sequences of edits, undos, redos, restores and forks, checked after every step.

Four things must agree each time: the aggregate, the projection, a replay of the log
from scratch, and a small reference model written here. The sequences run once against
the application service and once over the HTTP API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from litestar.testing import TestClient

from stoat._core import Timeline
from stoat.commands import projects as commands
from stoat.domain.context import EventContext
from stoat.errors import Rejected
from stoat.http.app import create_app
from stoat.runtime import Runtime
from stoat.settings import Settings
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from pathlib import Path

Shape = list[tuple[str, list[tuple[str, float]]]]
DURATIONS = st.sampled_from([0.5, 1.0, 1.5, 2.0])
CONTEXT = EventContext(
    actor="test", actor_name="test", request_id="", idempotency_key=None, request_hash=None
)


def shape_of(state: dict[str, Any]) -> Shape:
    """What the model tracks: tracks in order, each with its clips and their durations."""
    return [
        (track["id"], [(clip["id"], round(clip["duration"], 6)) for clip in track["clips"]])
        for track in state["tracks"]
    ]


class Driver(Protocol):
    def create(self) -> str: ...
    def edit(self, project: str, edits: list[dict[str, Any]]) -> int | None: ...
    def undo(self, project: str) -> int | None: ...
    def redo(self, project: str) -> int | None: ...
    def restore(self, project: str, version: int) -> int | None: ...
    def fork(self, project: str, version: int) -> str: ...


class ServiceDriver:
    """Calls the command functions directly."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.app = runtime.services.app

    def create(self) -> str:
        return commands.create_project(self.app, name="model", output={}, context=CONTEXT).id

    def edit(self, project: str, edits: list[dict[str, Any]]) -> int | None:
        services = self.runtime.services
        return self._version(
            lambda: commands.edit_project(
                self.app,
                services.prober,
                services.settings.allowed_roots,
                project_id=project,
                edits=edits,
                expected_version=None,
                transitions=services.transitions,
                context=CONTEXT,
            )
        )

    def undo(self, project: str) -> int | None:
        return self._version(
            lambda: commands.undo_project(
                self.app, project_id=project, steps=1, expected_version=None, context=CONTEXT
            )
        )

    def redo(self, project: str) -> int | None:
        return self._version(
            lambda: commands.redo_project(
                self.app, project_id=project, steps=1, expected_version=None, context=CONTEXT
            )
        )

    def restore(self, project: str, version: int) -> int | None:
        return self._version(
            lambda: commands.restore_project(
                self.app,
                project_id=project,
                version=version,
                expected_version=None,
                context=CONTEXT,
            )
        )

    def fork(self, project: str, version: int) -> str:
        return commands.fork_project(
            self.app, project_id=project, version=version, name=None, context=CONTEXT
        ).id

    @staticmethod
    def _version(call: Any) -> int | None:
        try:
            return int(call().version)
        except Rejected:
            return None


class HttpDriver:
    """Drives the same operations over HTTP."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client

    def create(self) -> str:
        return str(self.client.post("/v1/projects", json={"name": "model"}).json()["id"])

    def edit(self, project: str, edits: list[dict[str, Any]]) -> int | None:
        return self._post(f"/v1/projects/{project}/edits", {"edits": edits})

    def undo(self, project: str) -> int | None:
        return self._post(f"/v1/projects/{project}/undo", {})

    def redo(self, project: str) -> int | None:
        return self._post(f"/v1/projects/{project}/redo", {})

    def restore(self, project: str, version: int) -> int | None:
        return self._post(f"/v1/projects/{project}/restore", {"version": version})

    def fork(self, project: str, version: int) -> str:
        response = self.client.post(f"/v1/projects/{project}/fork", json={"version": version})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def _post(self, url: str, body: dict[str, Any]) -> int | None:
        response = self.client.post(url, json=body)
        if response.status_code == 422:
            return None
        assert response.status_code == 200, response.text
        return int(response.json()["version"])


class Model:
    """The reference: shapes, undo and redo stacks, and the shape at every version."""

    def __init__(self) -> None:
        self.shape: Shape = [("video-1", [])]
        self.undo: list[Shape] = []
        self.redo: list[Shape] = []
        self.at_version: dict[int, Shape] = {1: self.copy()}
        self.next_clip = 1
        self.next_track = 2

    def copy(self) -> Shape:
        return [(track, list(clips)) for track, clips in self.shape]

    def change(self, new: Shape, version: int) -> None:
        self.undo.append(self.copy())
        self.redo.clear()
        self.shape = new
        self.at_version[version] = self.copy()


class EditingMachine(RuleBasedStateMachine):
    driver: Driver
    runtime: Runtime

    @initialize()
    def start(self) -> None:
        self.project = self.driver.create()
        self.model = Model()

    def _tracks(self) -> list[str]:
        return [track for track, _ in self.model.shape]

    def _clips(self) -> list[str]:
        return [clip for _, clips in self.model.shape for clip, _ in clips]

    @rule(track=st.integers(0, 5), duration=DURATIONS)
    def add_clip(self, track: int, duration: float) -> None:
        tracks = self._tracks()
        track_id = tracks[track % len(tracks)]
        clip_id = f"m{self.model.next_clip}"
        version = self.driver.edit(
            self.project,
            [
                {
                    "op": "add_clip",
                    "kind": "color",
                    "color": "blue",
                    "clip_id": clip_id,
                    "track_id": track_id,
                    "duration": duration,
                }
            ],
        )
        assert version is not None
        self.model.next_clip += 1
        new = self.model.copy()
        for name, clips in new:
            if name == track_id:
                clips.append((clip_id, duration))
        self.model.change(new, version)

    @precondition(lambda self: bool(self._clips()))
    @rule(pick=st.integers(0, 50), duration=DURATIONS)
    def retime_clip(self, pick: int, duration: float) -> None:
        clip_id = self._clips()[pick % len(self._clips())]
        version = self.driver.edit(
            self.project, [{"op": "update_clip", "clip_id": clip_id, "duration": duration}]
        )
        assert version is not None
        new = [
            (t, [(c, duration if c == clip_id else d) for c, d in clips])
            for t, clips in self.model.copy()
        ]
        self.model.change(new, version)

    @precondition(lambda self: bool(self._clips()))
    @rule(pick=st.integers(0, 50))
    def remove_clip(self, pick: int) -> None:
        clip_id = self._clips()[pick % len(self._clips())]
        version = self.driver.edit(self.project, [{"op": "remove_clip", "clip_id": clip_id}])
        assert version is not None
        new = [(t, [(c, d) for c, d in clips if c != clip_id]) for t, clips in self.model.copy()]
        self.model.change(new, version)

    @rule()
    def add_track(self) -> None:
        track_id = f"t{self.model.next_track}"
        version = self.driver.edit(
            self.project, [{"op": "add_track", "kind": "video", "track_id": track_id}]
        )
        assert version is not None
        self.model.next_track += 1
        self.model.change([*self.model.copy(), (track_id, [])], version)

    @rule()
    def rejected_edit(self) -> None:
        """A bad batch (its second edit fails) changes nothing."""
        version = self.driver.edit(
            self.project,
            [
                {"op": "add_clip", "kind": "color", "color": "red", "duration": 1},
                {"op": "remove_clip", "clip_id": "ghost"},
            ],
        )
        assert version is None

    @rule()
    def undo(self) -> None:
        version = self.driver.undo(self.project)
        if not self.model.undo:
            assert version is None
            return
        assert version is not None
        self.model.redo.append(self.model.copy())
        self.model.shape = self.model.undo.pop()
        self.model.at_version[version] = self.model.copy()

    @rule()
    def redo(self) -> None:
        version = self.driver.redo(self.project)
        if not self.model.redo:
            assert version is None
            return
        assert version is not None
        self.model.undo.append(self.model.copy())
        self.model.shape = self.model.redo.pop()
        self.model.at_version[version] = self.model.copy()

    @rule(pick=st.integers(0, 1000))
    def restore(self, pick: int) -> None:
        versions = sorted(self.model.at_version)
        target = versions[pick % len(versions)]
        version = self.driver.restore(self.project, target)
        assert version is not None
        self.model.change([(t, list(c)) for t, c in self.model.at_version[target]], version)

    @rule(pick=st.integers(0, 1000))
    def fork(self, pick: int) -> None:
        versions = sorted(self.model.at_version)
        target = versions[pick % len(versions)]
        fork = self.driver.fork(self.project, target)
        assert shape_of(self._aggregate(fork)) == self.model.at_version[target]

    def _aggregate(self, project: str) -> dict[str, Any]:
        return commands.load_project(self.runtime.services.app, project).timeline.state()

    @invariant()
    def four_views_agree(self) -> None:
        if not hasattr(self, "project"):
            return
        services = self.runtime.services
        aggregate = self._aggregate(self.project)
        replayed = Timeline()
        for event in services.app.events.get(UUID(self.project)):
            replayed.evolve(type(event).__name__, event.data)  # type: ignore[attr-defined]
        services.views.wait(services.app.recorder.max_notification_id() or 0, timeout=10)
        projected = services.views.project(self.project)
        assert shape_of(aggregate) == self.model.shape
        assert shape_of(replayed.state()) == self.model.shape
        assert shape_of(projected) == self.model.shape
        assert projected["version"] == aggregate["version"] == replayed.version
        assert aggregate["can_undo"] == len(self.model.undo)
        assert aggregate["can_redo"] == len(self.model.redo)


SETTINGS = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _runtime(tmp_path: Path, media_dir: Path) -> Runtime:
    runtime = Runtime(
        Settings(
            data_dir=tmp_path / "data",
            media_roots=(media_dir,),
            sqlite_synchronous="OFF",
            admin_key=ADMIN_KEY,
        )
    )
    runtime.provision_admin_key()
    runtime.start(jobs=False)
    return runtime


def test_the_application_service_agrees_with_the_model(tmp_path: Path, media_dir: Path) -> None:
    runtime = _runtime(tmp_path, media_dir)
    try:
        machine = type(
            "ServiceMachine",
            (EditingMachine,),
            {"driver": ServiceDriver(runtime), "runtime": runtime},
        )
        run_state_machine_as_test(machine, settings=SETTINGS)
    finally:
        runtime.stop()


@pytest.mark.slow
def test_the_http_api_agrees_with_the_model(tmp_path: Path, media_dir: Path) -> None:
    runtime = _runtime(tmp_path, media_dir)
    try:
        with TestClient(create_app(runtime.services)) as client:
            client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
            machine = type(
                "HttpMachine", (EditingMachine,), {"driver": HttpDriver(client), "runtime": runtime}
            )
            run_state_machine_as_test(machine, settings=SETTINGS)
    finally:
        runtime.stop()
