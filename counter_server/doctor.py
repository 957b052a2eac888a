"""`townhall doctor`: checks a running office end to end and says in plain words what is wrong.

Over HTTP with an admin token: the server, its clock, its /metrics (printers, kiosks,
backups). With the data directory at hand (`--data-dir`, default /var/lib/townhall when
it exists): the database's integrity, free disk space and the keys.
"""

from __future__ import annotations

import argparse
import math
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from . import keys, tls
from .backup import integrity
from .paths import DataDir
from .tls_client import ssl_context, untrusted_certificate

OK, WARN, FAIL = "OK", "WARNUNG", "FEHLER"
SKEW_S = 30.0
DISK_FREE_MIN = 1 << 30  # 1 GiB
CERT_WARN_DAYS = 30  # warn a month before the HTTPS certificate expires
KIOSK_SILENT_S = 15 * 60
BACKUP_OLD_S = 26 * 3600
DEFAULT_DATA_DIR = Path("/var/lib/townhall")


@dataclass(frozen=True)
class Finding:
    level: str
    de: str
    en: str

    def line(self) -> str:
        return f"[{self.level}] {self.de} / {self.en}"


Samples = dict[str, list[tuple[dict[str, str], float]]]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = sub.add_parser("doctor", help="check a running office and say what is wrong")
    doctor.add_argument("--server", required=True, help="e.g. http://127.0.0.1:8000")
    doctor.add_argument("--token", required=True, help="an admin device token")
    doctor.add_argument("--data-dir", help="the server's data directory, when on this PC")
    doctor.add_argument("--ca", help="the office's CA file (townhall tls init) for an https:// server")
    doctor.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir) if args.data_dir else (DEFAULT_DATA_DIR if DEFAULT_DATA_DIR.exists() else None)
    findings = list(check_server(args.server.rstrip("/"), args.token, ssl_context(args.ca)))
    findings += list(check_files(data_dir)) if data_dir else [
        Finding(WARN, "Datenverzeichnis nicht geprüft (--data-dir fehlt)", "data directory not checked (no --data-dir)")]
    for finding in findings:
        print(finding.line())
    failed = sum(f.level == FAIL for f in findings)
    warned = sum(f.level == WARN for f in findings)
    print(f"{failed} Fehler, {warned} Warnungen / {failed} errors, {warned} warnings")
    return 1 if failed else 0


def check_server(url: str, token: str, verify: ssl.SSLContext | bool = True) -> Iterator[Finding]:
    try:
        health = httpx.get(url + "/health", timeout=5, verify=verify)
    except httpx.HTTPError as error:
        why = untrusted_certificate(error) or error
        yield Finding(FAIL, f"Server {url} nicht erreichbar ({why})", f"server {url} unreachable ({why})")
        return
    yield Finding(OK if health.status_code == 200 else FAIL, f"Server {url} antwortet ({health.status_code})",
                  f"server {url} answers ({health.status_code})")
    yield from _clock(health)
    answer = httpx.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10, verify=verify)
    if answer.status_code != 200:
        yield Finding(FAIL, f"/metrics verweigert ({answer.status_code}): Admin-Token nötig",
                      f"/metrics refused ({answer.status_code}): an admin token is needed")
        return
    samples: Samples = {f.name: [(s.labels, s.value) for s in f.samples]
                        for f in text_string_to_metric_families(answer.text)}
    yield from _printers(samples)
    yield from _devices(samples)
    yield from _backup(samples)


def _clock(health: httpx.Response) -> Iterator[Finding]:
    stamp = health.headers.get("date")
    if not stamp:
        return
    skew = abs((parsedate_to_datetime(stamp) - datetime.now(UTC)).total_seconds())
    if skew > SKEW_S:
        yield Finding(WARN, f"Uhr des Servers weicht {skew:.0f} s ab: NTP prüfen",
                      f"server clock is {skew:.0f} s off: check NTP")
    else:
        yield Finding(OK, "Uhrzeit stimmt", "clock in step")


