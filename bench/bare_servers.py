"""The floors the server is measured against, each run as its own process.

    python -m bench.bare_servers sqlite --port P --db FILE   # FastAPI + uvicorn, one row per POST
    python -m bench.bare_servers broadcast --port P          # websockets: relay to every other client

`sqlite`: `POST /rows` commits one row on one writer thread (WAL, synchronous=FULL), as
the real server's store does, and answers after the commit. `broadcast`: a plain
`websockets` server; a text a client sends goes to every other client with
`websockets.broadcast` (the same bytes to each socket, no per-socket work). A text of
several messages (joined by SEPARATOR) goes socket by socket, each socket all of them
before the next, as the real server writes one commit's events.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def sqlite_app(path: str) -> Any:
    from fastapi import FastAPI

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at REAL, body TEXT)")
    writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
    app = FastAPI()

    def insert(body: str) -> int:
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.execute("INSERT INTO rows (at, body) VALUES (julianday('now'), ?)", (body,))
        conn.execute("COMMIT")
        return int(cursor.lastrowid or 0)

    @app.post("/rows", status_code=201)
    async def add_row(payload: dict[str, Any]) -> dict[str, int]:
        loop = asyncio.get_running_loop()
        return {"id": await loop.run_in_executor(writer, insert, str(payload))}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


# between the messages of one relay: JSON text never holds this character unescaped
SEPARATOR = "\x1e"


async def broadcast_server(port: int) -> None:
    import websockets

    members: set[Any] = set()

    async def handler(ws: Any) -> None:
        members.add(ws)
        await ws.send("{}")
        try:
            async for text in ws:
                texts = text.split(SEPARATOR)
                others = members - {ws}
                if len(texts) == 1:
                    websockets.broadcast(others, text)
                    continue
                for member in others:  # socket by socket, as the server sends a commit's events
                    for one in texts:
                        websockets.broadcast((member,), one)
        finally:
            members.discard(ws)

    async with websockets.serve(handler, "127.0.0.1", port, max_size=None, compression=None):
        await asyncio.Future()


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.bare_servers")
    parser.add_argument("kind", choices=["sqlite", "broadcast"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.kind == "sqlite":
        import uvicorn

        uvicorn.run(sqlite_app(args.db), host="127.0.0.1", port=args.port, log_level="warning", access_log=False,
                    ws_per_message_deflate=False)
    else:
        asyncio.run(broadcast_server(args.port))


if __name__ == "__main__":
    main()
