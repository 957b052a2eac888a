"""The city's JetStream streams: one per office for its events, one for the errand catalogue.

`townhall city init` makes them all up front; an office's publisher still makes its own
stream when it finds none (a city that never ran init keeps working).
"""

from __future__ import annotations

import nats
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig

from ..config.city import default_stream
from . import payload

DEDUP_WINDOW_S = 24 * 3600.0  # a message id is remembered this long
CATALOGUE_STREAM = "TOWNHALL_CATALOGUE"
CATALOGUE_SUBJECT = f"{payload.SUBJECT_PREFIX}.city.catalogue"
CATALOGUE_KEEP = 20  # published versions kept in the stream (offices only ever read the last)


def office_stream(office_id: str, name: str | None = None) -> StreamConfig:
    return StreamConfig(name=name or default_stream(office_id), subjects=[payload.subject(office_id)],
                        storage=StorageType.FILE, duplicate_window=DEDUP_WINDOW_S)


def catalogue_stream() -> StreamConfig:
    return StreamConfig(name=CATALOGUE_STREAM, subjects=[CATALOGUE_SUBJECT], storage=StorageType.FILE,
                        max_msgs_per_subject=CATALOGUE_KEEP, duplicate_window=DEDUP_WINDOW_S)


async def ensure(js: JetStreamContext, config: StreamConfig) -> bool:
    """Make the stream unless it exists; whether it was made now."""
    assert config.name is not None
    try:
        await js.stream_info(config.name)
        return False
    except nats.js.errors.NotFoundError:
        await js.add_stream(config)
        return True


async def ensure_city(js: JetStreamContext, office_ids: list[str]) -> list[tuple[str, bool]]:
    """Every office's stream and the catalogue's: (name, made now) each."""
    configs = [*(office_stream(o) for o in office_ids), catalogue_stream()]
    return [(str(c.name), await ensure(js, c)) for c in configs]
