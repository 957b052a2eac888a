"""A busy office for the display tests: up to 16 counters calling at once, and a way to read
the letter heights and boxes of what the display shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from bench.harness import make_devices
from tests.conftest import LiveServer, ServerFactory

SERVICES = ("ausweis", "anmeldung", "pass", "abholung", "bescheinigung", "sonstiges")
ALL_SKILLS = "{ " + ", ".join(f"{s} = 1" for s in SERVICES) + " }"
# 43" 1080p: 0.496 mm per CSS px at 1920 wide; 45 mm of letter height for weak eyesight at 5 m
MM_PER_PX_43_INCH = 0.496
CAP_PX_45_MM = 91


def with_counters(total: int, skills: str = ALL_SKILLS) -> Any:
    """office.toml's edit: the demo office's 8 counters plus counters 9..`total` with `skills`."""
    def edit(text: str) -> str:
        extra = "".join(
            f'\n[[counters]]\nid = "{n}"\nlabel = "Schalter {n}"\nroom = "Raum E.{n:02d}"\nskills = {skills}\n'
            for n in range(9, total + 1)
        )
        return text + extra
    return edit


def office_with(
    server_factory: ServerFactory, counters: int = 16, skills: str = ALL_SKILLS,
    also: Callable[[str], str] = lambda text: text,
) -> LiveServer:
    """A started server whose office has `counters` counters, each with a device token;
    `also(text) -> text` changes office.toml further."""
    add = with_counters(max(counters, 8), skills)
    server = server_factory(edit_config=lambda text: also(add(text)), start=False)
    server.tokens.update(make_devices(server.data_dir, [f"counter:{n}" for n in range(9, counters + 1)]))
    server.start()
    return server


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def check_in(server: LiveServer, service: str) -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": service}, headers=key())
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def call_next(server: LiveServer, counter: int) -> dict[str, Any]:
    """Counter `counter` opens (if closed) and calls the next visitor (its previous one: done)."""
    with server.client(f"counter:{counter}") as desk:
        desk.post(f"/api/v1/counters/{counter}/state", json={"state": "open"}, headers=key())
        answer = desk.post(f"/api/v1/counters/{counter}/next", params={"previous": "done"}, headers=key())
    assert answer.status_code == 200, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def act(server: LiveServer, counter: int, ticket_id: str, action: str) -> None:
    with server.client(f"counter:{counter}") as desk:
        answer = desk.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=key())
    assert answer.status_code == 200, answer.text


def counters_calling(server: LiveServer, count: int) -> list[str]:
    """Counters 1..`count` each call a visitor, in that order; the numbers called, oldest first."""
    for _ in range(4):
        for service in SERVICES:
            check_in(server, service)
    return [call_next(server, n)["number"] for n in range(1, count + 1)]


# The letter height of an element's text as drawn: the cap height of its font (the height of
# "H" from the baseline, canvas TextMetrics.actualBoundingBoxAscent) at the element's computed
# font, and the ink height of its own text (ascent + descent of exactly that string).
# The element is looked up and measured in one script run: the board re-renders its tiles
# whenever a snapshot or board event comes, and a tile replaced between a lookup and a
# measurement has no computed style (the canvas would then measure its default 10px font).
LETTER_HEIGHT_JS = """(selector) => {
  const node = document.querySelector(selector);
  if (!node) return null;
  const style = getComputedStyle(node);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const cap = context.measureText("H");
  const ink = context.measureText(node.textContent);
  return {cap: cap.actualBoundingBoxAscent, ink: ink.actualBoundingBoxAscent + ink.actualBoundingBoxDescent,
          fontSize: parseFloat(style.fontSize), font: context.font};
}"""


def letter_height(page: Any, selector: str) -> dict[str, Any]:
    found: dict[str, Any] | None = page.evaluate(LETTER_HEIGHT_JS, selector)
    assert found is not None, f"nothing on the page matches {selector}"
    return found


def tile_boxes(page: Any) -> list[dict[str, Any]]:
    """Every call tile: its number, its box, its number's box and whether its text is cut off."""
    boxes: list[dict[str, Any]] = page.evaluate("""() => Array.from(document.querySelectorAll('#current li')).map((li) => {
      const box = (n) => { const r = n.getBoundingClientRect(); return {x: r.left, y: r.top, right: r.right, bottom: r.bottom}; };
      return {number: li.dataset.number, tile: box(li), text: box(li.querySelector('.number')),
              counter: box(li.querySelector('.counter')), clipped: li.scrollWidth > li.clientWidth + 1,
              newest: li.classList.contains('newest')};
    })""")
    return boxes
