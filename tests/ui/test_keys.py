"""Issue 11, section 7: the footer shows whole keys only, help lists every key, and every text
that names a key follows the keymap."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from tests.ui.listen_helpers import select_row, settle, talking_row, until
from wallboard.config import Config, DemoSource, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.factory import create_app
from wallboard.sources.demo import DemoSource as Demo
from wallboard.ui.screens.board import BoardScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.picker import PickerScreen
from wallboard.ui.screens.profile import ProfileScreen
from wallboard.ui.widgets.keys_footer import KeysFooter
from wallboard.ui.widgets.listen_bar import ListenBar

SIZES = [(80, 24), (120, 35), (160, 45), (200, 60)]
BOARD_LABELS = ["/ Employees", "d Department", "x Clear filters", "s Sort", "S Reverse",
                "k Queue", "c Copy client", "b Copy business no.", "p Profile", "m Managers",
                "Q Queues", "a Agents", "! Alerts", "l Join call", "? Help", "q Quit"]
SESSION_LABELS = ["w Listen/coach", "u Mute/unmute", "e End listening"]


def footer_text(app) -> str:  # type: ignore[no-untyped-def]
    footer = app.screen.query_one(KeysFooter)
    text = footer.render().plain
    assert cell_len(text) <= footer.size.width
    return text


def assert_whole(text: str, labels: list[str]) -> list[str]:
    """The footer is whole labels and nothing else: no label cut short."""
    shown = [label for label in labels if f" {label} " in text]
    rest = text
    for label in [*shown, "^p palette"]:
        rest = rest.replace(f" {label} ", "")
    assert set(rest) <= {" ", "▕"}, (rest, text)
    return shown


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_board_footer_shows_whole_keys_help_first(size):
    app = demo_app(calls=40)
    async with app.run_test(size=size) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.pause(0.1)
        shown = assert_whole(footer_text(app), BOARD_LABELS)
        assert {"? Help", "q Quit"} <= set(shown)
        if size[0] >= 200:
            assert shown == BOARD_LABELS
        if size[0] == 160:  # 160x45 cut `q Qu` before; the least used keys make room now
            assert shown == [label for label in BOARD_LABELS
                             if label not in ("k Queue", "b Copy business no.")]
        if size[0] == 80:
            assert "b Copy business no." not in shown and "/ Employees" in shown


async def test_the_footer_during_a_listen_session_keeps_its_keys_whole():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        await select_row(pilot, talking_row(app))
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        await settle(pilot, app)
        await pilot.pause(0.1)
        shown = assert_whole(footer_text(app), SESSION_LABELS + BOARD_LABELS)
        assert set(SESSION_LABELS) <= set(shown)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
async def test_the_profile_and_call_log_footers_keep_their_keys_whole(size):
    app = demo_app(calls=40)
    async with app.run_test(size=size) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("p")
        await until(pilot, lambda: getattr(app.screen, "profile", None) is not None)
        await pilot.pause(0.1)
        shown = assert_whole(footer_text(app), [
            "esc Close", "1 Today", "2 3 days", "3 7 days", "g Call log", "t Details",
            "? Help", "q Quit"])
        assert {"t Details", "? Help", "esc Close"} <= set(shown)
        await pilot.press("g")
        await pilot.pause(0.1)
        assert_whole(footer_text(app), ["esc Back to profile", "c Copy recording link",
                                        "? Help", "q Quit"])


async def test_help_lists_every_key_with_enter_next_to_p():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        rows = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0])
                for i in range(table.row_count)}
        for label in BOARD_LABELS:  # the ones the footer dropped at 80x24 too
            key, description = label.split(" ", 1)
            assert key in rows[description].split(", "), label
        assert rows["Profile"] == "p, enter"


async def test_texts_that_name_keys_follow_the_keymap():
    clock = ManualClock(FROZEN)
    keys = {"board.clear_filters": "z", "listen.end": "k", "profile.details": "i",
            "profile.call_log": "o", "profile.close": "ctrl+w", "picker.clear": "ctrl+n",
            "picker.apply": "ctrl+o", "listen_confirm.start": "j"}
    config = Config(source=DemoSource(seed=7, calls=40), keys=keys,
                    ui=UiConfig(timezone="Europe/Warsaw"))
    app = create_app(config, source=Demo(clock=clock, seed=7, calls=40), clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        # the picker's hint, and its keys work as remapped
        await pilot.press("d")
        assert isinstance(app.screen, PickerScreen)
        hint = str(app.screen.query_one("#picker-hint").render())
        assert hint == "space toggles · ^o applies · ^n clears · esc cancels"
        await pilot.press(*"Sales", "space", "ctrl+o")
        assert isinstance(app.screen, BoardScreen)
        assert "(z clears)" in str(app.board.query_one("#filter-line").render())
        await pilot.press("z")
        assert not app.board.table.board_filter.active
        # the profile's headings and the details' hint
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        await until(pilot, lambda: screen.profile is not None)
        headings = " ".join(str(w.render()) for w in screen.query(".profile-heading"))
        assert "(o: call log of the period)" in headings and "↑↓ day · i details" in headings
        await pilot.press("i")
        assert "(arrows walk them, i or ^w closes)" in screen.timeline.render().plain
        await pilot.press("ctrl+w", "ctrl+w")
        assert app.screen is app.board
        # the listen confirmation, the session bar, and core's refusal sentence
        await select_row(pilot, talking_row(app))
        await pilot.press("l")
        assert "j joins · esc cancels" in str(app.screen.query_one("#listen-confirm-hint")
                                              .render())
        await pilot.press("j")
        await until(pilot, app.state.active_listen)
        await settle(pilot, app)
        assert app.board.query_one(ListenBar).hints.endswith("k end")
        notes: list[str] = []
        original = app.notify
        app.notify = lambda message, *a, **kw: (notes.append(message),  # type: ignore[method-assign]
                                                original(message, *a, **kw))[1]
        await pilot.press("l")
        assert notes and "end it (k) before joining" in notes[-1]


def test_config_example_lists_every_remappable_key():
    from pathlib import Path

    from wallboard.ui.keys import binding_ids

    text = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text()
    assert sorted(i for i in binding_ids() if f'"{i}"' not in text) == []
