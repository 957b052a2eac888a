"""Time in the estimate's forward run: whole microseconds from the run's origin.

The policy compares datetimes (a deadline has passed, a booked visitor is due).
A datetime is a whole number of microseconds, so the same comparisons on ints
measured from the run's origin give the same answers, only faster; the run's
clock is origin + timedelta(minutes=at), so it, too, is rounded to microseconds
the way timedelta rounds. (All datetimes of one run have fixed UTC offsets or
share the origin's time zone, as in the server and the simulator; otherwise
Python compares them differently from how it subtracts them.)

A heap entry of the call order is one int: key << SHIFT | join order. heapq
compares ints several times faster than tuples, and as join orders are unique,
two entries never tie, just as (key, join order) tuples never do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SHIFT = 32
# entry & ORDER is the join order (for keys below zero, too: ints are two's complement for &)
ORDER = (1 << SHIFT) - 1


def micros(delta: timedelta) -> int:
    """`delta // timedelta(microseconds=1)`, four times faster."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def clock_us(at: float) -> int:
    """The run's clock at minute `at` in microseconds: origin + timedelta(minutes=at), rounded as that rounds."""
    return micros(timedelta(minutes=at))


def reached(at: float, key: int) -> bool:
    """Whether the run's clock at minute `at` has reached `key` (microseconds): `clock_us(at) >= key`.

    Building the timedelta costs microseconds, and a run asks this for every call;
    the float product is within half a microsecond of it (for any run shorter than
    a year), so only a product within two microseconds of `key` needs the exact clock.
    """
    approx = at * 60_000_000.0
    if approx >= key + 2:
        return True
    if approx <= key - 2:
        return False
    return clock_us(at) >= key


def wake_min(due: datetime, origin: datetime) -> float:
    """Minutes from `origin` by which `due` has surely passed.

    A microsecond on top: the run's clock is origin + timedelta(minutes=...),
    which rounds to microseconds and could otherwise land just before `due`.
    """
    return (due - origin).total_seconds() / 60 + 1e-6 / 60
