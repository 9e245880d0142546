"""Fuzzing the HTTP API from its own OpenAPI document with schemathesis.

Every operation in /schema/openapi.json gets generated requests, valid and not; each
response must not be a server error and must match the schema the document gives for
its status. The one 5xx the contract allows is a 503 with ``Retry-After`` when the read
models are behind or the store cannot take writes. Event streams are left out (they
never end), and the job workers are not started (fuzzed renders and scans would only
queue). Bounded: a few examples per operation, a few hundred in all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from stoat.http.app import create_app  # noqa: E402
from stoat.runtime import Runtime  # noqa: E402
from stoat.settings import Settings  # noqa: E402
from tests.conftest import ADMIN_KEY  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 8
TRANSIENT = {"read_models_behind", "store_unavailable"}
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def fuzz_runtime(tmp_path_factory: pytest.TempPathFactory, media_dir: Path) -> Iterator[Runtime]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("fuzz") / "data",
        media_roots=(media_dir,),
        sqlite_synchronous="OFF",
        read_wait_seconds=0.2,
        admin_key=ADMIN_KEY,
    )
    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start(jobs=False)
    try:
        yield runtime
    finally:
        runtime.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_runtime: Runtime) -> Any:
    app = create_app(fuzz_runtime.services)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app).exclude(
        path_regex=r"/stream$"
    )


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """No 5xx, except a 503 the contract names, which must say when to retry."""
    del ctx
    if response.status_code < 500:
        return None
    body = response.json() if "json" in response.headers.get("content-type", [""])[0] else {}
    if response.status_code == 503 and body.get("code") in TRANSIENT:
        assert response.headers.get("retry-after"), "a 503 must carry Retry-After"
        return None
    raise AssertionError(
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )


def test_the_api_survives_its_own_schema(api_schema: Any) -> None:
    # One test walking the operations: schemathesis' own pytest loader (from_fixture)
    # does not run under pytest 9.
    failures: dict[str, str] = {}
    statuses: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def fuzz(case: Any) -> None:
            response = case.call_and_validate(
                headers=AUTH, checks=[no_server_error, response_schema_conformance]
            )
            statuses.append(response.status_code)

        try:
            fuzz()
        except Exception as error:
            failures[operation.label] = f"{type(error).__name__}: {error}"[:1500]
    assert len(statuses) >= 4 * len(operations)
    print(f"{len(statuses)} requests, statuses {sorted(set(statuses))}")
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
