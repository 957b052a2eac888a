"""`[[printers]]`: ticket printers and the kiosks they serve.

    [[printers]]
    id = "eingang"              # slug, used in URLs
    name = "Drucker Eingang"    # shown to staff
    paper_mm = 80               # 58 or 80
    kiosks = ["kiosk-1"]        # kiosk device names whose tickets it prints; "*" = every kiosk
    agent = "drucker-eingang"   # name of the printer device (agent) that serves it; default: id
    max_job_age_min = 10        # older jobs are dropped, not printed late
    mode = "agent"              # "agent": network printer fed by jobs; "kiosk": USB in the kiosk
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reader import Reader, unique

FIELDS = frozenset({"id", "name", "paper_mm", "kiosks", "agent", "max_job_age_min", "mode"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class PrinterConfig:
    """One `[[printers]]` entry of office.toml."""

    id: str
    name: str
    paper_mm: int
    kiosks: tuple[str, ...]
    agent: str
    max_job_age_min: int
    mode: str

    def serves_kiosk(self, kiosk_name: str) -> bool:
        return "*" in self.kiosks or kiosk_name in self.kiosks


def parse_printer(r: Reader) -> PrinterConfig:
    r.reject_unknown(FIELDS)
    printer_id = r.table.get("id")
    if not isinstance(printer_id, str) or not _SLUG.match(printer_id):
        raise r.fail("id", "must be a short slug (a-z, 0-9, - and _)")
    paper_mm = r.table.get("paper_mm", 80)
    if paper_mm not in (58, 80) or isinstance(paper_mm, bool):
        raise r.fail("paper_mm", f"must be 58 or 80, not {paper_mm!r}")
    kiosks = r.table.get("kiosks", [])
    if not isinstance(kiosks, list) or not all(isinstance(k, str) and k for k in kiosks):
        raise r.fail("kiosks", 'must be a list of kiosk device names, or ["*"]')
    age = r.table.get("max_job_age_min", 10)
    if not isinstance(age, int) or isinstance(age, bool) or not 1 <= age <= 240:
        raise r.fail("max_job_age_min", "must be 1-240 minutes")
    mode = r.table.get("mode", "agent")
    if mode not in ("agent", "kiosk"):
        raise r.fail("mode", f'must be "agent" or "kiosk", not {mode!r}')
    name, agent = r.table.get("name", printer_id), r.table.get("agent", printer_id)
    if not isinstance(name, str) or not isinstance(agent, str) or not agent:
        raise r.fail("name", "name and agent must be texts")
    return PrinterConfig(
        id=printer_id, name=name, paper_mm=paper_mm, kiosks=tuple(kiosks), agent=agent,
        max_job_age_min=age, mode=mode,
    )


def parse_printers(root: Reader) -> tuple[PrinterConfig, ...]:
    if not isinstance(root.table.get("printers", []), list):
        raise root.fail("printers", "must be a list of [[printers]] tables")
    printers = [parse_printer(r) for r in root.tables("printers")]
    unique(root.path, printers, "id", "printers")
    return tuple(printers)
