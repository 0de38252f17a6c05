"""Days a source knows only as totals per status (e.g. Ringostat's daily report), and a
source's own reason for not joining calls."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from wallboard.core.history import AccountTimeline, DayTotals, ManagerHistory
from wallboard.core.listen import ListenMode, NoListenModes, listen_refusal
from wallboard.core.models import AgentStatus
from wallboard.core.profile import Period, build_profile, proportion_cells, splice_history
from wallboard.core.status import Interval

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE
U = AgentStatus.UNKNOWN
NOW = datetime(2026, 3, 24, 12, 0, tzinfo=UTC)
H = 3600.0


def day(n: int) -> datetime:
    return datetime(2026, 3, n, tzinfo=UTC)


@pytest.mark.parametrize(("totals", "cells", "expected"), [
    ({O: 6 * H, F: 18 * H}, 12, {O: 3, F: 9}),
    ({T: 2 * H, O: 6 * H, D: 1 * H, F: 15 * H}, 12, {T: 1, O: 3, D: 1, F: 7}),
    ({O: 1, F: 1000, T: 2}, 12, {T: 1, O: 1, F: 10}),  # a sliver still shows
    ({O: 5515, F: 36795}, 12, {O: 2, F: 10}),  # largest remainder
    ({T: 1, O: 1, D: 1, F: 1}, 3, {T: 1, O: 1, D: 1}),  # no room for all: priority order
    ({}, 12, {}),
])
def test_proportion_cells(totals, cells, expected):
    out = proportion_cells(totals, cells)
    assert Counter(out) == expected
    assert out == sorted(out, key=lambda s: -s.priority)


FIRST = datetime(2026, 3, 22, tzinfo=UTC)


def history(*, intervals: tuple[Interval, ...] = (), totals: tuple[DayTotals, ...] = (),
            start: datetime = FIRST) -> ManagerHistory:
    return ManagerHistory(employee_id="e1", start=start, end=NOW,
                          accounts=(AccountTimeline(account_id="a", intervals=intervals),),
                          day_totals=totals)


def test_a_reported_day_without_intervals_is_totals_only_and_counts_in_the_summary():
    reported = DayTotals(day=date(2026, 3, 23), seconds={O: 6 * H, T: H})
    profile = build_profile(history(totals=(reported,)), Period.LAST_3_DAYS, NOW, UTC)
    days = {d.day: d for d in profile.days}
    totals_only = days[date(2026, 3, 23)]
    assert totals_only.totals_only and totals_only.timeline == []
    assert totals_only.totals == {T: H, O: 6 * H, D: 0.0, F: 0.0, U: 0.0}
    assert not days[date(2026, 3, 22)].totals_only  # no report: as before (offline)
    assert days[date(2026, 3, 22)].totals[F] == 24 * H
    assert profile.summary.status_seconds[O] == 6 * H
    assert profile.summary.status_seconds[T] == H


def test_recorded_intervals_win_over_reported_totals():
    iv = Interval(day(23) + timedelta(hours=8), day(23) + timedelta(hours=9), O)
    reported = DayTotals(day=date(2026, 3, 23), seconds={O: 20 * H})
    profile = build_profile(history(intervals=(iv,), totals=(reported,)), Period.LAST_3_DAYS,
                            NOW, UTC)
    the_day = profile.days[1]
    assert not the_day.totals_only and the_day.totals[O] == H


def test_splicing_a_refresh_updates_today_s_totals_and_keeps_the_past():
    old = history(totals=(DayTotals(day=date(2026, 3, 23), seconds={O: H}),
                          DayTotals(day=date(2026, 3, 24), seconds={O: H})))
    new = history(start=NOW - timedelta(minutes=10),
                  totals=(DayTotals(day=date(2026, 3, 24), seconds={O: 2 * H}),))
    spliced = splice_history(old, new)
    assert [(t.day.day, t.seconds[O]) for t in spliced.day_totals] == [(23, H), (24, 2 * H)]


def test_a_source_without_a_listen_api_says_so_instead_of_suggesting_a_softphone():
    reason = "Ringostat has no public listen API, so the wallboard cannot join its calls."
    modes = NoListenModes(reason)
    assert not modes and ListenMode.LISTEN not in modes
    assert listen_refusal(None, {}, None, None, modes=modes) == reason
    generic = listen_refusal(None, {}, None, None, modes=frozenset(), source_title="Feed")
    assert generic == ("Feed cannot join calls; configure [supervisor.softphone] to join "
                       "through your softphone.")
    # kiosk and read-only are still said first
    assert listen_refusal(None, {}, None, None, modes=modes, kiosk=True).startswith(
        "Joining calls is off in kiosk")
