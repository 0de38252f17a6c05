"""Issue 11, section 3: calls and columns that do not fit are never hidden silently."""

from __future__ import annotations

from datetime import timedelta

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from wallboard.config import Config, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.factory import create_app
from wallboard.ui.screens.help import HelpScreen

ANN = Employee(id="e1", name="Ann Nowak", department="Sales")


def calls(talking: int, ringing: int) -> tuple[Call, ...]:
    """Talking calls first (the oldest), the ringing ones last: at the bottom, oldest first."""
    made = []
    for n in range(talking + ringing):
        rings = n >= talking
        created = FROZEN - timedelta(seconds=600 - n)
        made.append(Call(
            id=f"c{n:03d}", type=CallType.INCOMING,
            status=CallStatus.RINGING if rings else CallStatus.TALKING, employee_id="e1",
            client_number=f"+48 500 000 {n:03d}", created_at=created,
            answered_at=None if rings else created + timedelta(seconds=5)))
    return tuple(made)


def app_with(talking: int, ringing: int, **ui):  # type: ignore[no-untyped-def]
    source = ScriptedSource(Snapshot(calls=calls(talking, ringing), employees=(ANN,)))
    return create_app(Config(ui=UiConfig(**ui)), source=source, clock=ManualClock(FROZEN))


def table_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.table
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_kiosk_shows_the_waiting_calls_first_and_how_many_more_there_are():
    # 80x24 kiosk: a 13-line table, so a header, 11 rows and the "more" line
    app = app_with(12, 3, kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        lines = table_lines(app)
        assert len(lines) == 13
        assert [line.split()[-1] for line in lines[1:4]] == ["012", "013", "014"]
        assert all("ringing" in line for line in lines[1:4])
        assert all("talking" in line for line in lines[4:12])
        assert lines[12].strip() == "+4 more"


async def test_kiosk_keeps_its_order_when_every_row_fits():
    app = app_with(5, 2, kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        lines = table_lines(app)
        assert [line.split()[-1] for line in lines[1:8]] == [
            "000", "001", "002", "003", "004", "005", "006"]  # oldest first
        assert "more" not in "\n".join(lines)


async def test_the_board_says_how_many_rows_are_below_and_above():
    # 80x24 board: a 19-line table, so a header, 17 rows and the "more" line
    app = app_with(27, 3)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        lines = table_lines(app)
        assert lines[18].strip() == "13 more ↓ · 3 waiting"
        await pilot.press("end")
        lines = table_lines(app)
        assert lines[18].strip() == "↑ 13 above"
        assert lines[17].split()[-1] == "029"
        await pilot.press("pageup")
        # the cursor goes up a page (17 rows) to row 12: rows 12-28 show, 29 (ringing) not
        assert table_lines(app)[18].strip() == "↑ 12 above · 1 more ↓ · 1 waiting"


async def test_no_more_line_when_every_row_fits():
    app = app_with(10, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        assert "more" not in "\n".join(table_lines(app))


async def test_help_names_the_columns_hidden_at_this_width():
    app = demo_app(calls=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        assert app.board.table.render_line(0).text.rstrip().endswith("+3")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-columns").render())
        assert "Hidden at this width (80 columns" in text
        assert "Department, Business no., Routing scheme" in text


async def test_help_has_no_hidden_columns_line_when_all_fit():
    app = demo_app(calls=10)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("question_mark")
        assert not app.screen.query_one("#help-columns").display
