"""How long one Next decision and the waiting-time estimate take as the queue grows.

    .venv/bin/python -m bench.policy_bench [--waiting 0 50 100 200 400 800] [--counters 12]
                                           [--repeat 200] [--runs 30] [--profile]

For each queue length: that many waiting tickets of six services (a tenth booked,
a few assist/urgent or sent to a counter) plus one walk-in who checks in now, and
12 open counters with two or three skills each, all busy. Prints medians and 99th
percentiles in milliseconds: the decision (`choose_next`), the same with the slot
guard on (eight bookings ahead, none checked in), the estimate of every ticket (as
displays get it: mean-time run plus sampled runs), the mean-time run alone, and the
estimate of the one new ticket at the end of the queue (what a check-in asks).

Times are CPU time of this process. The machine is shared: the load average and
an anchor, a fixed pure-Python loop timed in the same run, say how fast it was at
the time; compare figures of two runs relative to their anchors. `--profile` prints cProfile's top lines of the
one-ticket estimate at the longest queue.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from counter_server.core.estimate import (
    QueueState,
    Running,
    ServiceStats,
    estimate_waits,
    remaining_min,
)
from counter_server.core.model import Counter, CounterState, Priority, Ticket, TicketKind
from counter_server.core.policy import Rules, choose_next
from counter_server.core.slot_guard import Outlook, choose_guarding_slots

SERVICES = ("ausweis", "anmeldung", "pass", "abholung", "bescheinigung", "sonstiges")
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
DURATIONS = {s: 4.0 + 3.0 * i for i, s in enumerate(SERVICES)}


def crowd(rng: random.Random, waiting: int, counters: int) -> tuple[list[Ticket], list[Counter]]:
    desks = [
        Counter(id=str(i), label=f"Schalter {i}", state=CounterState.OPEN,
                skills={s: rng.choice((1, 2)) for s in rng.sample(SERVICES, rng.choice((2, 3)))})
        for i in range(counters)
    ]
    tickets = []
    for i in range(waiting):
        arrived = NOW - timedelta(minutes=rng.uniform(0, 90))
        booked = rng.random() < 0.1
        tickets.append(Ticket(
            id=str(i), number=f"A{i:03d}", service_id=rng.choice(SERVICES),
            kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN,
            priority=rng.choices(list(Priority), weights=(90, 8, 2))[0], lang="de",
            created_at=arrived, arrived_at=arrived, office_day=date(2026, 3, 2), public_id=str(i),
            appointment_at=NOW + timedelta(minutes=rng.uniform(-10, 20)) if booked else None,
            target_counter_id=str(rng.randrange(counters)) if rng.random() < 0.02 else None,
        ))
    return tickets, desks


def newcomer(rng: random.Random, index: int) -> Ticket:
    """A walk-in checking in now: the last in line."""
    return Ticket(
        id="new", number=f"N{index:03d}", service_id=rng.choice(SERVICES), kind=TicketKind.WALK_IN,
        priority=Priority.NORMAL, lang="de", created_at=NOW, arrived_at=NOW, office_day=NOW.date(),
        public_id="new",
    )


def timed_ms(run: Callable[[], object], repeat: int) -> list[float]:
    """CPU milliseconds of each of `repeat` calls, sorted.

    CPU time, not wall time: on a shared machine the wall clock also counts the
    time other processes had the core (the server's goal is in CPU time, too).
    """
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append((time.process_time() - started) * 1000)
    return sorted(times)


def anchor_ms(repeat: int = 15) -> float:
    """Median milliseconds of a fixed pure-Python loop (dicts, tuples, a heap): the machine's pace now."""
    import heapq

    def loop() -> None:
        heap: list[tuple[int, int]] = []
        seen: dict[int, int] = {}
        for i in range(20_000):
            heapq.heappush(heap, ((i * 7919) % 1009, i))
            seen[i % 97] = seen.get(i % 97, 0) + 1
        while heap:
            heapq.heappop(heap)

    return statistics.median(timed_ms(loop, repeat))


@dataclass(frozen=True)
class Scene:
    """One queue length: what each timed call gets."""

    state: QueueState
    stats: ServiceStats
    desks: list[Counter]
    tickets: list[Ticket]
    outlook: Outlook


def scene(waiting: int, counters: int) -> Scene:
    rng = random.Random(1)
    tickets, desks = crowd(rng, waiting, counters)
    tickets.append(newcomer(rng, waiting))
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS)
    busy = {d.id: Running(rng.choice(list(d.skills)), rng.uniform(0, 15)) for d in desks}
    busy_min = {c: remaining_min(service_id=r.service_id, elapsed_min=r.elapsed_min, stats=stats)
                for c, r in busy.items()}
    # a booking every four minutes over the guard's horizon, none checked in yet
    outlook = Outlook(busy_for_min=busy_min, booked=[
        (rng.choice(SERVICES), NOW + timedelta(minutes=4 * i)) for i in range(8)
    ])
    state = QueueState(waiting=tickets, counters=desks, rules=Rules(), running=busy, busy_for_min=busy_min)
    return Scene(state, stats, desks, tickets, outlook)


