"""A burst of kiosk check-ins: the committed ones wait for the rest of the burst, then share one state."""

from __future__ import annotations

import asyncio

from counter_server.checkin import kiosk


def test_a_committed_check_in_waits_for_the_others_of_its_burst() -> None:
    async def run() -> list[str]:
        burst, seen = kiosk._burst(), []
        burst.issue_begins()  # this one is committed ...
        burst.issue_begins()  # ... while another is still being written
        burst.issue_ends()

        async def estimate() -> None:
            await burst.until_settled()
            seen.append("estimate")

        waiting = asyncio.create_task(estimate())
        await asyncio.sleep(0.01)
        seen.append("the other committed")
        burst.issue_ends()
        await waiting
        return seen

    assert asyncio.run(run()) == ["the other committed", "estimate"]


def test_a_write_that_never_ends_delays_the_estimate_at_most_settle_s() -> None:
    async def run() -> float:
        burst = kiosk._burst()
        burst.issue_begins()  # stuck (a slow disk): the visitor still gets an answer
        loop = asyncio.get_running_loop()
        started = loop.time()
        await burst.until_settled()
        return loop.time() - started

    assert asyncio.run(run()) < kiosk.SETTLE_S + 1.0


def test_alone_there_is_nothing_to_wait_for() -> None:
    async def run() -> bool:
        burst = kiosk._burst()
        burst.issue_begins()
        burst.issue_ends()
        await asyncio.wait_for(burst.until_settled(), 5.0)
        return burst.settled.is_set()

    assert asyncio.run(run())
