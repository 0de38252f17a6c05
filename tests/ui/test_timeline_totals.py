"""A day the source knows only as totals (Ringostat's daily report): drawn as a bar of
proportions labelled "totals only", never as invented intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN
from wallboard.config import Config, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.history import AccountTimeline, DayTotals, ManagerHistory
from wallboard.core.models import AgentStatus, Employee, SipAccount
from wallboard.core.profile import Period, build_profile
from wallboard.core.status import Interval
from wallboard.factory import create_app
from wallboard.sources.base import Source
from wallboard.ui.screens.profile import ProfileScreen
from wallboard.ui.widgets.timeline import StatusTimeline

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE
WARSAW = ZoneInfo("Europe/Warsaw")
H = 3600.0


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=WARSAW).astimezone(UTC)


def history() -> ManagerHistory:
    """24.11 with intervals, 25.11 as totals only, 26.11 (today) with intervals."""
    intervals = (Interval(local(24, 8), local(24, 16), O), Interval(local(26, 8), FROZEN, O))
    return ManagerHistory(
        employee_id="e1", start=local(24, 0), end=FROZEN,
        accounts=(AccountTimeline(account_id="anna", intervals=intervals),),
        day_totals=(
            DayTotals(day=date(2026, 11, 24), seconds={O: 99 * H}),  # intervals win
            DayTotals(day=date(2026, 11, 25), seconds={T: 2 * H, O: 6 * H, D: 1 * H,
                                                        F: 15 * H}),
        ),
    )


class TimelineApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusTimeline(id="timeline")


async def test_a_totals_only_day_is_a_bar_of_proportions_labelled_so():
    profile = build_profile(history(), Period.LAST_3_DAYS, FROZEN, WARSAW)
    assert [d.totals_only for d in profile.days] == [False, True, False]
    app = TimelineApp()
    async with app.run_test(size=(62, 20)) as pilot:  # one cell per hour
        timeline = app.query_one(StatusTimeline)
        timeline.show(profile.days, WARSAW)
        await pilot.pause()
        lines = str(timeline.render()).split("\n")
        assert lines[1] == "  Tue 24.11 ········▆▆▆▆▆▆▆▆········"
        assert lines[2] == "  Wed 25.11 █▆▆▆░······· totals only"
        assert lines[3].startswith("▶ Thu 26.11 ········▆▆▆")
        await pilot.press("up")
        await pilot.pause()
        text = str(timeline.render())
        assert text.split("\n")[-1] == ("Wed 25.11: talking 2h 00m · online 6h 00m · DND 1h 00m "
                                        "· offline 15h 00m (totals only)")
        timeline.toggle_details()
        await pilot.pause()
        text = str(timeline.render())
        # (the profile adds its close hint; the widget alone has none)
        assert text.endswith("Details of Wed 25.11: the source gave totals only, no "
                             "intervals")
        assert timeline.selected_interval is None


class HistorySource(ScriptedSource):
    """The scripted source, with a history to give."""

    async def manager_history(self, employee_id, start, end):  # type: ignore[no-untyped-def]
        return history()


def profile_app() -> tuple[object, Source]:
    anna = Employee(id="e1", name="Anna Nowak", department="Sales",
                    accounts=(SipAccount(id="anna", number="101", status=O),))
    source = HistorySource(Snapshot(employees=(anna,)))
    app = create_app(Config(ui=UiConfig(timezone="Europe/Warsaw")), source=source,
                     clock=ManualClock(FROZEN))
    return app, source


async def _open(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if pilot.app.state.employees:
            break
        await pilot.pause(0.02)
    await pilot.press("m", "enter", "2")
    screen = pilot.app.screen
    for _ in range(100):
        if isinstance(screen, ProfileScreen) and screen.profile is not None:
            break
        await pilot.pause(0.02)
    await pilot.press("up")
    await pilot.pause(0.3)


async def test_the_profile_sums_reported_totals_with_recorded_intervals():
    app, _ = profile_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await _open(pilot)
        screen = app.screen  # type: ignore[attr-defined]
        assert isinstance(screen, ProfileScreen)
        summary = screen.profile.summary
        assert summary.status_seconds[O] == 8 * H + 6 * H + 2.5 * H
        assert summary.status_seconds[T] == 2 * H
        assert screen.timeline.day.day == date(2026, 11, 25)
        assert "totals only" in str(screen.timeline.render())


def test_profile_with_a_totals_only_day(snap_compare):
    app, _ = profile_app()
    assert snap_compare(app, terminal_size=(100, 32), run_before=_open)


def test_period_days_are_cut_the_same_for_totals():
    profile = build_profile(history(), Period.TODAY, FROZEN, WARSAW)
    assert [d.day for d in profile.days] == [date(2026, 11, 26)]
    assert not profile.days[0].totals_only
    assert profile.days[0].end - profile.days[0].start == timedelta(hours=24)