def _printers(samples: Samples) -> Iterator[Finding]:
    states = samples.get("townhall_printer_status", [])
    pending = {labels["printer"]: value for labels, value in samples.get("townhall_print_jobs_pending", [])}
    if not states and not pending:
        yield Finding(OK, "keine Drucker eingerichtet", "no printers configured")
    for labels, _ in states:
        printer, status = labels["printer"], labels["status"]
        jobs = int(pending.get(printer, 0))
        if status == "ok":
            yield Finding(OK, f"Drucker {printer}: bereit ({jobs} Aufträge offen)", f"printer {printer}: ready ({jobs} jobs pending)")
        else:
            yield Finding(FAIL if status in ("paper_out", "offline", "cover_open") else WARN,
                          f"Drucker {printer}: {status} ({jobs} Aufträge warten)", f"printer {printer}: {status} ({jobs} jobs waiting)")
    for printer in sorted(set(pending) - {labels["printer"] for labels, _ in states}):
        yield Finding(WARN, f"Drucker {printer} hat sich nie gemeldet: läuft der Druck-Agent?",
                      f"printer {printer} never reported: is its print agent running?")


def _devices(samples: Samples) -> Iterator[Finding]:
    for labels, age in samples.get("townhall_device_last_seen_seconds", []):
        if labels["role"] != "kiosk":
            continue
        name = labels["name"] or labels["device"]
        if age > KIOSK_SILENT_S:
            yield Finding(WARN, f"Kiosk {name} seit {age / 60:.0f} min nicht gesehen", f"kiosk {name} not seen for {age / 60:.0f} min")
        else:
            yield Finding(OK, f"Kiosk {name} verbunden", f"kiosk {name} seen")


def _backup(samples: Samples) -> Iterator[Finding]:
    [(_, age)] = samples.get("townhall_last_backup_age_seconds", [({}, math.nan)])
    if math.isnan(age):
        yield Finding(FAIL, "noch keine Datensicherung: `townhall backup` einrichten", "no backup yet: set up `townhall backup`")
    elif age > BACKUP_OLD_S:
        yield Finding(WARN, f"letzte Datensicherung vor {age / 3600:.0f} h", f"last backup {age / 3600:.0f} h ago")
    else:
        yield Finding(OK, f"letzte Datensicherung vor {age / 3600:.1f} h", f"last backup {age / 3600:.1f} h ago")


def check_files(data_dir: Path) -> Iterator[Finding]:
    files = DataDir(data_dir)
    if not files.db.exists():
        yield Finding(FAIL, f"{files.db} fehlt", f"{files.db} is missing")
        return
    found = integrity(files.db)
    yield Finding(OK if found == "ok" else FAIL, f"Datenbank: integrity_check {found}", f"database: integrity_check {found}")
    free = shutil.disk_usage(data_dir).free
    yield Finding(OK if free >= DISK_FREE_MIN else FAIL, f"freier Speicher {free / 2**30:.1f} GiB",
                  f"free disk space {free / 2**30:.1f} GiB")
    try:
        kid, _ = keys.load_signing_key(data_dir)
        yield Finding(OK, f"Signaturschlüssel {kid} lesbar", f"signing key {kid} readable")
    except keys.KeyFileError as error:
        yield Finding(FAIL, f"Signaturschlüssel: {error}", f"signing key: {error}")
    yield from _certificate(data_dir)
    for path in files.too_open():
        yield Finding(WARN, f"{path} für andere lesbar: chmod 600/700", f"{path} readable by others: chmod 600/700")


def _certificate(data_dir: Path) -> Iterator[Finding]:
    """The HTTPS server certificate (townhall tls init), when there is one: expiring soon?"""
    files = tls.TlsFiles.of(data_dir)
    if not files.server_cert.exists():
        return
    try:
        _, expires = tls.server_cert_info(files)
    except tls.TlsError as error:
        yield Finding(FAIL, f"TLS-Zertifikat: {error}", f"TLS certificate: {error}")
        return
    days = (expires - datetime.now(UTC)).days
    level = OK if days >= CERT_WARN_DAYS else WARN if days >= 0 else FAIL
    yield Finding(level, f"TLS-Zertifikat gültig bis {expires:%Y-%m-%d} (townhall tls init erneuert es)",
                  f"TLS certificate valid until {expires:%Y-%m-%d} (townhall tls init renews it)")
