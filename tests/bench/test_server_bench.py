"""The server benchmark (issue 14) in its quick mode: every part still runs and reports."""

from __future__ import annotations

import json

import pytest

from bench.server_bench import PARTS, main
from bench.server_report import level_checks


def test_quick_run_reports_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(PARTS) <= set(out)
    assert [level["waiting"] for level in out["levels"]] == [0, 10]
    for level in [*out["levels"], out["finished"]]:
        assert level["checkin"]["n"] == 3 and level["checkin"]["cpu_ms_per_request"] >= 0
        assert level["board_cold"]["n"] == 3 and level["clerk_cold"]["n"] == 3
    assert out["finished"]["finished"] >= 8
    assert out["fanout"]["10"]["server"]["last_socket"]["n"] == 2
    assert out["fanout"]["10"]["bare"]["last_socket"]["n"] == 2
    # the Next itself (request, transaction, commit) against the bare trigger: the first socket
    assert out["fanout"]["10"]["server"]["first_socket"]["n"] == 2
    # the two take their rounds in turn: each round's pair of last sockets compared
    assert out["fanout"]["10"]["paired_ratio_p50"] > 0
    # the bare relays the same bytes: every message of the Next (the visit finished, the call)
    assert out["fanout"]["10"]["bare"]["messages_relayed"] == 2
    assert out["printer"]["last_byte"]["n"] == 4
    assert out["sustain"]["checkin"]["n"] > 0 and out["sustain"]["next"]["n"] > 0
    assert 0 < out["memory"]["rss_mb"] < 1000
    assert out["anchors"]["n"] == 3


def test_skip_and_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    skipped = [arg for part in PARTS if part not in ("anchors",) for arg in ("--skip", part)]
    assert main(["--quick", *skipped]) == 0
    text = capsys.readouterr().out
    assert "bare uvicorn + SQLite" in text and "load average after" in text


def test_a_level_names_only_the_goals_it_missed() -> None:
    def level(waiting: int, cpu: float, clerk_cold: float) -> dict[str, object]:
        reads = {k: {"p99_ms": 5.0} for k in ("board_cold", "board_warm", "clerk_warm")}
        return {"waiting": waiting, "checkin": {"p99_ms": 9.0, "cpu_ms_per_request": cpu},
                "next": {"p99_ms": 8.0}, "clerk_cold": {"p99_ms": clerk_cold}, **reads}

    lines = level_checks([level(0, 4.2, 7.0), level(100, 5.33, 7.0), level(800, 7.17, 31.66)])
    assert lines == [
        "  100 waiting: MISSED: CPU per check-in 5.33 ms (< 5)",
        "  800 waiting: MISSED: CPU per check-in 7.17 ms (< 5); clerk view p99 31.7 ms (< 20)",
    ]
