"""`townhall demo`: the whole system on its embedded defaults, for a first look."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from .paths import DataDir

PRINTER_PORT = 9100
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


def demo_clock(data_dir: Path) -> str | None:
    """Start inside opening hours, so a first look never meets a closed office."""
    from .config import load_config
    from .core import hours

    office = load_config(DataDir(data_dir).config).office
    now = datetime.now(UTC)
    if hours.is_open(office.hours, now, office.timezone):
        until = hours.walk_in_until(office.hours, now, office.timezone)
        if until is not None and now < until - timedelta(minutes=30):
            return None
    opening = hours.next_opening(office.hours, now, office.timezone)
    if opening is None:
        return None
    return (opening + timedelta(hours=1)).replace(tzinfo=None).isoformat(timespec="minutes")


def _wait_for(url: str, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
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
    processes = [subprocess.Popen(serve + (["--clock", clock] if clock else []))]
    try:
        if not _wait_for(url):
            print("the server did not start; see the messages above", file=sys.stderr)
            return 1
        processes += start_companions(data_dir, url, tokens, kiosk=not args.no_kiosk)
        _print_welcome(url, tokens, clock)
        processes[0].wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
    return 0


def start_companions(data_dir: Path, url: str, tokens: dict[str, str], *, kiosk: bool) -> list[subprocess.Popen[bytes]]:
    """Printer emulator, print agent and, where there is a screen, the kiosk."""
    from kiosk.cli import start_kiosk_process

    townhall = [sys.executable, "-m", "counter_server.cli"]
    printed = data_dir / "printed"
    started = [
        subprocess.Popen(townhall + ["printer", "emulate", "--port", str(PRINTER_PORT), "--out", str(printed)]),
        subprocess.Popen(townhall + [
            "printer", "agent", "--server", url, "--token", tokens["printer"],
            "--printer", f"tcp://127.0.0.1:{PRINTER_PORT}", "--state-dir", str(data_dir / "print-agent"),
        ]),
    ]
    print(f"  printed tickets (PNG): {printed}")
    if not kiosk:
        return started
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        started.append(start_kiosk_process(
            server=url, token=tokens["kiosk"], extra_args=("--state-dir", str(data_dir / "kiosk"))
        ))
    else:
        print("no screen here: the kiosk is not started (use --no-kiosk to silence this)")
    return started
