"""The board in each language (issue 17): snapshots of the board, the profile, kiosk, help,
the listen confirmation, the queues screen, the agents grid and the alerts screen at 80x24
and 160x45, no word cut on any of them, and none of their words left in English.

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


async def _queues(pilot) -> None:  # type: ignore[no-untyped-def]
    await _board(pilot)
    await pilot.press("Q", "down", "down")  # the third queue's every figure below
    await pilot.pause(0.1)


async def _agents(pilot) -> None:  # type: ignore[no-untyped-def]
    await _board(pilot)
    await pilot.press("a")
    await pilot.pause(0.1)


async def _alerts(pilot) -> None:  # type: ignore[no-untyped-def]
    """Three alerts of the seeded demo (two queues with callers and nobody free, one wait
    over 30 s), the first acknowledged."""
    await _board(pilot)
    engine = pilot.app.service.alerts.engine
    for _ in range(100):
        if len(engine.active) == 3:
            break
        await pilot.pause(0.05)
    await pilot.press("exclamation_mark")
    await pilot.pause(0.1)
    await pilot.press("enter")
    await pilot.pause(0.1)
    pilot.app.clear_notifications()  # the toasts of the alerts fired cover the list
    await pilot.pause(0.1)


ALERT_RULES = [{"metric": "waiting_no_agent", "critical": 1},
               {"metric": "longest_wait", "warning": 30, "critical": 60}]

SCREENS = {
    "board": (_board, {}),
    "profile": (_profile, {}),
    "kiosk": (_board, {"kiosk": True, "kiosk_pages": ["all", "departments"]}),
    "help": (_help, {}),
    "listen": (_listen_confirmation, {"mask_numbers": True}),
    "queues": (_queues, {}),
    "agents": (_agents, {}),
    "alerts": (_alerts, {"alerts": ALERT_RULES}),
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


def top_line_words(app) -> set[str]:  # type: ignore[no-untyped-def]
    """The whole words of the top line's title and note: it shortens them by whole words
    (``Agenci · 52…``), so a word there followed by "…" was dropped after, not cut."""
    from wallboard.i18n import say
    from wallboard.ui.widgets.topbar import TopBar

    bar = next(bar for screen in reversed(app.screen_stack) for bar in screen.query(TopBar))
    return set(re.findall(r"\w[\w.'’-]*", f"{say(bar.title)} {bar.note} {bar.status}"))


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join("".join(segment.text for segment in strip)
                     for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("language", ["en", *LANGUAGES])
async def test_no_label_is_cut_mid_word(language, screen, size):
    """Whatever the language, the only words ending in "…" are names of managers and
    queues in a narrow column (data, cut where the column ends) and the top line's whole
    words (it drops words at its end); no title, label or key is cut."""
    run_before, ui = SCREENS[screen]
    app = demo_app(calls=40, language=language, **ui)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        text = screen_text(app)
        names = " ".join([*(e.name for e in app.state.employees.values()),
                          *(q.name for q in app.state.queues.values())])
        top, *rest = text.splitlines()
        cut = [word for word in CUT.findall("\n".join(rest)) if word not in names]
        if top_cut := CUT.findall(top):
            cut += [word for word in top_cut if word not in top_line_words(app)]
        assert cut == [], f"cut on the {screen} in {language}: {cut}\n{text}"
        if screen == "board":
            from wallboard.i18n import _
            from wallboard.ui.widgets.counters import COUNTERS, counter_label

            for key, label in COUNTERS:  # counters draw their label whole, never cropped
                assert counter_label(label) in text, key
            header = text.splitlines()[app.board.table.region.y]  # its first line
            for placed in app.board.table._placed:
                assert _(placed.column.title) in header


ENGLISH = {
    "queues": {"Queue", "Queues", "today", "Today", "Waiting", "Longest", "Avail", "Answered",
               "Offered", "Abandoned", "Short", "abandons", "Service", "level", "Abandon",
               "rate", "Now", "waiting", "longest", "callbacks", "Agents", "available", "busy",
               "wrap-up", "paused", "DND", "All", "Close", "Help", "Quit"},
    "agents": {"Agents", "by", "name", "available", "ringing", "on", "call", "wrap-up",
               "paused", "DND", "unknown", "lunch", "break", "training", "Close",
               "Profile", "Queue", "Help", "Quit", "more", "lines"},
    "alerts": {"Alerts", "active", "unacknowledged", "recent", "acknowledges", "selected",
               "critical", "warning", "callers", "waiting", "no", "agent", "available",
               "longest", "wait", "ringing", "acknowledged", "by", "Acknowledge", "Close"},
    "board": {"waiting", "longest", "avail", "aband", "ans", "more", "queues", "shows", "all",
              "Queue"},
}
"""English words of each screen that a Polish or Ukrainian one must not show (names, "SL",
"ASA", "AHT", "IVR", "offline", "alert" and the demo's "Call center" are the same in
Polish)."""


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", list(ENGLISH))
@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_queue_screens_speak_the_language(language, screen, size):
    """Every label, title, state, key and sentence of the queues screen, the agents grid,
    the alerts screen and the queues strip is in the board's language."""
    run_before, ui = SCREENS[screen]
    app = demo_app(calls=40, language=language, **ui)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        text = screen_text(app)
        names = {w for e in app.state.employees.values() for w in e.name.split()}
        words = set(re.findall(r"[\w-]+", text)) - names
        assert sorted(words & ENGLISH[screen]) == [], text
