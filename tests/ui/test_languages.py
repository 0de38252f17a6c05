"""The board in each language (issue 17): snapshots of the board, the profile, kiosk, help
and the listen confirmation at 80x24 and 160x45, and no word cut on any of them.

English's board, profile and kiosk at these sizes are in test_snapshots.py; every other
picture is here. Same seed, same frozen clock: only the words differ between languages.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import demo_app, wait_for_calls
from tests.ui.listen_helpers import select_row, talking_row

SIZES = [(80, 24), (160, 45)]
SIZE_IDS = ["80x24", "160x45"]
LANGUAGES = ["pl", "uk"]


async def _board(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await pilot.pause(0.1)


async def _profile(pilot) -> None:  # type: ignore[no-untyped-def]
    await _board(pilot)
    await pilot.press("p")
    for _ in range(100):
        if getattr(pilot.app.screen, "profile", None) is not None:
            break
        await pilot.pause(0.02)
    await pilot.press("3")
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


async def _help(pilot) -> None:  # type: ignore[no-untyped-def]
    await _board(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.1)


async def _listen_confirmation(pilot) -> None:  # type: ignore[no-untyped-def]
    await _board(pilot)
    await select_row(pilot, talking_row(pilot.app))
    await pilot.press("l")
    await pilot.pause(0.1)


SCREENS = {
    "board": (_board, {}),
    "profile": (_profile, {}),
    "kiosk": (_board, {"kiosk": True, "kiosk_pages": ["all", "departments"]}),
    "help": (_help, {}),
    "listen": (_listen_confirmation, {"mask_numbers": True}),
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_screen_in_language(snap_compare, language, screen, size):
    run_before, ui = SCREENS[screen]
    app = demo_app(calls=40, language=language, **ui)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", ["help", "listen"])
def test_screen_in_english(snap_compare, screen, size):
    run_before, ui = SCREENS[screen]
    app = demo_app(calls=40, **ui)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


# -- no word cut -----------------------------------------------------------------------------
CUT = re.compile(r"(\w[\w.'’-]*)…")
"""A word that ends in an ellipsis: something was cut there."""


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join("".join(segment.text for segment in strip)
                     for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", ["en", *LANGUAGES])
async def test_no_label_is_cut_mid_word(language, screen, size):
    """Whatever the language, the only words ending in "…" are names in a narrow
    column (data, cut where the column ends); no title, label or key is cut."""
    run_before, ui = SCREENS[screen]
    app = demo_app(calls=40, language=language, **ui)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        text = screen_text(app)
        names = " ".join(e.name for e in app.state.employees.values())
        cut = [word for word in CUT.findall(text) if word not in names]
        assert cut == [], f"cut on the {screen} in {language}: {cut}\n{text}"
        if screen == "board":
            from wallboard.i18n import _
            from wallboard.ui.widgets.counters import COUNTERS, counter_label

            for key, label in COUNTERS:  # counters draw their label whole, never cropped
                assert counter_label(label) in text, key
            header = text.splitlines()[app.board.table.region.y]  # its first line
            for placed in app.board.table._placed:
                assert _(placed.column.title) in header
