"""ESC/POS printers: the print agent, transports, ticket layout and the emulator."""

from __future__ import annotations

import os
from pathlib import Path


def _keep_escpos_capabilities() -> None:
    """python-escpos parses its printer database (a large JSON, through PyYAML) at import and
    pickles it into a fresh temporary folder unless told where: every process paid about 0.4 s
    of CPU for it and left a folder in /tmp. Keep the pickle in the user's cache instead; where
    that cannot be made, escpos keeps its own way."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "townhall" / "escpos"
    try:
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        if cache.stat().st_uid != os.getuid() or not os.access(cache, os.W_OK):
            return
    except (OSError, RuntimeError):  # no home, read-only home (a hardened service)
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


_keep_escpos_capabilities()
