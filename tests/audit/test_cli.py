"""``stoat audit verify``: the same check from the command line, with an exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from stoat.audit.signing import service_key
from tests.audit._support import connect, event_state, set_state

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings


def _stoat(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stoat.cli", "audit", "verify", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "STOAT_DATA_DIR": str(settings.data_dir), "STOAT_SIGNING_KEY": ""},
        timeout=120,
    )


def test_cli_verify_reports_ok_then_the_first_fault(
    client: TestClient[Litestar], settings: Settings
) -> None:
    project = client.post("/v1/projects", json={"name": "cli"}).json()
    client.post(
        f"/v1/projects/{project['id']}/edits",
        json={"edits": [{"op": "add_track", "kind": "audio"}]},
    )
    checkpoint = client.post("/v1/audit/checkpoints").json()
    ok = _stoat(settings)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: 4 events, head 4 ")
    assert "1 checkpoints" in ok.stdout
    report = json.loads(_stoat(settings, "--json").stdout)
    assert report["last_checkpoint"]["head"] == checkpoint["head"]
    kept = f"{checkpoint['position']}:{checkpoint['head']}"
    assert _stoat(settings, "--expect", kept).returncode == 0

    connection = connect(settings.events_db)
    try:
        state = event_state(connection, 2)
        state["context"]["actor_name"] = "not me"
        set_state(connection, 2, state)
    finally:
        connection.close()
    bad = _stoat(settings)
    assert bad.returncode == 1
    assert bad.stdout.startswith("FAULT at position 2 (hash_mismatch)")


def test_cli_verify_with_a_given_public_key_or_a_wrong_one(
    client: TestClient[Litestar], settings: Settings
) -> None:
    client.post("/v1/projects", json={"name": "cli"})
    client.post("/v1/audit/checkpoints")
    key = service_key(settings)
    assert _stoat(settings, "--public-key", key.public_key).returncode == 0
    other = _stoat(settings, "--public-key", "A" * 43 + "=")
    assert other.returncode == 1
    assert "untrusted_key" in other.stdout
    assert _stoat(settings, "--public-key", "short").returncode == 2
    assert _stoat(settings, "--expect", "3:abc").returncode == 2
