"""Child processes a command starts and must stop again, whatever stops it."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM when its parent dies, even by SIGKILL
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: PLW1509


def stop_all(processes: list[subprocess.Popen[bytes]], *, seconds: float) -> None:
    """SIGTERM to all at once (last started first), SIGKILL to what still runs after `seconds`."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
