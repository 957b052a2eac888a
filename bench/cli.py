"""`townhall simulate`: compare queue policies and wait estimates over simulated days."""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from counter_server.config import ConfigError
from counter_server.core.policy import Rules, rules_from_mapping

from . import booking_share, report
from .booking_share import parse_shares
from .history import (
    WEEKDAYS,
    parse_hours,
    recorded_days,
    replay,
    scenario_from_history,
    window_scenario,
)
from .scenario import Scenario, ScenarioError, load_scenario, parse_skills, with_skills
from .simulator import DayResult, Policy, policies_by_name, run_days

DEFAULT_POLICIES = ("ours", "fcfs", "longest-queue", "dedicated")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `simulate` on the `townhall` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate", help="simulate town-hall days and compare queue policies",
        description=__doc__,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--scenario", type=Path, help="scenario TOML file")
    source.add_argument("--from-history", action="store_true",
                        help="replay the office's own recorded days: arrivals, errands, slots and service times"
                             " (with --data-dir)")
    parser.add_argument("--data-dir", type=Path, help="the office's data directory, for --from-history")
    parser.add_argument("--weekday", choices=WEEKDAYS, help="--from-history: only these weekdays (e.g. mon)")
    parser.add_argument("--day", action="append", default=[], metavar="YYYY-MM-DD",
                        help="--from-history: only this recorded day (repeat for more)")
    parser.add_argument("--counters", type=_counts, metavar="N[,M...]",
                        help="--from-history: N counters (the first N of office.toml; more repeat their skills);"
                             " several only with --booking-share")
    parser.add_argument("--hours", type=_argument(parse_hours), metavar="8-12",
                        help="--from-history: only visitors who arrived in this window; figures over the window")
    parser.add_argument("--booking-share", type=_argument(parse_shares), metavar="0,0.2,0.4",
                        help="--from-history: replay with this share of each counter's time booked online"
                             " (one row per share; see bench/booking_share.py)")
    parser.add_argument("--sample", action="store_true",
                        help="--from-history: draw --days new days from the recorded rates instead of replaying")
    parser.add_argument("--skills", action="append", default=[], type=_argument(parse_skills),
                        metavar="COUNTER:ERRAND=LEVEL[,...]",
                        help="try other skills: counter COUNTER does ERRAND as a main (1) or secondary (2) errand,"
                             " or no longer (0); repeat for more counters (e.g. 6:abholung=2)")
    parser.add_argument("--days", type=int, default=200, help="independent days (default 200; not when replaying)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first day (default 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--plot", type=Path, help="write a PNG of wait distributions and estimate errors")
    parser.add_argument("--policies", nargs="+", default=list(DEFAULT_POLICIES),
                        help=f"policies to compare (default: {' '.join(DEFAULT_POLICIES)})")
    parser.add_argument("--rules", type=Path,
                        help="TOML file whose [queue] table sets our policy's rules (e.g. office.toml)")
    parser.set_defaults(handler=run_simulate)
    return parser


def _rules(path: Path | None) -> Rules:
    if path is None:
        return Rules()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return rules_from_mapping(data.get("queue", {}))


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A parser whose ValueError argparse prints (it hides plain ValueErrors' text)."""
    def checked(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error).split(": ", 1)[-1]) from None

    return checked


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or N,M,..., got {text!r}") from None
    if any(n < 1 for n in counts):
        raise argparse.ArgumentTypeError("must be at least 1")
    return counts


def _weekday(args: argparse.Namespace) -> str | None:
    """--weekday, or the one weekday all --day share (their opening hours)."""
    if args.weekday or not args.day:
        return str(args.weekday) if args.weekday else None
    try:
        days = {date.fromisoformat(d).weekday() for d in args.day}
    except ValueError:
        raise ValueError(f"--day: expected YYYY-MM-DD, got {args.day}") from None
    return WEEKDAYS[days.pop()] if len(days) == 1 else None


def _scenario(args: argparse.Namespace) -> Scenario:
    return with_skills(_source(args), args.skills)


