"""`[offline]`: how many numbers each kiosk holds in reserve for the time the server is away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .reader import Reader

# key -> (type, default)
FIELDS: dict[str, tuple[type, Any]] = {
    "lease_share": (float, 0.1),
    "min_lease": (int, 5),
}


@dataclass(frozen=True)
class OfflineSettings:
    """office.toml `[offline]`, validated.

    Each kiosk holds, per errand, `lease_share` of the day's expected walk-ins divided
    by the number of kiosks, at least `min_lease`, and never more than its fair part
    of what is left of the day's reserved block.
    """

    lease_share: float = 0.1
    min_lease: int = 5


def parse_offline(r: Reader) -> OfflineSettings:
    r.reject_unknown(frozenset(FIELDS))
    share = r.table.get("lease_share", FIELDS["lease_share"][1])
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise r.fail("lease_share", f"must be a number from 0 to 1, not {share!r}")
    minimum = r.table.get("min_lease", FIELDS["min_lease"][1])
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= 50:
        raise r.fail("min_lease", f"must be a whole number from 0 to 50, not {minimum!r}")
    return OfflineSettings(lease_share=float(share), min_lease=minimum)
