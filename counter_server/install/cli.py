"""`townhall install [kiosk|display]` and `townhall uninstall`."""

from __future__ import annotations

import argparse
import os
import pwd
import socket
import sys
from pathlib import Path

from ..paths import DataDir
from ..tls import TlsFiles, init_tls
from . import city, units
from .plan import Step, add_user, carry_out, command, make_dir, show, write_file

UNIT_DIR = Path("/etc/systemd/system")
ALL_UNITS = [*units.server_units(units.Settings(python="")), "townhall-kiosk.service", "townhall-display.service",
             *city.CITY_UNITS]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    install = sub.add_parser("install", help="systemd units, user and data directory (as root)")
    _common(install)
    install.add_argument("--data-dir", default=units.Settings.data_dir)
    install.add_argument("--backup-dir", default=units.Settings.backup_dir)
    install.add_argument("--keep", type=int, default=units.Settings.keep, help="nightly backups kept")
    install.add_argument("--host", default=units.Settings.host)
    install.add_argument("--port", type=int, default=units.Settings.port)
    install.add_argument("--printer", help="tcp://HOST:9100: also run the print agent for this printer")
    install.add_argument("--printer-token", help="the print agent's device token (role printer)")
    install.add_argument("--tls", action="store_true",
                         help="serve HTTPS (makes the office's CA and certificate with `tls init` if missing)")
    install.add_argument("--tls-name", action="append", default=[], metavar="NAME",
                         help="with --tls: a host name the PCs use for the server (repeatable; default this host's)")
    install.add_argument("--tls-ip", action="append", default=[], metavar="IP",
                         help="with --tls: an address the PCs use for the server (repeatable)")
    install.add_argument("--city-leaf", metavar="URL",
                         help="also run a NATS leaf node to the city's hub, e.g. nats-leaf://city.example:7422")
    install.set_defaults(handler=cmd_install)
    targets = install.add_subparsers(dest="target")
    kiosk = targets.add_parser("kiosk", help="a kiosk PC: the touch kiosk full screen after boot")
    _common(kiosk)
    kiosk.add_argument("--server", required=True)
    kiosk.add_argument("--token", required=True)
    kiosk.add_argument("--ca", default="", help="for an https:// server: the office's ca.pem, copied to /etc/townhall")
    kiosk.set_defaults(handler=cmd_install)
    display = targets.add_parser("display", help="a display PC: Chromium in kiosk mode after boot")
    _common(display)
    display.add_argument("--url", required=True, help="http://SERVER:8000/display?token=...")
    display.set_defaults(handler=cmd_install)
    city.add_parser(targets, _common).set_defaults(handler=cmd_install)
    uninstall = sub.add_parser("uninstall", help="stop and remove the units; data, backups and users stay")
    _common(uninstall)
    uninstall.set_defaults(handler=cmd_uninstall)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="print what would be done")
    parser.add_argument("--user", help="the account it runs as (townhall, townhall-kiosk, townhall-display)")


def _settings(args: argparse.Namespace) -> units.Settings:
    names = ("data_dir", "backup_dir", "keep", "host", "port", "tls")
    fields = {k: getattr(args, k) for k in names if hasattr(args, k)}
    target = getattr(args, "target", None)
    user = args.user or ("townhall" if target is None else f"townhall-{target}")
    return units.Settings(python=sys.executable, user=user, **fields)


def _unit_steps(files: dict[str, str], enable: list[str]) -> list[Step]:
    steps = [write_file(UNIT_DIR / name, text, 0o644) for name, text in files.items()]
    steps.append(command("systemctl", "daemon-reload"))
    return steps + [command("systemctl", "enable", "--now", name) for name in enable]


def server_steps(args: argparse.Namespace) -> list[Step]:
    settings = _settings(args)
    data, config = Path(settings.data_dir), Path(settings.config_dir)
    steps = add_user(settings.user, "--system", "--user-group", "--home-dir", str(data), "--shell", "/usr/sbin/nologin")
    steps += [make_dir(data, settings.user, 0o700), make_dir(Path(settings.backup_dir), settings.user, 0o700)]
    steps.append(Step(f"townhall init --data-dir {data} (only without an office.toml); files 0600", lambda: _init(data, settings.user)))
    if settings.tls:
        steps.append(Step(f"townhall tls init --data-dir {data} (only without a certificate)",
                          lambda: _tls_init(data, settings.user, args.tls_name, args.tls_ip)))
    enable = ["townhall.service", "townhall-backup.timer"]
    if args.printer and args.printer_token:
        ca = TlsFiles.of(data).ca_cert if settings.tls else ""
        env = (f"TOWNHALL_SERVER={settings.server_url}\nTOWNHALL_TOKEN={args.printer_token}\n"
               f"TOWNHALL_PRINTER={args.printer}\nTOWNHALL_CA={ca}\n")
        steps.append(write_file(config / "print-agent.env", env, 0o600))
        enable.append("townhall-print-agent.service")
    files = units.server_units(settings)
    if args.city_leaf:
        leaf, leaf_unit = city.leaf_steps(settings, args.city_leaf)
        steps += leaf
        files = {**files, **leaf_unit}
        enable.append("townhall-nats-leaf.service")
    return steps + _unit_steps(files, enable)


