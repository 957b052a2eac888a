"""`townhall tls init`: the office's own CA and a server certificate for HTTPS on the LAN."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import tls


def add_name_options(parser: argparse.ArgumentParser) -> None:
    """--host-name and --ip, shared by `townhall init --tls` and `townhall tls init`."""
    parser.add_argument("--host-name", "--name", dest="host_names", action="append", default=[],
                        metavar="NAME", help="a name clients use for the server (repeatable)")
    parser.add_argument("--ip", dest="ips", action="append", default=[], metavar="IP",
                        help="an address clients use for the server (repeatable)")


def make_certificates(data_dir: Path, args: argparse.Namespace) -> int:
    """Create the CA (once) and a new server certificate; print where they are."""
    try:
        files, new_ca = tls.init_tls(data_dir, names=args.host_names, ips=args.ips)
        names, expires = tls.server_cert_info(files)
    except tls.TlsError as error:
        print(f"townhall tls: {error}", file=sys.stderr)
        return 2
    state = "new CA" if new_ca else "kept the existing CA"
    print(f"{state} {files.ca_cert} (copy it to clerk PCs, kiosks and print agents)")
    print(f"server certificate {files.server_cert} for {', '.join(names)}; valid until {expires:%Y-%m-%d}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).expanduser().resolve()
    if not data_dir.is_dir():
        print(f"townhall tls: {data_dir} is no data directory; run townhall init first", file=sys.stderr)
        return 2
    return make_certificates(data_dir, args)


def add_parser(subparsers: Any) -> None:
    """Add `tls init` to the `townhall` command."""
    parser = subparsers.add_parser("tls", help="HTTPS on the LAN: the office's own CA")
    actions = parser.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="create the CA (once) and a new server certificate")
    init.add_argument("--data-dir", required=True)
    add_name_options(init)
    init.set_defaults(handler=cmd_init)
