"""Schemathesis over the whole OpenAPI, with an admin's and a kiosk's token: every answer is
documented (status, content type, shape) and no input, however odd, gets a 500.

Driven through schemathesis' Python API (its pytest plugin does not run under pytest 9):
each operation's generated cases go through hypothesis with a bounded number of examples.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import LiveServer

EXAMPLES = 12
# A schema cannot tell a signed appointment token from a forged one: any string is schema-valid,
# and a forged one is refused with 422 token_invalid on purpose. Every other check still runs there.
UNPROVABLE = {
    "POST /api/v1/checkins": [positive_data_acceptance],
    # rules across fields: a counter_id only with the role counter; at most 366 days, start before end
    "POST /api/v1/devices": [positive_data_acceptance],
    "GET /open/v1/daily.csv": [positive_data_acceptance],
}


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("schemathesis") / "office"
    server = LiveServer.prepare(data_dir, "2026-12-01T09:00")
    server.start()
    yield server
    server.stop()


def _runner(operation: Any, headers: dict[str, str]) -> Any:
    excluded = UNPROVABLE.get(operation.label, [])
    # generous on a loaded CI machine (a first monthly PDF); an event stream is read until its timeout
    timeout = 10 if operation.label.endswith("/stream") else 30

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def run(case: schemathesis.Case) -> None:
        # a fresh key per case: a reused key with another body is refused (422) by design
        keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())} if "Idempotency-Key" in (case.headers or {}) else headers
        case.call_and_validate(headers=keyed, excluded_checks=excluded, timeout=timeout)

    return run


def _failures(server: LiveServer, role: str) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {server.tokens[role]}"}
    found: list[str] = []
    operations = list(schema.get_all_operations())
    assert len(operations) >= 30
    for result in operations:
        operation = result.ok()
        try:
            _runner(operation, headers)()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: B036 - schemathesis raises a group; report every operation's
            found.append(f"{operation.label}: {_summary(error)}")
    return found


def _summary(error: BaseException) -> str:
    parts = [str(error)]
    for sub in getattr(error, "exceptions", ()):
        parts.append(f"{type(sub).__name__}: {str(sub)[:600]}")
    return "\n  ".join(parts)[:1500]


@pytest.mark.parametrize("role", ["admin", "kiosk"])
def test_the_api_keeps_its_documented_promises(api_server: LiveServer, role: str) -> None:
    failures = _failures(api_server, role)
    assert not failures, "\n\n".join(failures)