def measure(s: Scene, repeat: int, runs: int) -> dict[str, list[float]]:
    rng = random.Random(2)
    rules, guarded_rules = s.state.rules, replace(s.state.rules, guard_slots=True)
    mean_only = replace(s.stats, samples=0)
    # the forward run without the adaptive slot guard (what the estimate modelled before)
    unguarded = replace(s.state, rules=replace(rules, adaptive_slots=False))
    return {
        "choose_next": timed_ms(
            lambda: choose_next(rng.choice(s.desks), s.tickets, s.desks, NOW, rules, durations=DURATIONS), repeat),
        "  with guard_slots on": timed_ms(
            lambda: choose_guarding_slots(rng.choice(s.desks), s.tickets, s.desks, NOW, guarded_rules,
                                          durations=DURATIONS, outlook=s.outlook), repeat),
        "estimate_waits (all tickets)": timed_ms(lambda: estimate_waits(s.state, NOW, s.stats), runs),
        "  mean-time run only": timed_ms(lambda: estimate_waits(s.state, NOW, mean_only), runs),
        "one wanted ticket at the end": timed_ms(
            lambda: estimate_waits(s.state, NOW, s.stats, wanted={"new"}), runs),
        "  the same, slot guard off": timed_ms(
            lambda: estimate_waits(unguarded, NOW, s.stats, wanted={"new"}), runs),
    }


def profile(s: Scene, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        estimate_waits(s.state, NOW, s.stats, wanted={"new"})
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, nargs="+", default=[0, 50, 100, 200, 400, 800])
    parser.add_argument("--counters", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=200, help="timed decisions per queue length")
    parser.add_argument("--runs", type=int, default=30, help="timed estimates per queue length")
    parser.add_argument("--profile", action="store_true", help="profile the one-ticket estimate")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"anchor (fixed Python loop) {anchor_ms():.2f} ms; {args.counters} counters; "
          "medians, p99 in brackets, CPU ms")
    names: list[str] = []
    rows: list[tuple[int, dict[str, list[float]]]] = []
    for waiting in args.waiting:
        found = measure(scene(waiting, args.counters), args.repeat, args.runs)
        names = list(found)
        rows.append((waiting, found))
    print(f"| waiting + 1 new | {' | '.join(n.strip() for n in names)} |")
    print(f"|---|{'---|' * len(names)}")
    for waiting, found in rows:
        cells = [f"{statistics.median(t):.3f} ({t[min(len(t) - 1, int(0.99 * len(t)))]:.3f})"
                 for t in found.values()]
        print(f"| {waiting} | {' | '.join(cells)} |")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; anchor {anchor_ms():.2f} ms")
    if args.profile:
        profile(scene(max(args.waiting), args.counters), args.runs)


if __name__ == "__main__":
    main()
