"""Issue 11, section 5: the pickers' keys, marks and the "(no department)" choice."""

from __future__ import annotations

from datetime import timedelta

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from wallboard.config import Config
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.factory import create_app
from wallboard.ui.screens.picker import PickerScreen


def list_lines(screen) -> list[str]:  # type: ignore[no-untyped-def]
    items = screen.query_one("#picker-list")
    return [items.render_line(y).text for y in range(min(items.option_count, 6))]


async def test_ctrl_a_clears_the_picker_even_from_the_search_box():
    app = demo_app(calls=40)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("slash", "space", "down", "space")
        screen = app.screen
        assert isinstance(screen, PickerScreen) and len(screen.selected) == 2
        await pilot.press(*"a")  # typing in the search box keeps its focus
        assert screen.query_one("#picker-search").has_focus
        await pilot.press("ctrl+a")
        assert screen.selected == set()
        await pilot.press("enter")
        assert not app.board.table.board_filter.active


async def test_chosen_items_carry_a_mark_not_only_a_colour():
    app = demo_app(calls=40)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("d", "down", "space")
        lines = list_lines(app.screen)
        assert lines[1].startswith("▐✓▌")
        assert all(line.startswith("▐ ▌") for n, line in enumerate(lines) if n != 1)
        await pilot.press("space")
        assert list_lines(app.screen)[1].startswith("▐ ▌")


async def test_managers_without_a_department_can_be_picked():
    employees = (Employee(id="e1", name="Ann Nowak", department="Sales"),
                 Employee(id="e2", name="Bob Kowalski"))
    made = tuple(
        Call(id=f"c{n}", type=CallType.INCOMING, status=CallStatus.TALKING, employee_id=e,
             client_number=f"+48 500 000 00{n}", created_at=FROZEN - timedelta(minutes=5 - n),
             answered_at=FROZEN - timedelta(minutes=4 - n))
        for n, e in enumerate(["e1", "e2", "e2", None]))
    source = ScriptedSource(Snapshot(calls=made, employees=employees))
    app = create_app(Config(), source=source, clock=ManualClock(FROZEN))
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("d")
        labels = [line[4:].strip() for line in list_lines(app.screen)]
        assert labels == ["Sales", "(no department)"]
        await pilot.press("down", "space", "enter")
        table = app.board.table
        assert [c.id for c in table.rows] == ["c1", "c2"]
        line = str(app.board.query_one("#filter-line").render())
        assert "departments: (no department)" in line
