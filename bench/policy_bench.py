"""How long one Next decision and one full estimate take on a crowded day.

    .venv/bin/python -m bench.policy_bench [--waiting 300] [--counters 12] [--repeat 2000]

300 waiting tickets of six services (a tenth booked, a few assist/urgent or
sent to a counter) and 12 open counters with two or three skills each, all
busy. Prints the median and the 99th percentile per decision, in milliseconds:
the decision with the slot guard on (eight bookings ahead, none checked in), the estimate as the server makes it (mean-time run plus sampled runs) and the
mean-time run alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
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


def timed_ms(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=300)
    parser.add_argument("--counters", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(1)
    tickets, desks = crowd(rng, args.waiting, args.counters)
    rules = Rules()
    durations = {s: 4.0 + 3.0 * i for i, s in enumerate(SERVICES)}
    decide = timed_ms(
        lambda: choose_next(rng.choice(desks), tickets, desks, NOW, rules, durations=durations), args.repeat
    )
    stats = ServiceStats(mean_min=durations, configured_min=durations)
    busy = {d.id: Running(rng.choice(list(d.skills)), rng.uniform(0, 15)) for d in desks}
    busy_min = {c: remaining_min(service_id=r.service_id, elapsed_min=r.elapsed_min, stats=stats)
                for c, r in busy.items()}
    # a booking every four minutes over the guard's horizon, none checked in yet
    outlook = Outlook(busy_for_min=busy_min, booked=[
        (rng.choice(SERVICES), NOW + timedelta(minutes=4 * i)) for i in range(8)
    ])
    guarded_rules = replace(rules, guard_slots=True)
    guarded = timed_ms(
        lambda: choose_guarding_slots(rng.choice(desks), tickets, desks, NOW, guarded_rules,
                                      durations=durations, outlook=outlook), args.repeat
    )
    state = QueueState(waiting=tickets, counters=desks, rules=rules, running=busy, busy_for_min=busy_min)
    runs = max(10, args.repeat // 200)
    estimate = timed_ms(lambda: estimate_waits(state, NOW, stats), runs)
    expected = timed_ms(lambda: estimate_waits(state, NOW, replace(stats, samples=0)), runs)
    print(f"{args.waiting} waiting, {args.counters} counters")
    for name, times in (("choose_next", decide), ("  with guard_slots on", guarded),
                        ("estimate_waits (all tickets)", estimate),
                        ("  mean-time run only", expected)):
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(f"{name:30s} median {statistics.median(times):8.3f} ms   p99 {p99:8.3f} ms   n={len(times)}")


if __name__ == "__main__":
    main()
