"""The counter server. Importing it imports sqlite_utils first, without numpy and pandas."""

from __future__ import annotations

import sys

# sqlite_utils imports numpy and pandas when they are installed (matplotlib brings numpy) only
# to map their number types to column types; the server never stores such values, and numpy
# alone kept about 12 MB resident in every server process (issue 14). Hidden from that one
# import; later imports of numpy (the statistics' charts) work as before.
_HIDDEN = ("numpy", "pandas")


def _import_sqlite_utils() -> None:
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


_import_sqlite_utils()
