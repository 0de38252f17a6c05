"""The demo's 7 days of history: deterministic, consistent with the live managers, plausible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.clock import ManualClock
from wallboard.core.models import AgentStatus, CallType
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


SCHEME_DEPARTMENTS = {  # written out here, not read from the catalog
    "Main line": {"Sales", "Support"}, "Sales hotline": {"Sales"},
    "Support queue": {"Support", "Onboarding"}, "Google Ads": {"Sales"},
    "Website widget": {"Sales", "Onboarding"}, "Billing IVR": {"Billing"},
    "VIP clients": {"Retention", "Sales"}, "Cancellations": {"Retention"},
}
CALLS_FROM = {"Sales": "+48 22 100 30 01", "Support": "+48 22 100 30 02",
              "Retention": "+48 22 100 30 03", "Billing": "+48 22 100 30 04",
              "Onboarding": "+48 22 100 30 05", None: "+48 22 100 30 01"}


def test_history_has_unanswered_outgoing_calls_and_the_profile_counts_them_as_missed():
    source = DemoSource(clock=ManualClock(NOW), seed=7)
    unanswered_out, missed_out = [], 0
    for agent in list(source.center.agents.values())[:8]:
        history = demo_history(agent.employee, 7, WEEK_AGO, NOW, NOW)
        out = [c for c in history.calls if c.type is not CallType.INCOMING
               and c.answered_at is None]
        unanswered_out += out
        profile = build_profile(history, Period.LAST_7_DAYS, NOW, OFFICE_ZONE)
        over_5 = [c for c in history.calls if c.answered_at is None
                  and c.started_at >= profile.start
                  and (c.ended_at - c.started_at).total_seconds() > 5]
        assert profile.summary.missed == len(over_5)
        missed_out += sum((c.ended_at - c.started_at).total_seconds() > 5 for c in out)
    rings = {round(c.ring_seconds, 1) for c in unanswered_out}
    assert len(unanswered_out) > 20 and missed_out > 10
    assert {5.0, 5.1} <= rings and min(rings) < 5
    assert {c.type for c in unanswered_out} == {CallType.OUTGOING, CallType.CALLBACK}


def test_history_calls_come_through_the_manager_s_department_s_schemes_and_numbers():
    source = DemoSource(clock=ManualClock(NOW), seed=7, calls=60)
    seen = set()
    for agent in source.center.agents.values():
        employee = agent.employee
        for call in demo_history(employee, 7, WEEK_AGO, NOW, NOW).calls:
            if call.type is CallType.INCOMING:
                scheme = call.routing_scheme or ""
                if employee.department is None:
                    assert scheme.endswith(" (overflow)")
                else:
                    assert employee.department in SCHEME_DEPARTMENTS[scheme], scheme
                    seen.add(scheme)
            else:
                assert call.routing_scheme is None
                assert call.business_number == CALLS_FROM[employee.department]
    assert seen == set(SCHEME_DEPARTMENTS)


def test_only_accounts_on_the_vendor_s_app_are_ever_dnd_in_history():
    source = DemoSource(clock=ManualClock(NOW), seed=7, calls=60)
    dnd_agents = set()
    for agent in source.center.agents.values():
        history = demo_history(agent.employee, 7, WEEK_AGO, NOW, NOW)
        agents = {a.id: a.user_agent for a in agent.employee.accounts}
        for timeline in history.accounts:
            if any(iv.status is AgentStatus.DND for iv in timeline.intervals):
                dnd_agents.add(agents[timeline.account_id])
    assert dnd_agents == {"Ringostat app"}
