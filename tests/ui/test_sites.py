"""A board over several sites (issue 18): the Site column, the site filter (board and agents
grid) and a kiosk page per site, on the scripted two-site call center (tests/ui/scripted.py);
a single-site board looks as it always did.

Worked out by hand; started ... ago, rows oldest first:
  warsaw:c302 in talking  Piotr Wójcik (Support)      246 s
  kyiv:c202   in talking  Olena Shevchenko (Support)  125 s
  kyiv:c203   out talking Taras Bondar (Sales)         63 s
  kyiv:c201   in ringing  (queue)                      20 s
  warsaw:c301 in ringing  Anna Nowak (Sales)           12 s
Counters: total, waiting, …incoming, talking, …incoming, longest wait.
"""

from __future__ import annotations

from tests.ui.conftest import wait_for_calls
from tests.ui.scripted import scripted_app, two_site_app
from tests.ui.test_board import pick, shown_counters
from wallboard.ui.app import WallboardApp
from wallboard.ui.screens.agents import AgentsScreen
from wallboard.ui.screens.kiosk import BigCounter, KioskScreen
from wallboard.ui.screens.picker import PickerScreen
from wallboard.ui.widgets.agents_grid import AgentsGrid
from wallboard.ui.widgets.keys_footer import KeysFooter

ALL_ROWS = ["warsaw:c302", "kyiv:c202", "kyiv:c203", "kyiv:c201", "warsaw:c301"]


def column(app: WallboardApp, title: str) -> list[str]:
    """The cells of the column titled ``title``, row by row, as drawn."""
    table = app.board.table
    header = table.render_line(0).text
    x = header.index(f" {title} ") + 1
    placed = next(p for p in table._placed if p.x <= x < p.x + p.width)
    return [table.render_line(y).text[placed.x:placed.x + placed.width].strip()
            for y in range(1, len(table.rows) + 1)]


def footer_keys(app: WallboardApp) -> list[str]:
    return [entry.description for entry in app.screen.query_one(KeysFooter).shown]


async def test_a_two_site_board_shows_each_call_s_site_and_filters_by_site():
    app, _ = two_site_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        assert [c.id for c in table.rows] == ALL_ROWS
        assert column(app, "Site") == ["warsaw", "kyiv", "kyiv", "kyiv", "warsaw"]
        assert column(app, "Employee")[1] == "Olena Shevchenko"
        assert shown_counters(app) == ("5", "2", "2", "3", "2", "0:20")
        assert "Site" in footer_keys(app)

        await pick(pilot, "o", "warsaw")
        assert [c.id for c in table.rows] == ["warsaw:c302", "warsaw:c301"]
        assert column(app, "Site") == ["warsaw", "warsaw"]
        assert shown_counters(app) == ("2", "1", "1", "1", "1", "0:12")
        line = str(app.board.query_one("#filter-line").render())
        assert "sites: warsaw" in line

        await pick(pilot, "o", "warsaw", "kyiv")  # warsaw off, kyiv on
        assert [c.id for c in table.rows] == ["kyiv:c202", "kyiv:c203", "kyiv:c201"]
        assert shown_counters(app) == ("3", "1", "1", "2", "1", "0:20")

        await pilot.press("x")
        await pilot.pause()
        assert [c.id for c in table.rows] == ALL_ROWS


async def test_sorting_by_site_is_one_step_of_the_cycle_on_a_two_site_board():
    app, _ = two_site_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press(*"s" * 10)  # start time -> ... -> routing scheme -> site
        await pilot.pause()
        assert column(app, "Site ▲") == ["kyiv", "kyiv", "kyiv", "warsaw", "warsaw"]
        await pilot.press("s")
        await pilot.pause()
        assert [c.id for c in app.board.table.rows] == ALL_ROWS  # back to the start time


async def test_the_agents_grid_filters_by_site_with_the_same_key():
    app, _ = two_site_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AgentsScreen)
        grid = app.screen.query_one(AgentsGrid)
        assert len(grid.rows) == 4
        await pick(pilot, "o", "kyiv")
        app.screen.update_view()
        assert [r.employee.name for r in grid.rows] == ["Olena Shevchenko", "Taras Bondar"]
        assert app.board.table.board_filter.sites == frozenset({"kyiv"})


async def test_the_kiosk_shows_a_page_per_site_with_its_own_counters():
    app, _ = two_site_app(kiosk=True, kiosk_pages=["all", "sites"])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = app.screen
        assert isinstance(screen, KioskScreen)

        def counters() -> list[str]:
            return [c.value for c in screen.query(BigCounter)]

        assert [p.title for p in screen.pages] == ["All calls", "kyiv", "warsaw"]
        assert counters() == ["5", "2", "2", "3", "2", "0:20"]
        screen.next_page()
        await pilot.pause()
        assert [c.id for c in screen.table.rows] == ["kyiv:c202", "kyiv:c203", "kyiv:c201"]
        assert counters() == ["3", "1", "1", "2", "1", "0:20"]
        screen.next_page()
        await pilot.pause()
        assert [c.id for c in screen.table.rows] == ["warsaw:c302", "warsaw:c301"]
        assert counters() == ["2", "1", "1", "1", "1", "0:12"]


async def test_a_single_site_board_has_no_site_column_key_or_page():
    app, _ = scripted_app(kiosk_pages=["sites"])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        header = app.board.table.render_line(0).text.split()
        assert "Site" not in header
        assert header[:5] == ["Talk", "Waiting", "Status", "Type", "Employee"]
        assert "Site" not in footer_keys(app)
        await pilot.press("o")  # no such key here
        await pilot.pause()
        assert not isinstance(app.screen, PickerScreen)
        await pilot.press(*"s" * 10)  # the cycle skips the site: back to the start time
        await pilot.pause()
        assert app.board.table.sort_key.value == "started"
