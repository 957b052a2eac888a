"""What `townhall install` does, as a list of steps: printed with --dry-run, else carried out.

Every step is idempotent: a user that exists, a file with the same content, an
enabled unit are left as they are.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Step:
    says: str
    run: Callable[[], None]
    content: str | None = None  # a file's text, shown by --dry-run


def command(*argv: str) -> Step:
    def run() -> None:
        subprocess.run(argv, check=True)

    return Step("run: " + " ".join(argv), run)


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def add_user(name: str, *args: str) -> list[Step]:
    if user_exists(name):
        return [Step(f"keep the existing user {name}", lambda: None)]
    return [command("useradd", *args, name)]


def write_file(path: Path, content: str, mode: int, *, keep_existing: bool = False) -> Step:
    """Write `path` unless it already holds `content` (or exists, with keep_existing)."""
    def run() -> None:
        if path.exists() and (keep_existing or path.read_text(encoding="utf-8") == content):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        path.chmod(mode)

    kept = " (kept if it exists)" if keep_existing else ""
    return Step(f"write {path} (mode {mode:o}){kept}", run, content)


def make_dir(path: Path, owner: str, mode: int) -> Step:
    def run() -> None:
        path.mkdir(parents=True, exist_ok=True)
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(mode)

    return Step(f"directory {path}, owner {owner}, mode {mode:o}", run)


def show(steps: list[Step]) -> str:
    lines: list[str] = []
    for number, step in enumerate(steps, 1):
        lines.append(f"{number}. {step.says}")
        if step.content is not None:
            lines += ["   | " + line for line in step.content.rstrip("\n").split("\n")]
    return "\n".join(lines)


def carry_out(steps: list[Step]) -> None:
    for step in steps:
        print(step.says, flush=True)
        step.run()
