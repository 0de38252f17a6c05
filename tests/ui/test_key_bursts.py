"""Keys that arrive together (a paste, ``tmux send-keys Enter Enter``, a slow SSH link).

A terminal delivers such keys in one read; Textual's driver posts them to the app one after
another without waiting for the first to be handled. :func:`burst` does the same, so a
second Enter reaches a dialog that the first Enter has already closed.
"""

from __future__ import annotations

import random

import pytest
from textual import events

from tests.ui.conftest import demo_app, wait_for_calls
from tests.ui.listen_helpers import select_row, talking_row, until
from wallboard.core.format import format_duration
from wallboard.core.models import CallStatus
from wallboard.ui.screens.board import BoardScreen
from wallboard.ui.screens.kiosk import KioskScreen
from wallboard.ui.screens.listen_confirm import ListenConfirmScreen
from wallboard.ui.screens.managers import ManagersScreen
from wallboard.ui.screens.picker import PickerScreen
from wallboard.ui.screens.profile import ProfileScreen
from wallboard.ui.widgets.counters import CountersBar

CHARACTERS = {"enter": "\r", "escape": "\x1b", "space": " ", "tab": "\t",
              "question_mark": "?", "slash": "/"}
KEYS = ["slash", "d", "x", "s", "S", "c", "b", "p", "enter", "m", "l", "w", "u", "e", "1",
        "2", "3", "g", "t", "space", "ctrl+a", "escape", "question_mark", "up", "down", "left",
        "right", "home", "end", "pageup", "pagedown", "tab", "a", "n", "o", "backspace"]
"""Every bound key and then some; never ``q``, which quits (as it should)."""
PASTE = "abcdefghijklmnoprstuvwxyz ABCDEFGHIJKLMNOPRSTUVWXYZ0123456789.,-/"


def burst(app, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Post ``keys`` the way the driver posts the keys of one read: all at once."""
    for key in keys:
        char = CHARACTERS.get(key, key if len(key) == 1 else None)
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)


def paste_keys(text: str) -> list[str]:
    return [{" ": "space", "/": "slash", ".": "full_stop", ",": "comma",
             "-": "minus"}.get(ch, ch) for ch in text]


async def back_to_the_board(pilot, app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(8):
        if isinstance(app.screen, BoardScreen | KioskScreen):
            return
        await pilot.press("escape")
        await pilot.pause(0.05)
    raise AssertionError(f"escape does not lead back to the board from {app.screen}")


async def assert_live(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """The board still follows the source: two minutes on, its rows and counters move."""
    board = app.screen
    if isinstance(board, BoardScreen):  # the bursts may have set filters or moved the cursor
        await pilot.press("x", "home")
    before = {c.id for c in board.table.rows}
    now = app.clock.advance(120)
    await until(pilot, lambda: app.source.center.now >= now)
    await pilot.pause(0.3)
    board.next_frame()  # as the app does before each frame: read the clock moved by hand
    board.update_view()
    board.tick()
    rows = board.table.rows
    assert {c.id for c in rows} == set(app.state.calls) != before
    first = board.table.first_row
    talking = next(c for c in rows[first:] if c.status is CallStatus.TALKING)
    line = board.table.render_line(1 + rows.index(talking) - first).text
    assert talking.client_number[-3:] in line  # the row of that call (masked in kiosk mode)
    assert format_duration(talking.talk_seconds(now)) in line
    if isinstance(board, BoardScreen):
        assert board.query_one(CountersBar).values["total"] == str(len(app.state.calls))


async def open_screen(pilot, app, name: str) -> None:  # type: ignore[no-untyped-def]
    keys = {"board": [], "employees": ["slash"], "departments": ["d"], "managers": ["m"],
            "profile": ["p"], "details": ["p", "3", "t"], "call log": ["p", "g"],
            "help": ["question_mark"], "listen": ["l"]}[name]
    if name == "listen":
        await select_row(pilot, talking_row(app))
    if keys[:1] == ["p"]:
        await pilot.press("home")
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        await until(pilot, lambda: screen.profile is not None)
        keys = keys[1:]
    await pilot.press(*keys)
    await pilot.pause(0.05)


SCREENS = ["board", "employees", "departments", "managers", "profile", "details", "call log",
           "help", "listen"]


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
async def test_bursts_of_keys_on_every_screen_never_crash(size):
    rng = random.Random(f"bursts-{size}")
    app = demo_app(calls=40)
    async with app.run_test(size=size) as pilot:
        await wait_for_calls(pilot, app)
        for name in SCREENS:
            bursts = [["enter", "enter"], ["escape", "escape"],
                      paste_keys("".join(rng.choice(PASTE) for _ in range(50)))]
            bursts += [[rng.choice(KEYS) for _ in range(rng.randint(2, 8))] for _ in range(4)]
            for keys in bursts:
                await back_to_the_board(pilot, app)
                await open_screen(pilot, app, name)
                burst(app, keys)
                await pilot.pause(0.15)
                assert app.is_running, f"{name}: {keys}"
        await back_to_the_board(pilot, app)
        await assert_live(pilot, app)


@pytest.mark.slow
async def test_bursts_on_the_kiosk_never_crash():
    rng = random.Random("kiosk")
    app = demo_app(calls=40, kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        for _ in range(6):
            burst(app, [rng.choice(KEYS) for _ in range(rng.randint(2, 12))])
            await pilot.pause(0.1)
        burst(app, paste_keys(PASTE[:50]))
        await pilot.pause(0.2)
        assert isinstance(app.screen, KioskScreen)
        await assert_live(pilot, app)


# -- the crashes of issue 11, each on its own (fast) --------------------------------------
@pytest.mark.parametrize(("opener", "screen_type"), [
    (["slash"], PickerScreen), (["d"], PickerScreen), (["m", "enter"], ProfileScreen),
])
async def test_a_second_enter_in_the_same_burst_is_harmless(opener, screen_type):
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press(*opener)
        await pilot.pause(0.1)
        assert isinstance(app.screen, screen_type)
        burst(app, ["escape", "escape"] if screen_type is ProfileScreen else ["enter", "enter"])
        await pilot.pause(0.3)
        assert app.is_running
        assert not isinstance(app.screen, screen_type)


async def test_a_double_enter_on_the_listen_confirmation_joins_once():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l")
        assert isinstance(app.screen, ListenConfirmScreen)
        burst(app, ["enter", "enter"])
        await until(pilot, app.state.active_listen)
        await pilot.pause(0.3)
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert len(app.state.listen_sessions) == 1


async def test_keys_in_the_burst_that_opens_the_managers_list_do_no_harm():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        burst(app, ["m", *paste_keys("Ale"), "enter", "enter"])
        await pilot.pause(0.3)
        assert app.is_running and app.state.active_listen() is None  # no `l` on the board


async def test_letters_that_reach_a_list_before_its_search_box_has_focus_are_searched():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        name = sorted(e.name for e in app.state.employees.values())[5]
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, ManagersScreen)
        screen.set_focus(None)  # as just after the push, before the focus lands
        await pilot.pause()
        burst(app, paste_keys(name))
        await pilot.pause(0.3)
        assert screen.query_one("Input").value == name
        options = screen.query_one("OptionList")
        assert options.option_count == 1
        assert name in str(options.get_option_at_index(options.highlighted).prompt)
