"""axe-core in the page tests: fetched once from the npm registry into .cache/axe/.

The product never loads it; only tests inject it into a page they opened.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

AXE_VERSION = "4.14.1"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "axe" / AXE_VERSION
# WCAG 2.1 A and AA, plus the enhanced (AAA) contrast of 7:1 the clerk and display pages promise
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EXTRA_RULES = ["color-contrast-enhanced"]
BLOCKING = ("serious", "critical")


def axe_script() -> Path:
    """The path of axe.min.js, packed from the npm registry on first use."""
    script = CACHE / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed; run ./dev test, which installs it")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        packed = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", work, "--silent"],
            check=True, capture_output=True, text=True, timeout=300,
        ).stdout.strip().splitlines()[-1]
        with tarfile.open(Path(work) / packed) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None, f"{packed} has no axe.min.js"
            partial = Path(work) / "axe.min.js"
            partial.write_bytes(member.read())
        partial.replace(script)  # atomic: a half-written file is never taken from the cache
    return script


def run_axe(page: Any, *, include: str | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (or within the `include` selector)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_script().read_text(encoding="utf-8"))
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "rules": {rule: {"enabled": True} for rule in EXTRA_RULES},
        "resultTypes": ["violations"],
    }
    context = include or "document"
    result: dict[str, Any] = page.evaluate(
        "([selector, options]) => axe.run(selector === 'document' ? document : selector, options)",
        [context, options],
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} – {violation['help']}")
        for node in violation["nodes"][:60]:
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {' '.join(node['target'])}: {summary[:240]}")
    return "\n".join(lines)


def assert_accessible(page: Any, *, include: str | None = None,
                      impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Fail on any axe violation of the given impacts; return all violations found."""
    violations = run_axe(page, include=include)
    blocking = [v for v in violations if v["impact"] in impacts]
    assert not blocking, f"axe found {len(blocking)} blocking rule(s) on {page.url}:\n{describe(blocking)}"
    return violations
