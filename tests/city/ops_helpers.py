"""city.toml with its engines, and `townhall city ...` run as the city's IT would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.harness import LiveServer


def write_city_toml(folder: Path, nats_url: str, dsn: str, offices: dict[str, LiveServer | None],
                    catalogue: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    entries = "".join(
        f'\n[[offices]]\nid = "{office_id}"\nname = "Bürgeramt {office_id.title()}"\n'
        f'url = "{server.url if server else "http://127.0.0.1:9"}"\n'
        f'token = "{server.tokens["booking"] if server else "unused"}"\n'
        for office_id, server in offices.items()
    )
    text = (f'[city]\nname = "Stadt Musterstadt"\n\n[nats]\nurl = "{nats_url}"\n\n'
            f'[postgres]\ndsn = "{dsn}"\n')
    if catalogue is not None:
        text += f'\n[catalogue]\nfile = "{catalogue}"\n'
    path = folder / "city.toml"
    path.write_text(text + entries, encoding="utf-8")
    return path


def townhall_city(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    answer = subprocess.run([sys.executable, "-m", "counter_server.cli", "city", *args],
                            capture_output=True, text=True, timeout=120)
    if check:
        assert answer.returncode == 0, answer.stdout + answer.stderr
    return answer
