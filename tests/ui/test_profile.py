"""The manager profile panel, call log and managers list, driven through the keyboard."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from wallboard.config import Config, StoreConfig, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, CallEnded, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.core.profile import Period, build_profile
from wallboard.core.view import SortKey
from wallboard.factory import create_app
from wallboard.ui.screens.call_log import CallLogScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.managers import ManagersScreen
from wallboard.ui.screens.profile import HistoryLoaded, ProfileScreen


async def open_profile(pilot, key: str = "p") -> ProfileScreen:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    screen = pilot.app.screen
    assert isinstance(screen, ProfileScreen)
    for _ in range(100):
        if screen.profile is not None or screen.error:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    return screen


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector).render())


async def test_p_opens_the_selected_call_s_manager_and_escape_keeps_the_board_as_it_was():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        await pilot.press("s", "s", "d", *"Sales", "space", "enter")  # sort by employee, filter
        await pilot.press("down", "down")
        call = table.cursor_call
        sort, board_filter = table.sort_key, table.board_filter
        screen = await open_profile(pilot)
        employee = app.state.employees[call.employee_id]
        assert screen.employee_id == employee.id
        who = text_of(screen, "#profile-who")
        assert employee.name in who and employee.department in who
        for account in employee.accounts:
            assert account.id in who
        assert screen.profile is not None and screen.period is Period.TODAY
        await pilot.press("escape")
        assert app.screen is app.board
        assert table.cursor_call is call
        assert (table.sort_key, table.board_filter) == (sort, board_filter)
        assert sort is SortKey.EMPLOYEE and board_filter.departments == {"Sales"}


async def test_enter_opens_the_profile_too_and_it_slides_in_over_the_board():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot, "enter")
        await pilot.wait_for_scheduled_animations()
        panel = screen.query_one("#profile-panel")
        assert panel.region.right == 160 and panel.region.x == 60  # the board stays on the left


async def test_period_keys_drive_every_section():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        for key, period in (("3", Period.LAST_7_DAYS), ("2", Period.LAST_3_DAYS),
                            ("1", Period.TODAY), ("3", Period.LAST_7_DAYS)):
            await pilot.press(key)
            await pilot.pause()
            assert screen.period is period
            assert screen.query_one("#profile-period").active == f"period-{period.value}"
            expected = build_profile(screen.history, period, FROZEN, app.zone)
            assert len(screen.profile.days) == period.days
            assert screen.profile.summary == expected.summary
            assert len(screen.timeline.days) == period.days
            summary = text_of(screen, "#profile-summary")
            assert f"Calls handled {expected.summary.handled}:" in summary
            assert f"Missed {expected.summary.missed} " in summary
            chart = text_of(screen, "#profile-calls")
            assert chart.count("\n") == period.days - 1
            assert f"{expected.days[-1].answered} answered" in chart


async def test_g_opens_the_call_log_of_the_period_c_copies_a_recording_escape_returns():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        profile = await open_profile(pilot)
        await pilot.press("2", "g")
        log = app.screen
        assert isinstance(log, CallLogScreen)
        for _ in range(100):
            if log.calls:
                break
            await pilot.pause(0.02)
        assert [c.id for c in log.calls] == [c.id for c in reversed(profile.profile.calls)]
        table = log.query_one("DataTable")
        assert table.row_count == len(log.calls)
        answered = next(i for i, c in enumerate(log.calls) if c.recording_url)
        for _ in range(answered):
            await pilot.press("down")
        await pilot.press("c")
        assert app.clipboard == log.calls[answered].recording_url
        await pilot.press("escape")
        assert app.screen is profile
        assert profile.period is Period.LAST_3_DAYS


async def test_t_expands_the_selected_day_and_arrows_walk_its_intervals():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        await pilot.press("3", "up")  # yesterday
        timeline = screen.timeline
        day = timeline.day
        assert day is screen.profile.days[-2]
        assert day.day.strftime("%d.%m") in text_of(screen, "#profile-timeline").split("\n")[-1]
        await pilot.press("t")
        assert timeline.details and timeline.selected_interval is day.timeline[0]
        assert timeline.span_text().startswith("offline 00:00–")
        await pilot.press("right", "right", "down", "left")
        assert timeline.interval == 2
        iv = day.timeline[2]
        shown = text_of(screen, "#profile-timeline")
        start = iv.start.astimezone(app.zone).strftime("%H:%M")
        assert f"{start}–" in timeline.span_text() and timeline.span_text() in shown
        await pilot.press("end")
        assert timeline.selected_interval is day.timeline[-1]
        assert timeline.span_text().endswith(("–24:00", ")")) and "24:00" in timeline.span_text()
        await pilot.press("t", "up")
        assert not timeline.details and timeline.day is screen.profile.days[-3]


async def test_interval_walking_scrolls_the_panel_on_a_small_terminal():
    app = demo_app(calls=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        await pilot.press("3", "t", *["down"] * 6)
        await pilot.pause()
        panel = screen.query_one("#profile-panel")
        line = screen.timeline.region.y + screen.timeline.cursor_line
        assert panel.scroll_y > 0
        assert panel.content_region.y <= line < panel.content_region.bottom


async def test_m_lists_managers_enter_opens_one_escape_walks_back():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("m")
        assert isinstance(app.screen, ManagersScreen)
        employee = sorted(app.state.employees.values(), key=lambda e: e.name)[3]
        await pilot.press(*employee.name)
        await pilot.pause()
        screen = await open_profile(pilot, "enter")
        assert screen.employee_id == employee.id
        await pilot.press("escape")
        assert isinstance(app.screen, ManagersScreen)
        await pilot.press("escape")
        assert app.screen is app.board


async def test_one_panel_is_reused_and_starts_over_for_the_next_manager():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        first, second = sorted(app.state.employees.values(), key=lambda e: e.name)[1:3]
        await pilot.press("m", *first.name)
        screen = await open_profile(pilot, "enter")
        assert screen.employee_id == first.id
        await pilot.press("3", "up", "t", "down")
        assert screen.timeline.details and screen.period is Period.LAST_7_DAYS
        old_history = screen.history
        await pilot.press("escape", "escape", "escape")  # the details, the panel, the list
        assert app.screen is app.board

        await pilot.press("m", *second.name)
        again = await open_profile(pilot, "enter")
        assert again is screen  # the same installed panel, not a new one
        assert screen.employee_id == second.id and screen.history.employee_id == second.id
        assert screen.period is Period.TODAY
        assert screen.query_one("#profile-period").active == "period-today"
        assert not screen.timeline.details and screen.timeline.day is screen.profile.days[-1]
        assert second.name in text_of(screen, "#profile-who")
        assert first.name not in text_of(screen, "#profile-who")
        expected = build_profile(screen.history, Period.TODAY, FROZEN, app.zone)
        assert screen.profile.summary == expected.summary
        # a late answer for the manager shown before is ignored
        screen.post_message(HistoryLoaded(old_history))
        await pilot.pause()
        assert screen.history.employee_id == second.id


async def test_a_source_without_history_says_so_in_one_sentence():
    ann = Employee(id="e1", name="Ann",
                   accounts=(SipAccount(id="PJSIP/1", status=AgentStatus.ONLINE),))
    source = ScriptedSource(Snapshot(employees=(ann,)))
    clock = ManualClock(FROZEN)
    config = Config(ui=UiConfig(timezone="Europe/Warsaw"), store=StoreConfig(url="off"))
    app = create_app(config, source=source, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            if app.state.employees:
                break
            await pilot.pause(0.02)
        await pilot.press("m", "enter")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        for _ in range(50):
            if screen.error:
                break
            await pilot.pause(0.02)
        assert screen.error == "Scripted test source keeps no history of managers"
        assert screen.error in text_of(screen, "#profile-status")
        assert not screen.query_one("#profile-body").display
        # the accounts still show, and follow the live state
        assert "online" in text_of(screen, "#profile-who")
        source.push(AccountStatusChanged(employee_id="e1", account_id="PJSIP/1",
                                         status=AgentStatus.DND, at=FROZEN))
        await pilot.pause(1.2)
        assert "DND" in text_of(screen, "#profile-who")


async def test_profile_keys_are_in_help_and_remappable():
    clock = ManualClock(FROZEN)
    from wallboard.sources.demo import DemoSource

    config = Config(keys={"profile.call_log": "l", "board.open_profile": "o"},
                    ui=UiConfig(timezone="Europe/Warsaw"))
    app = create_app(config, source=DemoSource(clock=clock, seed=3, calls=20), clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("DataTable").get_row_at(0))
        actions = [app.screen.query_one("DataTable").get_row_at(i)[1]
                   for i in range(app.screen.query_one("DataTable").row_count)]
        assert "Profile" in actions and "Managers" in actions, keys
        await pilot.press("escape")
        await open_profile(pilot, "o")
        await pilot.press("l")
        assert isinstance(app.screen, CallLogScreen)


async def test_the_panel_refreshes_today_while_open():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        before = screen.history.end
        app.clock.advance(600)
        screen.refresh_recent()
        for _ in range(100):
            if screen.history.end > before:
                break
            await pilot.pause(0.02)
        assert screen.history.end == FROZEN + timedelta(seconds=600)
        assert screen.profile.days[-1].until == FROZEN + timedelta(seconds=600)


async def test_today_agrees_with_the_board_after_a_call_ends():
    """A manager finishes a 3:17 call on the live source; the profile counts it, and the
    timeline runs up to now in the status the board shows."""
    now = FROZEN
    anna = Employee(id="e1", name="Anna Nowak", department="Sales", accounts=(
        SipAccount(id="PJSIP/1001", number="1001", status=AgentStatus.TALKING),))
    talking = Call(id="c1", type=CallType.INCOMING, status=CallStatus.TALKING,
                   employee_id="e1", client_number="+48 501 234 567",
                   created_at=now - timedelta(seconds=145),
                   answered_at=now - timedelta(seconds=137))
    source = ScriptedSource(Snapshot(calls=(talking,), employees=(anna,)))
    clock = ManualClock(now)
    config = Config(ui=UiConfig(timezone="Europe/Warsaw"), store=StoreConfig(url="memory"))
    app = create_app(config, source=source, clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        assert await app.service.wait_recording(timeout=20) is not None
        await pilot.pause(0.1)
        end = clock.advance(60)
        source.push(CallEnded(call_id="c1", at=end),
                    AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                         status=AgentStatus.ONLINE, at=end))
        for _ in range(100):
            if not app.state.calls:
                break
            await pilot.pause(0.02)
        later = clock.advance(30)
        await pilot.press("m", "enter")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        for _ in range(100):
            if screen.profile is not None:
                break
            await pilot.pause(0.02)
        summary = screen.profile.summary
        assert (summary.handled, summary.incoming, summary.talk_seconds) == (1, 1, 197.0)
        assert "Calls handled [b]1[/b]" in screen._summary_text(screen.profile)
        today = screen.profile.days[-1]
        assert today.answered == 1
        last = today.timeline[-1]
        assert last.status is AgentStatus.ONLINE
        assert (last.start, last.end) == (end, later)  # the current status, up to now
        # the talk the recorder saw: from the board's start until the call ended
        assert today.totals[AgentStatus.TALKING] == 60.0


# -- issue 11, section 4: the profile's keys -----------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
async def test_arrows_select_a_day_on_a_reopened_panel_and_t_opens_that_day(size):
    app = demo_app(calls=40)
    async with app.run_test(size=size) as pilot:
        await wait_for_calls(pilot, app)
        await open_profile(pilot)
        await pilot.press("escape", "down")
        screen = await open_profile(pilot)  # the installed panel, shown again
        await pilot.press("3", "up", "up", "t")
        await pilot.pause()
        timeline = screen.timeline
        assert timeline.details
        assert timeline.day is not None and timeline.day.day == date(2026, 11, 24)
        assert "Details of Tue 24.11:" in text_of(screen, "#profile-timeline")


async def test_escape_closes_the_details_first_then_the_panel():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        await pilot.press("t")
        assert screen.timeline.details
        await pilot.press("escape")
        assert app.screen is screen and not screen.timeline.details
        await pilot.press("escape")
        assert app.screen is app.board


async def test_help_and_quit_work_inside_the_profile():
    app = demo_app(calls=40)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for_calls(pilot, app)
        screen = await open_profile(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        actions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Today", "Call log", "Details", "Close", "Quit"} <= actions
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_one_interval_is_one_interval():
    from textual.app import App

    from wallboard.core.models import AgentStatus as St
    from wallboard.core.profile import DayStats
    from wallboard.core.status import Interval
    from wallboard.ui.widgets.timeline import StatusTimeline

    start = datetime(2026, 11, 24, tzinfo=UTC)
    end = start + timedelta(days=1)
    day = DayStats(day=start.date(), start=start, end=end, until=end,
                   timeline=[Interval(start, end, St.OFFLINE)], totals={St.OFFLINE: 86400.0})

    class One(App[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield StatusTimeline(close_hint="t closes")

    app = One()
    async with app.run_test(size=(100, 30)) as pilot:
        timeline = app.query_one(StatusTimeline)
        timeline.show([day], UTC)
        timeline.toggle_details()
        await pilot.pause()
        text = str(timeline.render())
        assert "Details of Tue 24.11: 1 interval (t closes)" in text


async def test_each_account_s_own_timeline_shows_under_the_merged_one_spec_5_3():
    """SPEC 5.3 on screen: A (MicroSIP) online 08:00-18:00, talking 09:00-09:15; B (the
    vendor's app) online 08-12, DND 12:00-12:10, offline 12:10-13, online 13-17. The
    merged line is online 08-18 with talking 09:00-09:15; t shows A and B under it."""
    from datetime import UTC, datetime

    from wallboard.core.history import AccountTimeline, ManagerHistory
    from wallboard.core.status import Interval

    day = datetime(2026, 11, 25, tzinfo=UTC)  # the day before FROZEN, a whole one

    def at(h: float) -> datetime:
        return day + timedelta(hours=h)

    O, T, D, F = AgentStatus.ONLINE, AgentStatus.TALKING, AgentStatus.DND, AgentStatus.OFFLINE
    a = (Interval(at(0), at(8), F), Interval(at(8), at(9), O), Interval(at(9), at(9.25), T),
         Interval(at(9.25), at(18), O), Interval(at(18), at(24), F))
    b = (Interval(at(0), at(8), F), Interval(at(8), at(12), O),
         Interval(at(12), at(12 + 1 / 6), D), Interval(at(12 + 1 / 6), at(13), F),
         Interval(at(13), at(17), O), Interval(at(17), at(24), F))
    ann = Employee(id="e1", name="Ann", accounts=(
        SipAccount(id="PJSIP/1001", user_agent="MicroSIP", status=O),
        SipAccount(id="PJSIP/1002", user_agent="Ringostat app", status=O)))

    class WithHistory(ScriptedSource):
        async def manager_history(self, employee_id, start, end):  # type: ignore[no-untyped-def]
            return ManagerHistory(employee_id=employee_id, start=start, end=end, accounts=(
                AccountTimeline(account_id="PJSIP/1001", intervals=a),
                AccountTimeline(account_id="PJSIP/1002", intervals=b)))

    config = Config(ui=UiConfig(timezone="UTC"), store=StoreConfig(url="off"))
    app = create_app(config, source=WithHistory(Snapshot(employees=(ann,))),
                     clock=ManualClock(FROZEN))
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(50):
            if app.state.employees:
                break
            await pilot.pause(0.02)
        await pilot.press("m", "enter")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        for _ in range(100):
            if screen.profile is not None:
                break
            await pilot.pause(0.02)
        await pilot.press("2", "up", "t")  # three days; yesterday; its details
        await pilot.pause()
        timeline = screen.timeline
        assert timeline.day.day == day.date()
        assert [(iv.status, iv.start, iv.end) for iv in timeline.day.timeline] == [
            (F, at(0), at(8)), (O, at(8), at(9)), (T, at(9), at(9.25)), (O, at(9.25), at(18)),
            (F, at(18), at(24))]
        lines = timeline.render().plain.splitlines()
        own = [line for line in lines if line.startswith("  └ ")]
        assert [line.split()[1] for line in own] == ["1001", "1002"]
        first = own[0].index("·")  # where the bars begin (offline at midnight)
        per_hour = len(own[0][first:].rstrip()) // 24  # a whole day of cells
        assert per_hour >= 1
        b_line = own[1]
        noon = first + 12 * per_hour
        assert b_line[noon] == "░"  # DND at 12:00 on B's own line
        assert own[0][noon] == "▆"  # A is online then, so the merged line says online
