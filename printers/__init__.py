"""ESC/POS printers: the print agent, transports, ticket layout and the emulator."""

from __future__ import annotations

import importlib.util
import os
import pickle
import platform
import tempfile
from pathlib import Path


def _escpos_cache() -> Path | None:
    """The user's cache folder for python-escpos's pickle, or None where it cannot be made
    (no home, a read-only home in a hardened service, a folder someone else owns)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "townhall" / "escpos"
    try:
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        if cache.stat().st_uid != os.getuid() or not os.access(cache, os.W_OK):
            return None
    except (OSError, RuntimeError):
        return None
    return cache


def _capabilities_json() -> Path | None:
    """escpos's printer database, found without importing escpos (a server that never prints
    through python-escpos does not load it)."""
    spec = importlib.util.find_spec("escpos")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(folders[0]) / "capabilities.json" if folders else None


def _write_pickle_whole(cache: Path) -> bool:
    """Write the pickle python-escpos would write, but whole: under a temporary name, then
    renamed. escpos writes it in place, so a second process starting meanwhile found the file
    and read it half written (EOFError at import, seen with four test workers on a fresh
    machine). escpos reads the same database with yaml.safe_load; so do we, only when the
    pickle is missing or older than the database (PyYAML is not loaded otherwise)."""
    source = _capabilities_json()
    target = cache / f"{platform.python_version()}.capabilities.pickle"
    if source is None:
        return False
    try:
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            return True
    except OSError:
        return False
    import yaml  # type: ignore[import-untyped]  # escpos's own dependency; needed once

    try:
        capabilities = yaml.safe_load(source.read_text(encoding="utf-8"))
        fd, temporary = tempfile.mkstemp(dir=cache, suffix=".part")
    except (OSError, yaml.YAMLError):
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(capabilities, out, protocol=2)
        os.replace(temporary, target)
    except OSError:  # a full disk: escpos keeps its own way
        Path(temporary).unlink(missing_ok=True)
        return False
    return True


def _keep_escpos_capabilities() -> None:
    """python-escpos parses its printer database (a large JSON, through PyYAML) at import and
    pickles it into a fresh temporary folder unless told where: every process paid about 0.4 s
    of CPU for it and left a folder in /tmp. Keep a whole pickle in the user's cache instead;
    where that cannot be made, escpos keeps its own way."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    cache = _escpos_cache()
    if cache is not None and _write_pickle_whole(cache):
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


_keep_escpos_capabilities()
