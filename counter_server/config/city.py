"""`[city]`: where this office sends its events when it belongs to a city layer.

Without the section the office runs alone, exactly as before: no outbox rows, no
publisher, nothing more to install.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .reader import Reader

FIELDS: dict[str, tuple[type, Any]] = {"nats_url": (str, ""), "stream": (str, ""), "credentials": (str, ""),
                                       "catalogue": (bool, True), "skip_errands": (list, []),
                                       "jetstream_domain": (str, "")}
_STREAM = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class CitySettings:
    nats_url: str
    stream: str  # this office's JetStream stream
    credentials: Path | None = None  # a NATS .creds file, when the city's server asks for one
    jetstream_domain: str | None = None  # the city hub's domain, when nats_url is this office's leaf node
    catalogue: bool = True  # take the city's errand catalogue into office.toml
    skip_errands: tuple[str, ...] = ()  # errands of the catalogue this office does not offer


def default_stream(office_id: str) -> str:
    return "TOWNHALL_" + office_id.upper().replace("-", "_")


def parse_city(root: Reader, office_id: str) -> CitySettings | None:
    if "city" not in root.table:
        return None
    r = root.sub("city")
    r.reject_unknown(frozenset(FIELDS))
    url = r.get("nats_url", str).strip()
    if not url.startswith(("nats://", "tls://", "ws://", "wss://")):
        raise r.fail("nats_url", f"must be a NATS URL such as nats://127.0.0.1:4222, not {url!r}")
    stream = r.get("stream", str, "").strip() or default_stream(office_id)
    if not _STREAM.match(stream):
        raise r.fail("stream", f"{stream!r} must be letters, digits, - and _ (at most 64)")
    credentials = r.get("credentials", str, "").strip()
    path = Path(credentials).expanduser() if credentials else None
    if path is not None and not path.is_file():
        raise r.fail("credentials", f"{credentials!r}: no such file")
    skip = r.get("skip_errands", list, [])
    if not all(isinstance(s, str) for s in skip):
        raise r.fail("skip_errands", "must be a list of errand ids")
    domain = r.get("jetstream_domain", str, "").strip()
    if domain and not _STREAM.match(domain):
        raise r.fail("jetstream_domain", f"{domain!r} must be letters, digits, - and _")
    return CitySettings(nats_url=url, stream=stream, credentials=path, catalogue=r.get("catalogue", bool, True),
                        jetstream_domain=domain or None,
                        skip_errands=tuple(skip))
