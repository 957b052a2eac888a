"""Issue 12: every current call is on the display, on a 1080p and a 720p screen, for up to 16
counters; the newest stands out, its number and counter at least 45 mm high on a 43" TV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import ServerFactory
from tests.pages.busy_board import (
    CAP_PX_45_MM,
    call_next,
    counters_calling,
    letter_height,
    office_with,
    tile_boxes,
)

SCREENS = ((1920, 1080), (1280, 720))


def open_display(chromium: Any, url: str, token: str, size: tuple[int, int], lang: str = "de") -> Any:
    page = chromium.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{url}/display?token={token}&lang={lang}")
    page.wait_for_selector("#current li.newest")
    page.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")
    return page


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["right"] - 1 and b["x"] < a["right"] - 1 and a["y"] < b["bottom"] - 1 and b["y"] < a["bottom"] - 1


def assert_every_call_shown(page: Any, called: list[str], size: tuple[int, int]) -> list[dict[str, Any]]:
    tiles = tile_boxes(page)
    assert sorted(t["number"] for t in tiles) == sorted(called), (size, tiles)
    visible = page.inner_text("#current")
    for number in called:
        assert number in visible, (size, number)
    width, height = size
    for tile in tiles:
        box = tile["tile"]
        assert box["x"] >= 0 and box["y"] >= 0 and box["right"] <= width and box["bottom"] <= height, (size, tile)
        assert not tile["clipped"], (size, tile)
        for part in ("text", "counter"):  # the number and the counter lie within their tile
            inner = tile[part]
            assert box["x"] <= inner["x"] and inner["right"] <= box["right"] + 0.5, (size, part, tile)
            assert box["y"] <= inner["y"] and inner["bottom"] <= box["bottom"] + 0.5, (size, part, tile)
    for i, a in enumerate(tiles):
        for b in tiles[i + 1:]:
            assert not overlap(a["tile"], b["tile"]), (size, a, b)
    # the newest call comes first, alone in the biggest tile, with the biggest letters
    assert tiles[0]["number"] == called[-1] and tiles[0]["newest"], (size, tiles[0])
    assert sum(t["newest"] for t in tiles) == 1
    if len(tiles) > 1:
        newest = letter_height(page, "#current li.newest .number")["cap"]
        other = max(letter_height(page, f"#current li:nth-child({i}) .number")["cap"] for i in range(2, len(tiles) + 1))
        assert newest >= 1.8 * other, (size, newest, other)
    return tiles


@pytest.mark.parametrize("counters", [6, 8, 16])
def test_every_current_call_is_shown_and_the_newest_stands_out(
    server_factory: ServerFactory, artifacts: Path, counters: int,
) -> None:
    server = office_with(server_factory, 16)
    called = counters_calling(server, counters)
    assert len(set(called)) == counters
    with browser() as chromium:
        for size in SCREENS:
            page = open_display(chromium, server.url, server.tokens["display"], size)
            assert_every_call_shown(page, called, size)
            if size == (1920, 1080):
                for part in ("number", "counter"):  # 45 mm on a 43" TV
                    found = letter_height(page, f"#current li.newest .{part}")
                    assert found["cap"] >= CAP_PX_45_MM, (counters, part, found)
                room = letter_height(page, "#current li.newest .room")
                assert room["cap"] >= 54, room  # 27 mm: readable from 3 m
            name = f"display-{counters}-counters" + ("" if size == (1920, 1080) else "-720p") + ".png"
            page.screenshot(path=str(artifacts / name))
            if counters == 16 and size == (1920, 1080):
                assert_accessible(page)
            page.close()


def test_a_new_call_moves_to_the_top_and_the_others_stay(server_factory: ServerFactory) -> None:

    server = office_with(server_factory, 8)
    called = counters_calling(server, 5)
    with browser() as chromium:
        page = open_display(chromium, server.url, server.tokens["display"], (1920, 1080))
        assert_every_call_shown(page, called, (1920, 1080))
        newest = call_next(server, 6)["number"]
        page.wait_for_selector(f"#current li.newest[data-number='{newest}']", timeout=20000)
        assert_every_call_shown(page, [*called, newest], (1920, 1080))
