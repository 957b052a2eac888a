"""Appointment token figures: verifications per second on one core, and check-in latency.

    python -m bench.token_bench [--verify N] [--checkins N]

Part one runs the real core (`verify_appointment_token`) in this process, on one
thread. Part two starts a real `townhall serve` on 127.0.0.1 over a fresh data
directory, imports a day of appointments and checks each one in by token through
`POST /api/v1/checkins`, timing every request from the client's side.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.harness import LiveServer
from counter_server.bookings.confirmation import qr_png
from counter_server.core.tokens import (
    TokenInvalid,
    key_id_of,
    make_claim,
    sign_appointment_token,
    verify_appointment_token,
)

OFFICE = "buergeramt-musterstadt"
CLOCK = "2026-12-01T10:30"  # a Tuesday; the demo office is open 08:00-18:00
EXTRA_COUNTERS = 12
# Wide windows and all counter time bookable, so that hundreds of bookings check in at once.
BENCH_SETTINGS = {"share = 0.5": "share = 1.0", "early_window_min = 15": "early_window_min = 240",
                  "late_window_min = 15": "late_window_min = 240"}
ALL_SKILLS = (
    "{ ausweis = 1, anmeldung = 1, pass = 1, abholung = 1, bescheinigung = 1, sonstiges = 1 }"
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def verify_rate(count: int) -> dict[str, Any]:
    """Genuine and forged tokens verified back to back on one thread."""
    key = Ed25519PrivateKey.generate()
    kid = key_id_of(key.public_key())
    start = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    tokens = [
        sign_appointment_token(
            claim=make_claim(
                appointment_id=secrets.token_hex(16),
                office_id=OFFICE,
                service_id="pass",
                start=start,
                timezone="Europe/Berlin",
                key_id=kid,
            ),
            private_key=key,
        )
        for _ in range(min(count, 1000))
    ]
    public = {kid: key.public_key()}
    forged = [t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1] for t in tokens]
    genuine, genuine_wall, accepted = _timed_verify(tokens, public, count, start)
    refused, _, forged_accepted = _timed_verify(forged, public, count, start)
    if (accepted, forged_accepted) != (count, 0):
        raise RuntimeError(
            f"accepted {accepted}/{count} genuine and {forged_accepted} forged tokens"
        )
    qr = qr_png(tokens[0], box_size=1)
    return {
        "verifications_per_cpu_s": round(count / genuine),
        "verifications_per_wall_s": round(count / genuine_wall),
        "forged_refusals_per_cpu_s": round(count / refused),
        "token_chars": len(tokens[0]),
        "token_bytes": len(base64.urlsafe_b64decode(tokens[0] + "==")),
        "qr_modules": _qr_width(qr) - 8,
    }


def _timed_verify(
    tokens: list[str], public: dict[str, Any], count: int, now: datetime
) -> tuple[float, float, int]:
    """CPU seconds of this one thread (the figure per core, whatever else runs), wall
    seconds, and how many tokens were accepted."""
    accepted = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        try:
            verify_appointment_token(
                tokens[i % len(tokens)], public_keys=public, office_id=OFFICE, now=now
            )
            accepted += 1
        except TokenInvalid:
            pass
    return time.process_time() - cpu, time.perf_counter() - wall, accepted


def _qr_width(png: bytes) -> int:
    from io import BytesIO

    from PIL import Image

    return int(Image.open(BytesIO(png)).width)


def _bench_server(data_dir: Path) -> LiveServer:
    server = LiveServer.prepare(data_dir, CLOCK)
    config = data_dir / "office.toml"
    extra = "".join(
        f'\n[[counters]]\nid = "x{n}"\nlabel = "Schalter X{n}"\nskills = {ALL_SKILLS}\n'
        for n in range(EXTRA_COUNTERS)
    )
    text = config.read_text(encoding="utf-8")
    for old, new in BENCH_SETTINGS.items():
        text = text.replace(old, new, 1)
    config.write_text(text + extra, encoding="utf-8")
    server.start()
    return server


def _import_day(server: LiveServer, wanted: int) -> list[str]:
    """Book up to `wanted` appointments between the clock and 14:30 through the import."""
    base = datetime.fromisoformat(CLOCK)
    rows = [
        {
            "external_id": f"bench-{service}-{minute}",
            "service_id": service,
            "start": (base + timedelta(minutes=minute)).isoformat(),
        }
        for minute in range(5, 240, 5)
        for service in ("abholung", "bescheinigung", "anmeldung", "ausweis", "sonstiges", "pass")
    ]
    with server.client("booking") as booking:
        report = booking.post("/api/v1/appointments/import", json=rows, timeout=120).json()
    return [r["token"] for r in report["rows"] if r["status"] == "created"][:wanted]


def _timed_checkins(
    server: LiveServer, bodies: list[dict[str, str]], queue: int, label: str
) -> list[float]:
    """Check every body in; with `queue`, a clerk cancels the oldest ticket beyond it (untimed).

    The answer to a check-in carries the visitor's position and wait, computed over
    the whole queue, so its length matters; a real office rarely has more than a few
    dozen waiting.
    """
    timings: list[float] = []
    waiting: list[str] = []
    with server.client("kiosk") as kiosk, server.client("counter:1") as clerk:
        for i, body in enumerate(bodies):
            began = time.perf_counter()
            response = kiosk.post(
                "/api/v1/checkins", json=body, headers={"Idempotency-Key": f"{label}-{i}"}
            )
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 201:
                raise RuntimeError(f"check-in refused: {response.text}")
            waiting.append(response.json()["ticket"]["id"])
            if queue and len(waiting) > queue:
                clerk.post(f"/api/v1/tickets/{waiting.pop(0)}/cancel").raise_for_status()
    return timings


def _figures(timings: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(max(timings), 2),
    }


def checkin_latency(count: int, queue: int) -> dict[str, Any]:
    """Appointment check-ins by token, and as many walk-ins on the same server for comparison."""
    with tempfile.TemporaryDirectory(prefix="token-bench-") as tmp:
        server = _bench_server(Path(tmp))
        try:
            tokens = _import_day(server, count)
            by_token = _timed_checkins(
                server, [{"appointment_token": t} for t in tokens], queue, "token"
            )
            with server.client("kiosk") as kiosk:
                again = kiosk.post("/api/v1/checkins", json={"appointment_token": tokens[0]})
            if again.status_code != 409:
                raise RuntimeError(f"a second check-in was not refused: {again.text}")
            walk_ins = _timed_checkins(
                server, [{"service_id": "abholung"}] * len(tokens), queue, "walk-in"
            )
        finally:
            server.stop()
    return {
        "checkins": len(by_token),
        "waiting_queue": f"held at {queue}" if queue else f"grows to {len(by_token)}",
        "by_token": _figures(by_token),
        "walk_in_baseline": _figures(walk_ins),
        "goal_p99_ms": 20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.token_bench", description=__doc__)
    parser.add_argument("--verify", type=int, default=20_000, help="tokens to verify")
    parser.add_argument("--checkins", type=int, default=200, help="check-ins against the server")
    parser.add_argument(
        "--queue", type=int, default=30, help="waiting tickets kept; 0: let it grow"
    )
    args = parser.parse_args(argv)
    result = {"verify": verify_rate(args.verify)}
    if args.checkins:
        try:
            result["checkin"] = checkin_latency(args.checkins, args.queue)
        except (httpx.HTTPError, RuntimeError) as error:
            result["checkin"] = {"error": str(error)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
