"""The demo's 7 days of history: deterministic, consistent with the live managers, plausible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.clock import ManualClock
from wallboard.core.profile import Period, build_profile
from wallboard.sources.base import SourceError
from wallboard.sources.demo import DemoSource
from wallboard.sources.demo.history import OFFICE_ZONE, demo_history

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
WEEK_AGO = NOW - timedelta(days=7)


@pytest.fixture
def source() -> DemoSource:
    return DemoSource(clock=ManualClock(NOW), seed=7)


async def test_history_is_deterministic_and_uses_the_live_accounts(source):
    employee = next(a.employee for a in source.center.agents.values()
                    if len(a.employee.accounts) > 1)
    first = await source.manager_history(employee.id, WEEK_AGO, NOW)
    again = await DemoSource(clock=ManualClock(NOW), seed=7).manager_history(
        employee.id, WEEK_AGO, NOW)
    assert first == again
    assert [a.account_id for a in first.accounts] == [a.id for a in employee.accounts]
    assert first.calls and all(c.employee_id == employee.id for c in first.calls)


async def test_a_shorter_period_is_a_slice_of_the_longer_one(source):
    employee_id = "e002"
    week = await source.manager_history(employee_id, WEEK_AGO, NOW)
    day_start = NOW - timedelta(hours=20)
    day = await source.manager_history(employee_id, day_start, NOW)
    assert {c.id for c in day.calls} == {c.id for c in week.calls if c.started_at >= day_start}


async def test_today_ends_now_in_each_account_s_live_status(source):
    employee = source.center.agents["e003"].employee
    history = await source.manager_history(employee.id, WEEK_AGO, NOW + timedelta(hours=5))
    assert history.end == NOW
    for account, timeline in zip(employee.accounts, history.accounts, strict=True):
        assert timeline.intervals[-1].end == NOW
        assert timeline.intervals[-1].status is account.status
    assert all(c.ended_at <= NOW for c in history.calls)


def test_days_look_like_work_days_nights_offline_some_missed_calls_near_5_seconds():
    source = DemoSource(clock=ManualClock(NOW), seed=7)
    rings, loads = [], []
    for agent in list(source.center.agents.values())[:10]:
        history = demo_history(agent.employee, 7, WEEK_AGO, NOW, NOW)
        profile = build_profile(history, Period.LAST_7_DAYS, NOW, OFFICE_ZONE)
        for day in profile.days[:-1]:
            night = [iv for iv in day.timeline
                     if iv.start.astimezone(OFFICE_ZONE).hour < 5]
            assert all(iv.status.value == "offline" for iv in night)
        loads += [d.answered for d in profile.days[:-1] if d.answered]
        rings += [c.ring_seconds for c in history.calls if c.answered_at is None]
    assert max(loads) > 2 * min(loads)  # busier and quieter days
    assert 5.0 in rings and 5.1 in rings
    assert any(r < 5 for r in rings) and any(r > 5.1 for r in rings)


async def test_an_unknown_manager_is_one_clear_sentence(source):
    with pytest.raises(SourceError, match="no manager"):
        await source.manager_history("nobody", WEEK_AGO, NOW)
