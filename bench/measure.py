"""Small measuring tools shared by the server benchmarks: percentiles, a process's CPU, load."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    """n, p50, p99, max and mean of milliseconds (empty: n 0 only)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


def cpu_s(pid: int) -> float:
    """User plus system CPU seconds of process `pid` so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # after the command: state is field 3; utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) * TICK_S


class CpuMeter:
    """The CPU a process spent during a `with` block, in milliseconds (`.ms` afterwards)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.ms = 0.0

    @contextmanager
    def measure(self) -> Iterator[CpuMeter]:
        before = cpu_s(self.pid)
        try:
            yield self
        finally:
            self.ms = (cpu_s(self.pid) - before) * 1000


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
