"""`townhall kiosk`: the touch kiosk at the entrance.

townhall kiosk --server http://127.0.0.1:8000 --token T [--config kiosk.toml] [--ca ca.pem]
               [--lang de] [--fullscreen] [--size 1080x1920] [--printer tcp://HOST:9100]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfigError, load_config


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "kiosk",
        help="run the touch kiosk",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--server", help="counter server URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help="the kiosk's device token (role kiosk)")
    parser.add_argument("--ca", help="the office's CA file (townhall tls init) for an https:// server")
    parser.add_argument("--config", type=Path, help="TOML file with a [kiosk] section")
    parser.add_argument("--lang", dest="default_lang", help="start language (default de)")
    parser.add_argument("--fullscreen", action="store_true", default=None)
    parser.add_argument("--size", help="window size WIDTHxHEIGHT, e.g. 1080x1920 (portrait)")
    parser.add_argument(
        "--printer", help="printer address: tcp://HOST:9100, usb://VVVV:PPPP, file:///dev/usb/lp0"
    )
    parser.add_argument("--camera", type=int, help="camera index to read QR codes from")
    parser.add_argument("--idle-timeout", dest="idle_timeout_s", type=float, help="seconds")
    parser.add_argument(
        "--state-dir", help="where leased numbers and the offline outbox are kept"
    )
    parser.set_defaults(handler=handle)
    return parser


def handle(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {
        "server": args.server,
        "token": args.token,
        "ca": args.ca,
        "default_lang": args.default_lang,
        "fullscreen": args.fullscreen,
        "printer": args.printer,
        "camera": args.camera,
        "idle_timeout_s": args.idle_timeout_s,
        "state_dir": args.state_dir,
    }
    try:
        if args.size:
            overrides["width"], overrides["height"] = _size(args.size)
        config = load_config(args.config, **overrides)
    except KioskConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    from kiosk.launch import run

    run(config)
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise KioskConfigError(f"--size: expected WIDTHxHEIGHT, got {text!r}") from None
    return width, height


def start_kiosk_process(
    *, server: str, token: str, extra_args: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """The kiosk in its own process (Kivy wants the main thread), for `townhall demo`."""
    command = [sys.executable, "-m", "kiosk", "--server", server, "--token", token, *extra_args]
    return subprocess.Popen(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk")
    subparsers = parser.add_subparsers()
    add_parser(subparsers)
    args = parser.parse_args(["kiosk", *(sys.argv[1:] if argv is None else argv)])
    return int(args.handler(args))
