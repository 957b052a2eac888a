"""`townhall backup` and `townhall restore`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import backup


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    make = sub.add_parser("backup", help="an online backup of database, office.toml and keys")
    make.add_argument("--data-dir", required=True)
    make.add_argument("--to", required=True, help="the directory the backups are kept in")
    make.add_argument("--keep", type=int, help="keep only the newest N backups there")
    make.set_defaults(handler=cmd_backup)
    back = sub.add_parser("restore", help="put a checked backup in place (server stopped)")
    back.add_argument("--data-dir", required=True)
    back.add_argument("--from", dest="source", required=True, help="one backup directory")
    back.set_defaults(handler=cmd_restore)


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def cmd_backup(args: argparse.Namespace) -> int:
    if args.keep is not None and args.keep < 1:
        print("townhall backup: --keep must be at least 1", file=sys.stderr)
        return 2
    try:
        made = backup.backup(_path(args.data_dir), _path(args.to), keep=args.keep)
    except backup.BackupError as error:
        print(f"townhall backup: {error}", file=sys.stderr)
        return 1
    print(f"backup {made.path} (integrity_check ok)")
    for path in made.pruned:
        print(f"removed old backup {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        aside = backup.restore(_path(args.data_dir), _path(args.source))
    except backup.BackupError as error:
        print(f"townhall restore: refused: {error}", file=sys.stderr)
        return 2
    print(f"restored {args.source} into {args.data_dir}")
    if aside:
        print(f"the replaced files are in {aside}")
    return 0
