"""python-escpos's printer database is pickled once per machine into the user's cache, and
processes that start together on a fresh machine never read a half-written pickle."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT = (
    "import printers.escpos_parse, escpos.capabilities as c; print(len(c.CAPABILITIES['profiles']))"
)


def _start(cache_home: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return subprocess.Popen(
        [sys.executable, "-c", IMPORT],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_processes_starting_together_on_a_fresh_cache_all_load_the_database(tmp_path: Path) -> None:
    for round_ in range(3):
        cache_home = tmp_path / f"cache{round_}"
        runs = [_start(cache_home) for _ in range(6)]
        results = [(run.wait(timeout=120), run.stdout.read(), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
        for code, out, err in results:
            assert code == 0, err
            assert int(out) > 10
        folder = cache_home / "townhall" / "escpos"
        pickles = list(folder.iterdir())
        assert [p.suffix for p in pickles] == [".pickle"], pickles  # no half-written leftovers
        assert len(pickle.loads(pickles[0].read_bytes())["profiles"]) == int(results[0][1])


def test_a_cache_that_cannot_be_made_leaves_escpos_its_own_way(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    run = _start(blocked)
    assert run.wait(timeout=120) == 0, run.stderr.read()  # type: ignore[union-attr]
