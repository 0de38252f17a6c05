from __future__ import annotations

import re

from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from wallboard.config import Thresholds
from wallboard.core.counters import Counters, compute_counters
from wallboard.core.view import SortKey
from wallboard.ui.screens.board import BoardScreen
from wallboard.ui.screens.kiosk import BigCounter, KioskScreen, kiosk_pages
from wallboard.ui.widgets.counters import alert_levels

MASKED = re.compile(r"\+\d{2,3} \*{3,4} \*{3} \d{3}")


async def test_kiosk_shows_big_counters_and_masked_numbers_without_a_cursor():
    app = demo_app(calls=40, kiosk=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = app.screen
        assert isinstance(screen, KioskScreen)
        table = screen.table
        assert table.cursor_call is None
        expected = compute_counters(app.state.calls.values(), FROZEN)
        total = screen.query_one("#counter-total", BigCounter)
        assert total.value == str(expected.total)
        text = "\n".join(table.render_line(y).text for y in range(1, 10))
        assert MASKED.search(text)
        call = table.rows[0]
        assert call.client_number not in text


async def test_kiosk_keys_do_nothing_but_quit():
    app = demo_app(calls=40, kiosk=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("slash", "d", "question_mark", "c", "ctrl+p", "s")
        await pilot.pause()
        assert isinstance(app.screen, KioskScreen)
        assert app.clipboard == ""
        assert app.screen.table.sort_key is SortKey.STARTED
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_unlock_key_leaves_kiosk_mode_for_the_interactive_board():
    app = demo_app(calls=40, kiosk=True, kiosk_unlock_key="ctrl+u")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await wait_for_calls(pilot, app)
        await pilot.press("s")
        assert app.board.table.sort_key is SortKey.TYPE


async def test_pages_rotate_all_then_one_per_department_then_longest_waiting():
    app = demo_app(calls=60, kiosk=True,
                   kiosk_pages=["all", "departments", "longest_waiting"])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = app.screen
        departments = app.state.departments()
        assert [p.title for p in screen.pages] == ["All calls", *departments, "Longest waiting"]
        assert len(screen.table.rows) == len(app.state.calls)
        screen.next_page()
        first = departments[0]
        assert screen.table.rows
        assert all(app.state.department_of(c) == first for c in screen.table.rows)
        for _ in departments:
            screen.next_page()
        assert screen.table.sort_key is SortKey.WAITING
        screen.next_page()
        assert screen.page.title == "All calls"


def test_kiosk_pages_with_no_departments_fall_back_to_all_calls():
    assert [p.title for p in kiosk_pages(["departments"], [])] == ["All calls"]


def test_thresholds_turn_counters_amber_then_red():
    t = Thresholds(waiting_amber=3, waiting_red=8, longest_wait_amber_seconds=30,
                   longest_wait_red_seconds=90)
    assert alert_levels(Counters(waiting=2, longest_wait=10), t) == {
        "waiting": "", "longest_wait": ""}
    assert alert_levels(Counters(waiting=3, longest_wait=30), t) == {
        "waiting": "amber", "longest_wait": "amber"}
    assert alert_levels(Counters(waiting=9, longest_wait=120), t) == {
        "waiting": "red", "longest_wait": "red"}
    off = Thresholds(waiting_amber=0, waiting_red=0)
    assert alert_levels(Counters(waiting=50), off)["waiting"] == ""


async def test_a_red_counter_is_marked_on_screen():
    app = demo_app(calls=40, kiosk=True, thresholds=Thresholds(waiting_amber=1, waiting_red=2))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        waiting = app.screen.query_one("#counter-waiting", BigCounter)
        assert int(waiting.value) >= 2
        assert waiting.has_class("-red")


def test_kiosk_site_pages_are_one_per_site_and_none_on_a_single_site():
    pages = kiosk_pages(["sites", "all"], ["Sales"], ["kyiv", "warsaw"])
    assert [(p.title, p.board_filter.sites) for p in pages] == [
        ("kyiv", frozenset({"kyiv"})), ("warsaw", frozenset({"warsaw"})),
        ("All calls", frozenset())]
    assert [p.title for p in kiosk_pages(["sites"], ["Sales"], [])] == ["All calls"]
