"""office.toml additions for printer tests: one network printer for the test kiosk."""

from __future__ import annotations

PRINTER_ID = "eingang"

PRINTERS_TOML = f"""

[[printers]]
id = "{PRINTER_ID}"
name = "Drucker Eingang"
paper_mm = 80
kiosks = ["kiosk"]
agent = "printer"
max_job_age_min = 10
"""


def with_printer(text: str) -> str:
    """Append the test printer to an office.toml text (device names as in bench.harness)."""
    return text + PRINTERS_TOML
