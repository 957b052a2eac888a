"""A real NATS server with JetStream and a throwaway PostgreSQL cluster, started by the tests
(bench/city_engines.py); where the Debian packages are missing the city tests are skipped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from bench.city_engines import EngineMissing, Nats, Postgres, postgres_cluster
from bench.city_engines import nats_server as _nats

__all__ = ["Nats", "Postgres"]


def _started(engine: contextlib.AbstractContextManager[Any]) -> Iterator[Any]:
    try:
        value = engine.__enter__()
    except EngineMissing as missing:
        pytest.skip(str(missing))
    try:
        yield value
    finally:
        engine.__exit__(None, None, None)


@pytest.fixture
def nats_server() -> Iterator[Nats]:
    yield from _started(_nats())


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    yield from _started(postgres_cluster())