def _init(data: Path, user: str) -> None:
    from ..cli import init_data_dir

    init_data_dir(data, demo_office=False)
    entry = pwd.getpwnam(user)
    for path in [data, *data.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)
    DataDir(data).secure()


def _tls_init(data: Path, user: str, names: list[str], ips: list[str]) -> None:
    if TlsFiles.of(data).ready():
        return
    init_tls(data, names=names or [socket.gethostname()], ips=ips)
    entry = pwd.getpwnam(user)
    for path in [TlsFiles.of(data).folder, *TlsFiles.of(data).folder.iterdir()]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def screen_steps(args: argparse.Namespace) -> list[Step]:
    settings = _settings(args)
    name = args.target
    config = Path(settings.config_dir)
    what = "kiosk" if name == "kiosk" else "waiting-room display"
    unit, session = units.x_session(name, what, settings)
    ca = config / "ca.pem" if getattr(args, "ca", "") else ""
    env = (f"TOWNHALL_SERVER={args.server}\nTOWNHALL_TOKEN={args.token}\nTOWNHALL_CA={ca}\n" if name == "kiosk"
           else f"TOWNHALL_URL={args.url}\n")
    steps = add_user(settings.user, "--create-home", "--user-group", "--groups", "video,input,audio,tty")
    if ca:
        steps.append(write_file(config / "ca.pem", Path(args.ca).read_text(encoding="ascii"), 0o644))
    steps += [write_file(config / f"{name}.env", env, 0o600), write_file(config / f"{name}-session", session, 0o755)]
    return steps + _unit_steps({f"townhall-{name}.service": unit}, [f"townhall-{name}.service"])


def cmd_install(args: argparse.Namespace) -> int:
    if args.target is None and bool(args.printer) != bool(args.printer_token):
        print("townhall install: --printer and --printer-token go together", file=sys.stderr)
        return 2
    if getattr(args, "ca", "") and not _is_certificate(Path(args.ca)):
        print(f"townhall install: --ca {args.ca} is not a PEM certificate (copy keys/tls/ca.pem from the server)",
              file=sys.stderr)
        return 2
    if args.target == "city":
        refused = _city_refused(Path(args.config))
        if refused:
            print(f"townhall install city: {refused}", file=sys.stderr)
            return 2
        return _do(city.city_steps(args), args.dry_run, "install city")
    steps = server_steps(args) if args.target is None else screen_steps(args)
    return _do(steps, args.dry_run, "install")


def _city_refused(config: Path) -> str:
    """Why this city.toml cannot run the city's services ("" when it can)."""
    from ..city.directory import CityConfigError
    from ..city.settings import load_city

    try:
        load_city(config)
    except CityConfigError as error:
        return f"configuration error: {error}"
    return ""


def _is_certificate(path: Path) -> bool:
    try:
        return "-----BEGIN CERTIFICATE-----" in path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False


def cmd_uninstall(args: argparse.Namespace) -> int:
    steps: list[Step] = []
    for name in ALL_UNITS:
        path = UNIT_DIR / name
        if path.exists() or args.dry_run:
            steps += [command("systemctl", "disable", "--now", name), Step(f"remove {path}", path.unlink)]
    steps.append(command("systemctl", "daemon-reload"))
    steps.append(Step("keep the data directory, the backups, /etc/townhall and the users", lambda: None))
    return _do(steps, args.dry_run, "uninstall")


def _do(steps: list[Step], dry_run: bool, name: str) -> int:
    if dry_run:
        print(f"townhall {name} would (dry run, nothing changed):")
        print(show(steps))
        return 0
    if os.geteuid() != 0:
        print(f"townhall {name}: run it as root (or see what it does with --dry-run)", file=sys.stderr)
        return 2
    carry_out(steps)
    return 0