def _source(args: argparse.Namespace) -> Scenario:
    if not args.from_history:
        return load_scenario(args.scenario)
    if args.data_dir is None:
        raise ValueError("--from-history needs --data-dir")
    if args.counters and len(args.counters) > 1 and args.booking_share is None:
        raise ValueError("--counters: several counts only with --booking-share")
    if args.sample and (args.hours or args.booking_share is not None):
        raise ValueError("--hours and --booking-share replay the recorded days: not with --sample")
    count = args.counters[0] if args.counters else None
    return window_scenario(scenario_from_history(args.data_dir, _weekday(args), count), args.hours)


def _warn_uncovered(scenario: Scenario) -> None:
    uncovered = sorted({s.id for s in scenario.services} - {k for c in scenario.counters for k in c.skills})
    if uncovered:
        print(f"townhall simulate: {len(scenario.counters)} counter(s): no counter serves {', '.join(uncovered)}:"
              " those visitors are never called and left out of the figures", file=sys.stderr)


def _run(args: argparse.Namespace, scenario: Scenario, policies: dict[str, Policy],
         rules: Rules) -> tuple[dict[str, list[DayResult]], str]:
    """The recorded days replayed, or the drawn days; and how to name them."""
    _warn_uncovered(scenario)
    if args.from_history and not args.sample:
        days = recorded_days(args.data_dir, scenario, _weekday(args), args.day, args.hours)
        first, last = min(days), max(days)
        return replay(days, scenario, policies, rules), \
            f"{len(days)} recorded day(s) replayed ({first}{'' if first == last else ' to ' + last})"
    results = run_days(scenario=scenario, days=args.days, seed=args.seed, policies=policies, rules=rules)
    return results, f"{args.days} days from seed {args.seed}"


def _booking_shares(args: argparse.Namespace, scenario: Scenario, policies: dict[str, Policy], rules: Rules) -> int:
    """One row per (counters, share) under the first policy: the table, or JSON."""
    days = recorded_days(args.data_dir, scenario, _weekday(args), args.day, args.hours)
    scenarios = [with_skills(window_scenario(scenario_from_history(args.data_dir, _weekday(args), n), args.hours),
                             args.skills) for n in args.counters] if args.counters else [scenario]
    for each in scenarios:
        _warn_uncovered(each)
    policy = next(iter(policies.items()))
    found = booking_share.rows(days, scenarios, args.booking_share, policy, rules)
    which = f"{len(days)} recorded day(s) replayed ({min(days)}{'' if len(days) == 1 else ' to ' + max(days)})"
    if args.json:
        print(json.dumps({"scenario": scenario.name, "run": which, "policy": policy[0],
                          "rows": booking_share.as_json(found)}, indent=2))
    else:
        name = scenario.name.replace(f", {len(scenario.counters)} counters)", ")")
        print(f"scenario {name}, {which}, policy {policy[0]};"
              f" slots of {booking_share.slot_length_min(scenario):.0f} min; walk-in waits in min\n")
        print(booking_share.table(found))
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    """Run the days, print the table (or JSON), write the plot; 2 on bad input."""
    try:
        scenario = _scenario(args)
        rules = _rules(args.rules)
        policies = policies_by_name(args.policies)
        if args.days < 1:
            raise ValueError("--days: must be at least 1")
        if args.booking_share is not None:
            return _booking_shares(args, scenario, policies, rules)
        started = time.perf_counter()
        results, which = _run(args, scenario, policies, rules)
    except (ScenarioError, ValueError, OSError, tomllib.TOMLDecodeError, ConfigError) as error:
        print(f"townhall simulate: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    summaries = {name: report.summarise(days) for name, days in results.items()}
    found = report.goals(summaries)
    if args.plot:
        report.plot(results, args.plot)
    meta = {"scenario": scenario.name, "days": len(next(iter(results.values()))), "run": which,
            "seed": args.seed, "seconds": round(elapsed, 1)}
    if args.json:
        print(json.dumps(report.as_json(summaries, found, meta), indent=2))
    else:
        print(f"scenario {scenario.name}, {which}, "
              f"{elapsed:.1f} s; cells: mean over days ± 95 % half-width\n")
        print(report.table(summaries))
        if found:
            print("\n" + report.goals_text(found))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="townhall")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
