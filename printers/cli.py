"""`townhall printer emulate` and `townhall printer agent`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from counter_server.tls_client import TrustError

from .agent import AgentSettings, AgentSetupError, run_agent
from .emulator import EmulatedStatus, Emulator
from .transports import Timeouts, TransportAddressError


def add_parser(subparsers: Any) -> None:
    """Register `printer emulate` and `printer agent` on the `townhall` command."""
    printer = subparsers.add_parser("printer", help="ESC/POS emulator and print agent")
    actions = printer.add_subparsers(dest="printer_action", required=True)

    emulate = actions.add_parser("emulate", help="a network ESC/POS printer that saves PNGs")
    emulate.add_argument("--port", type=int, default=9100)
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--out", required=True, help="folder for ticket-NNNN.{bin,txt,png}")
    emulate.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper mm")
    emulate.add_argument(
        "--status",
        choices=[s.value for s in EmulatedStatus],
        default="ok",
        help="initial status; change it later by writing into OUT/status",
    )
    emulate.set_defaults(handler=cmd_emulate)

    agent = actions.add_parser("agent", help="print the server's jobs on a network printer")
    agent.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
    agent.add_argument("--token", required=True, help="token of a printer device")
    agent.add_argument("--printer", required=True, help="tcp://HOST:9100, usb://VID:PID, ...")
    agent.add_argument("--ca", default="", help="the office's CA file (townhall tls init) for https://")
    agent.add_argument("--printer-id", help="printer id in office.toml (default: the only one)")
    agent.add_argument("--state-dir", default=".townhall-printer-agent", help="job journal")
    agent.add_argument("--status-interval", type=float, default=1.0, help="seconds")
    agent.set_defaults(handler=cmd_agent)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # One line per request would bury the lines that matter.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def cmd_emulate(args: argparse.Namespace) -> int:
    _logging()
    try:
        emulator = Emulator(
            out_dir=Path(args.out),
            host=args.host,
            port=args.port,
            paper_mm=args.paper,
            status=EmulatedStatus(args.status),
        ).start()
    except OSError as error:
        print(
            f"townhall printer emulate: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 2
    print(f"ESC/POS printer emulator on {emulator.address}; tickets go to {args.out}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def cmd_agent(args: argparse.Namespace) -> int:
    _logging()
    settings = AgentSettings(
        server=args.server,
        token=args.token,
        printer=args.printer,
        printer_id=args.printer_id,
        state_dir=Path(args.state_dir),
        status_interval=args.status_interval,
        timeouts=Timeouts(),
        ca_file=args.ca,
    )

    async def main() -> None:
        task = asyncio.create_task(run_agent(settings))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    except (AgentSetupError, TransportAddressError, TrustError) as error:
        print(f"townhall printer agent: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m printers printer ...`: the same commands without the `townhall` wrapper."""
    parser = argparse.ArgumentParser(prog="python -m printers")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))
