"""The queues strip, the queues screen and the alerts screen from the keyboard."""

from __future__ import annotations

from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from wallboard.config import Config, DemoSource, UiConfig
from wallboard.config_queues import AlertConfig
from wallboard.core.clock import ManualClock
from wallboard.factory import create_app
from wallboard.sources.demo import DemoSource as Demo
from wallboard.ui.screens.agents import AgentsScreen
from wallboard.ui.screens.alerts import AlertsScreen
from wallboard.ui.screens.queues import QueuesScreen
from wallboard.ui.widgets.queue_strip import QueueStrip
from wallboard.ui.widgets.queue_table import QueueTable

LABELS = {"waiting", "longest", "SL", "avail", "aband", "ans", "ASA", "paused", "wrap", "busy",
          "AHT", "callbacks", "abandoned", "short", "offline", "DND"}


def strip_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    strip = app.board.query_one(QueueStrip)
    return [strip.line_strip(y).text.strip() for y in range(len(strip.lines))]


async def test_the_strip_fits_80x24_by_priority_and_says_how_many_more():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        lines = strip_lines(app)
        assert len(lines) == 4 and lines[-1] == "+5 more queues · Q shows all"
        # callers waiting where nobody is free first (Billing IVR: 1 waiting, 0 available)
        assert lines[0].split()[:2] == ["Billing", "IVR"]
        for line in lines[:-1]:  # whole labels only, the widest that fit at 80 columns
            assert [w for w in line.split() if w in LABELS] == [
                "waiting", "longest", "SL", "avail", "aband"]
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        assert len(strip_lines(app)) == 8 and app.board.query_one(QueueStrip).more == 0


async def test_the_strip_follows_a_department_filter():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("d", *"Billing", "space", "enter")
        await pilot.pause(0.2)
        assert app.board.query_one(QueueStrip).shown == ["billing-ivr"]


async def test_the_queues_screen_switches_windows_and_opens_a_queue_s_agents():
    app = demo_app(calls=40)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("Q")
        await pilot.pause()
        assert isinstance(app.screen, QueuesScreen)
        table = app.screen.query_one(QueueTable)
        assert [q.name for q in table.queues][-1] == "All queues" and table.day
        await pilot.press("w")
        await pilot.pause()
        assert not table.day and table.render_line(0).text.startswith(" Queue · 30 min ")
        await pilot.press("down", "enter")  # the second queue: Sales hotline
        await pilot.pause(0.2)
        assert isinstance(app.screen, AgentsScreen)
        assert app.board.table.board_filter.queues == frozenset({"sales-hotline"})


def app_with_rule() -> object:
    clock = ManualClock(FROZEN)
    config = Config(source=DemoSource(seed=7, calls=40),
                    ui=UiConfig(timezone="Europe/Warsaw"),
                    alerts=[AlertConfig(metric="waiting_no_agent", critical=1)])
    return create_app(config, source=Demo(clock=clock, seed=7, calls=40), clock=clock)


async def test_the_alerts_screen_lists_and_acknowledges():
    app = app_with_rule()
    async with app.run_test(size=(160, 45)) as pilot:  # type: ignore[attr-defined]
        await wait_for_calls(pilot, app)
        desk = app.service.alerts  # type: ignore[attr-defined]
        for _ in range(40):
            if desk.engine.active:
                break
            await pilot.pause(0.1)
        ringing = sorted(a.subject for a in desk.engine.ringing)
        assert ringing == ["billing-ivr", "cancellations"]  # 1 waiting, nobody available
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        acknowledged = [a for a in desk.engine.active.values() if a.acknowledged_at]
        assert len(acknowledged) == 1 and acknowledged[0].acknowledged_by == "board"
        assert len(desk.engine.ringing) == 1


async def test_each_column_of_the_strip_draws_its_part_of_the_line():
    # the columns take their segments whole where the line's segments meet their edges (a
    # value begins there) and cut the line otherwise ("+5 more queues · Q shows all" spans
    # them all): either way a column shows exactly its cells of the line
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        strip = app.board.query_one(QueueStrip)
        assert strip.line_strip(3).text.strip() == "+5 more queues · Q shows all"
        for y in range(5):  # four lines and the blank one under them
            line = strip.line_strip(y)
            parts = [strip.column_strip(y, c.x0, c.x1) for c in strip._columns]
            assert [p.cell_length for p in parts] == [c.x1 - c.x0 for c in strip._columns]
            assert "".join(p.text for p in parts) == line.text
            assert [seg for p in parts for seg in p if seg.text] == [
                seg for c in strip._columns for seg in line.crop(c.x0, c.x1) if seg.text]
