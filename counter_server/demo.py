"""`townhall demo`: the whole system on its embedded defaults, for a first look."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx

from . import children
from .paths import DataDir

if TYPE_CHECKING:
    from .core.model import Office

PRINTER_PORT = 9100
STOP_S = 4.0  # children get this long after SIGTERM before SIGKILL
# a small office PC (or a loaded test machine) may need this long to start the server
SERVER_START_S = 60.0
PRINTER_SECTION = """
# The demo's ticket printer: the ESC/POS emulator, fed by the print agent.
[[printers]]
id = "eingang"
name = "Drucker Eingang"
paper_mm = 80
kiosks = ["*"]
agent = "demo printer"
"""
DEMO_DEVICES = [("admin", None), ("kiosk", None), ("display", None), ("printer", None)] + [
    ("counter", str(n)) for n in range(1, 9)
]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run server, printer emulator and kiosk on demo defaults")
    demo.add_argument("--data-dir", default="townhall-demo")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-kiosk", action="store_true")
    demo.add_argument("--printer-port", type=int, default=PRINTER_PORT, help="the printer emulator's port")
    demo.add_argument("--clock", help="office local time to start at (default: now, or next opening)")
    demo.set_defaults(handler=run)


def demo_tokens(data_dir: Path) -> dict[str, str]:
    """Tokens of the demo devices, created once and kept in the demo data directory."""
    from .cli import new_device_tokens

    path = data_dir / "demo-tokens.json"
    if path.exists():
        tokens: dict[str, str] = json.loads(path.read_text())
        return tokens
    devices = [(role, f"demo {role}" + (f" {counter}" if counter else ""), counter) for role, counter in DEMO_DEVICES]
    fresh = new_device_tokens(data_dir, devices)
    tokens = {
        f"{role}:{counter}" if counter else role: token
        for (role, _, counter), token in zip(devices, fresh, strict=True)
    }
    path.write_text(json.dumps(tokens, indent=2))
    path.chmod(0o600)
    return tokens


def _start_in_hours(office: Office, moment: datetime) -> datetime | None:
    """`moment` itself when the office is open then with time for a look, else an hour
    after the next opening; None when the office never opens."""
    from .core import hours

    if hours.is_open(office.hours, moment, office.timezone):
        until = hours.walk_in_until(office.hours, moment, office.timezone)
        if until is not None and moment < until - timedelta(minutes=30):
            return moment
    opening = hours.next_opening(office.hours, moment, office.timezone)
    return None if opening is None else opening + timedelta(hours=1)


def last_event_at(data_dir: Path) -> datetime | None:
    """When the office's latest event happened (by the office clock of its day), if any."""
    path = DataDir(data_dir).db
    if not path.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            row = conn.execute("SELECT max(at) FROM events").fetchone()
        except sqlite3.OperationalError:  # no events table yet
            return None
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def demo_clock(data_dir: Path, now: datetime | None = None) -> str | None:
    """The office local time the demo starts at; None for the real time.

    Inside opening hours, so a first look never meets a closed office; and never before
    the last event of an earlier run, so no wait reads "-4 min": the clock continues
    from it while that day is still open, or starts the next open day.
    """
    from .config import load_config

    office = load_config(DataDir(data_dir).config).office
    now = now or datetime.now(UTC)
    start = _start_in_hours(office, now) or now
    latest = last_event_at(data_dir)
    if latest is not None and latest >= start:
        after = latest + timedelta(minutes=1)
        start = _start_in_hours(office, after) or after
    if start == now:
        return None
    local = start.astimezone(ZoneInfo(office.timezone)).replace(tzinfo=None)
    return local.isoformat(timespec="minutes")


def _wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = SERVER_START_S) -> bool:
    """Whether the server answers /health in time; False at once when it exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


def _print_welcome(url: str, tokens: dict[str, str], clock: str | None) -> None:
    lines = [
        "",
        "townhall-queue demo is running" + (f" (office clock starts at {clock})" if clock else ""),
        f"  waiting-room display: {url}/display?token={tokens['display']}",
    ]
    lines += [f"  clerk, counter {n}:     {url}/clerk?token={tokens[f'counter:{n}']}" for n in (1, 2, 3)]
    lines += [
        "  (counters 1-8: tokens in demo-tokens.json)",
        f"  kiosk token:          {tokens['kiosk']}",
        f"  admin token:          {tokens['admin']}",
        f"  API:                  {url}/docs",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


class _Stop(Exception):
    """SIGTERM (or SIGHUP) reached the demo: stop everything it started."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def run(args: argparse.Namespace) -> int:
    from .cli import init_data_dir

    data_dir = Path(args.data_dir).expanduser().resolve()
    if init_data_dir(data_dir, demo_office=True):
        with DataDir(data_dir).config.open("a", encoding="utf-8") as config:
            config.write(PRINTER_SECTION)
    tokens = demo_tokens(data_dir)
    clock = args.clock or demo_clock(data_dir)
    url = f"http://127.0.0.1:{args.port}"
    townhall = [sys.executable, "-m", "counter_server.cli"]
    serve = townhall + ["serve", "--data-dir", str(data_dir), "--port", str(args.port)]
    processes: list[subprocess.Popen[bytes]] = []
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    try:
        processes.append(children.spawn(serve + (["--clock", clock] if clock else [])))
        if not _wait_for(url, processes[0]):
            print("the server did not start; see the messages above", file=sys.stderr)
            return 1
        start_companions(processes, data_dir, url, tokens, kiosk=not args.no_kiosk, printer_port=args.printer_port)
        _print_welcome(url, tokens, clock)
        processes[0].wait()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the clean-up short
        children.stop_all(processes, seconds=STOP_S)
    return 0


def start_companions(
    started: list[subprocess.Popen[bytes]], data_dir: Path, url: str, tokens: dict[str, str],
    *, kiosk: bool, printer_port: int = PRINTER_PORT,
) -> None:
    """Printer emulator, print agent and, where there is a screen, the kiosk; each is added
    to `started` at once, so a signal in between still stops it."""
    from kiosk.cli import start_kiosk_process

    townhall = [sys.executable, "-m", "counter_server.cli"]
    printed = data_dir / "printed"
    started.append(children.spawn(
        townhall + ["printer", "emulate", "--port", str(printer_port), "--out", str(printed)]))
    started.append(children.spawn(townhall + [
        "printer", "agent", "--server", url, "--token", tokens["printer"],
        "--printer", f"tcp://127.0.0.1:{printer_port}", "--state-dir", str(data_dir / "print-agent"),
    ]))
    print(f"  printed tickets (PNG): {printed}")
    if not kiosk:
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        started.append(start_kiosk_process(
            server=url, token=tokens["kiosk"], extra_args=("--state-dir", str(data_dir / "kiosk"))
        ))
    else:
        print("no screen here: the kiosk is not started (use --no-kiosk to silence this)")
