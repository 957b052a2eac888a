"""The server benchmark's results as text tables, with the issue's targets (issue 14)."""

from __future__ import annotations

from typing import Any


def _ms(figures: dict[str, Any], key: str = "p99_ms") -> str:
    return f"{figures[key]:.1f}" if key in figures else "-"


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def level_rows(levels: list[dict[str, Any]], label: str = "") -> list[str]:
    rows = []
    for r in levels:
        c, n = r["checkin"], r["next"]
        reads = [_ms(r[k]) for k in ("board_cold", "board_warm", "clerk_cold", "clerk_warm")]
        rows.append(f"| {r['waiting']}{label} | {_ms(c, 'p50_ms')} / {_ms(c)} | {c['cpu_ms_per_request']:.2f} "
                    f"| {_ms(n)} | {n['cpu_ms_per_request']:.2f} | {reads[0]} / {reads[1]} | {reads[2]} / {reads[3]} |")
    return rows


# the goals of every level (issue 14): what each is measured on, its bound, and how it reads
_LEVEL_GOALS = (
    (("checkin",), "p99_ms", 20, "check-in p99 {:.1f} ms (< 20)"),
    (("checkin",), "cpu_ms_per_request", 5, "CPU per check-in {:.2f} ms (< 5)"),
    (("next",), "p99_ms", 20, "Next p99 {:.1f} ms (< 20)"),
    (("board_cold", "board_warm"), "p99_ms", 20, "board p99 {:.1f} ms (< 20)"),
    (("clerk_cold", "clerk_warm"), "p99_ms", 20, "clerk view p99 {:.1f} ms (< 20)"),
)


def level_checks(levels: list[dict[str, Any]]) -> list[str]:
    """One line per level that missed a goal, naming the goals it missed and by how much."""
    checks = []
    for r in levels:
        missed = []
        for kinds, key, bound, text in _LEVEL_GOALS:
            worst = max(r[kind].get(key, 0) for kind in kinds)
            if worst >= bound:
                missed.append(text.format(worst))
        if missed:
            checks.append(f"  {r['waiting']} waiting: {_mark(False)}: {'; '.join(missed)}")
    return checks


def print_levels(results: dict[str, Any]) -> None:
    levels = list(results.get("levels", []))
    finished = results.get("finished")
    if not levels and not finished:
        return
    print("| waiting | check-in p50 / p99 ms | server CPU per check-in ms | Next p99 ms | CPU per Next ms "
          "| board cold / warm p99 ms | clerk view cold / warm p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for row in level_rows(levels):
        print(row)
    if finished:
        for row in level_rows([finished], f" + {finished['finished']} finished"):
            print(row)
    for line in level_checks(levels + ([finished] if finished else [])):
        print(line)
    if finished:
        print(f"RSS after {finished['finished']} finished visits and the table above, one process: "
              f"{finished['rss_mb']} MB ({_mark(finished['rss_mb'] < 150)} < 150 MB); the day took {finished['day_s']} s")


def print_anchor(a: dict[str, Any]) -> None:
    print(f"bare uvicorn + SQLite (one row, WAL, synchronous=FULL, one writer): p50 {_ms(a, 'p50_ms')} ms, "
          f"p99 {_ms(a)} ms, server CPU {a['cpu_ms_per_request']:.2f} ms per request; "
          f"{a['burst']['n']} answers in bursts: p99 {_ms(a['burst'])} ms")


def print_fanout(f: dict[str, Any]) -> None:
    print(f"server CPU per Next with no display connected: {f['cpu_ms_per_event_no_display']} ms")
    for n, figures in f.items():
        if not n.isdigit():
            continue
        s, b = figures["server"], figures["bare"]
        added = s["cpu_ms_added_per_event"]
        line = (f"Next -> {n} displays (?board=1), last socket: p50 {_ms(s['last_socket'], 'p50_ms')} / "
                f"p99 {_ms(s['last_socket'])} ms; bare broadcast ({b.get('messages_relayed', 1)} messages) "
                f"p50 {_ms(b['last_socket'], 'p50_ms')} / "
                f"p99 {_ms(b['last_socket'])} ms; ratio {figures['p99_ratio']}x; "
                f"CPU added per event {added} ms; first socket p50 {_ms(s.get('first_socket', {}), 'p50_ms')} ms"
                f" (bare {_ms(b.get('first_socket', {}), 'p50_ms')})"
                + (f"; round by round, server/bare p50 {figures['paired_ratio_p50']}x"
                   if figures.get("paired_ratio_p50") else ""))
        if n == "200":
            ok = figures["p99_ratio"] <= 1.5 and s["last_socket"]["p99_ms"] < 50 and added < 20
            line += f"  [{_mark(ok)}: <= 1.5x, < 50 ms, < 20 ms CPU]"
        print(line)


def print_printer(p: dict[str, Any]) -> None:
    print(f"burst of {p['burst']} kiosks x {p['bursts']} at {p['waiting']} waiting, print agent + ESC/POS emulator "
          f"over TCP: answer p99 {_ms(p['checkin_answer'])} ms; last byte at the printer p50 "
          f"{_ms(p['last_byte'], 'p50_ms')} / p99 {_ms(p['last_byte'])} ms  "
          f"[{_mark(p['last_byte']['p99_ms'] < 300)}: < 300 ms]")


def print_sustain(s: dict[str, Any]) -> None:
    c, n = s["checkin"], s["next"]
    ok = s["shed"] == 0 and s["all"].get("p99_ms", 1e9) < 100 and c["done_per_s"] >= 0.98 * c["asked_per_s"] \
        and n["done_per_s"] >= 0.98 * n["asked_per_s"]
    print(f"sustained {s['seconds']:g} s with {s['displays']} displays: check-ins {c['done_per_s']}/s of "
          f"{c['asked_per_s']:g} (p50 {_ms(c, 'p50_ms')} / p99 {_ms(c)} ms), Next {n['done_per_s']}/s of "
          f"{n['asked_per_s']:g} (p50 {_ms(n, 'p50_ms')} / p99 {_ms(n)} ms, statuses {n['statuses']}); "
          f"shed {s['shed']}; all p99 {_ms(s['all'])} ms; server CPU {s['server_cpu_share']:.0%} of a core, "
          f"load generator {s.get('client_cpu_share', 0):.0%}  "
          f"[{_mark(ok)}: nothing shed, p99 < 100 ms]")


def print_report(results: dict[str, Any]) -> None:
    print("load average before: " + " ".join(f"{x:.2f}" for x in results["load_before"]))
    if "anchors" in results:
        print_anchor(results["anchors"])
    print_levels(results)
    if "fanout" in results:
        print_fanout(results["fanout"])
    if "printer" in results:
        print_printer(results["printer"])
    if "sustain" in results:
        print_sustain(results["sustain"])
    if "memory" in results:
        m = results["memory"]
        print(f"RSS after a day ({m['tickets']} tickets, {m['displays']} displays): {m['rss_mb']} MB "
              f"[{_mark(m['rss_mb'] < 150)}: < 150 MB]")
    print("load average after: " + " ".join(f"{x:.2f}" for x in results["load_after"])
          + f"; the run took {results['took_s']} s")
