"""Schemathesis over the whole OpenAPI, with an admin's and a kiosk's token: every answer is
documented (status, content type, shape) and no input, however odd, gets a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import LiveServer

ROLES = ("admin", "kiosk")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("schemathesis") / "office"
    server = LiveServer.prepare(data_dir, "2026-12-01T09:00")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_schema(api_server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, api_server: LiveServer) -> str:
    return api_server.tokens[request.param]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_documented_promises(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
