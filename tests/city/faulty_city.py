"""`townhall city` that dies on purpose mid-batch, for the tests only.

`python -m tests.city.faulty_city before_commit:N|before_ack:N <townhall city arguments>`
runs the real consumer with one function wrapped: it ends the process (exit 3, no
cleanup, as a kill would) inside the transaction of the batch that reaches N events, or after
the commit of the batch that reaches N events and before that batch is acknowledged.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from nats.aio.msg import Msg

from counter_server import cli
from counter_server.city import consumer, readmodel

EXIT_CODE = 3


def inject(where: str, after: int) -> None:
    seen = 0
    if where == "before_commit":
        apply_batch = readmodel.apply_batch

        def dying_apply_batch(cur: Any, bodies: list[dict[str, Any]]) -> int:
            nonlocal seen
            fresh = apply_batch(cur, bodies)
            seen += len(bodies)
            if seen >= after:
                os._exit(EXIT_CODE)  # applied inside the transaction, never committed
            return fresh

        readmodel.apply_batch = dying_apply_batch  # type: ignore[assignment]
    elif where == "before_ack":
        acknowledge = consumer.acknowledge

        async def dying_acknowledge(msgs: list[Msg]) -> None:
            nonlocal seen
            seen += len(msgs)
            if seen >= after:
                os._exit(EXIT_CODE)  # committed, never acknowledged: delivered again
            await acknowledge(msgs)

        consumer.acknowledge = dying_acknowledge  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown fault {where!r}")


if __name__ == "__main__":
    where, _, count = sys.argv[1].partition(":")
    inject(where, int(count))
    sys.exit(cli.main(["city", *sys.argv[2:]]))
