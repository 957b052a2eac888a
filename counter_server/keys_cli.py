"""`townhall keys ...`: list, rotate and retire the signing keys of appointment QR codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import keys


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser().resolve()


def cmd_list(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    current, _ = keys.load_signing_key(data_dir)
    for kid, key in sorted(keys.load_public_keys(data_dir).items()):
        mark = "signing" if kid == current else "verify only"
        print(f"{kid}  {keys.public_key_text(key)}  {mark}")
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    kid = keys.rotate_key(_data_dir(args))
    print("new signing key; tokens issued before stay valid until you retire their key:")
    print(kid)
    return 0


def cmd_retire(args: argparse.Namespace) -> int:
    keys.retire_key(_data_dir(args), args.kid)
    print(f"retired {args.kid}; QR codes signed with it are refused from now on")
    return 0


def _run(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except keys.KeyFileError as error:
            print(f"townhall keys: {error}", file=sys.stderr)
            return 2

    return run


def add_parser(subparsers: Any) -> None:
    """Add `keys list|rotate|retire` to the `townhall` command."""
    parser = subparsers.add_parser("keys", help="signing keys of appointment QR codes")
    actions = parser.add_subparsers(dest="action", required=True)
    for name, handler, text in (
        ("list", cmd_list, "show the key ids and public keys"),
        ("rotate", cmd_rotate, "sign with a new key from now on; keep the old public keys"),
        ("retire", cmd_retire, "stop accepting QR codes signed with an old key"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--data-dir", required=True)
        if name == "retire":
            action.add_argument("kid", help="the key id, as `townhall keys list` shows it")
        action.set_defaults(handler=_run(handler))
