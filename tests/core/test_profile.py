"""The profile's aggregation (SPEC 4, 5): missed rule, averages, merge, periods, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wallboard.core.history import AccountTimeline, CallRecord, ManagerHistory
from wallboard.core.models import AgentStatus, CallType
from wallboard.core.profile import (
    Period,
    build_profile,
    day_bounds,
    hour_marks,
    period_bounds,
    period_days,
    splice_history,
    status_cells,
    summarize,
)
from wallboard.core.status import Interval

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE
WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)


def call(ring: float, talk: float | None = None, kind: CallType = CallType.INCOMING,
         at: datetime = START, id: str = "c1") -> CallRecord:
    answered = at + timedelta(seconds=ring) if talk is not None else None
    ended = (answered + timedelta(seconds=talk)) if answered else at + timedelta(seconds=ring)
    return CallRecord(id=id, employee_id="e1", type=kind, started_at=at,
                      answered_at=answered, ended_at=ended)


# -- the missed-call rule: MORE than 5 seconds ---------------------------------------------
@pytest.mark.parametrize(("ring", "missed"), [(4.9, False), (5.0, False), (5.1, True),
                                              (5.001, True), (30, True)])
def test_a_call_is_missed_only_if_it_rang_more_than_5_seconds(ring, missed):
    assert call(ring).missed is missed
    summary = summarize([call(ring)])
    assert summary.missed == int(missed)
    assert summary.short_rings == int(not missed)
    assert summary.handled == 0


def test_an_answered_call_is_never_missed_however_long_it_rang():
    assert not call(40, talk=10).missed
    assert summarize([call(40, talk=10)]).missed == 0


# -- the summary -----------------------------------------------------------------------------
def test_summary_counts_splits_and_averages():
    calls = [
        call(4, talk=60, kind=CallType.INCOMING, id="a"),
        call(8, talk=120, kind=CallType.INCOMING, id="b"),
        call(3, talk=30, kind=CallType.OUTGOING, id="c"),
        call(0, talk=90, kind=CallType.CALLBACK, id="d"),
        call(5.0, id="e"),   # short ring: not missed
        call(5.1, id="f"),   # missed
        call(12, id="g"),    # missed
    ]
    s = summarize(calls)
    assert (s.handled, s.incoming, s.outgoing) == (4, 2, 2)
    assert (s.missed, s.short_rings) == (2, 1)
    assert s.talk_seconds == 300
    assert s.average_talk == 75
    assert s.average_answer == pytest.approx((4 + 8 + 3 + 0) / 4)


def test_summary_of_no_calls_is_zero_not_an_error():
    s = summarize([])
    assert s.handled == s.missed == 0 and s.average_talk == s.average_answer == 0


# -- periods and days --------------------------------------------------------------------------
def test_period_bounds_start_at_local_midnight():
    now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Warsaw (UTC+1)
    assert period_bounds(Period.TODAY, now, WARSAW) == (datetime(2026, 11, 25, 23, tzinfo=UTC), now)
    assert period_bounds(Period.LAST_3_DAYS, now, WARSAW)[0] == datetime(2026, 11, 23, 23,
                                                                         tzinfo=UTC)
    assert period_days(Period.LAST_7_DAYS, now, WARSAW) == [
        date(2026, 11, d) for d in range(20, 27)]


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25),
                                            (date(2026, 3, 28), 24), (date(2026, 10, 26), 24)])
def test_warsaw_days_with_a_daylight_saving_change_have_23_or_25_hours(day, hours):
    start, end = day_bounds(day, WARSAW)
    assert (end - start) == timedelta(hours=hours)
    assert len(hour_marks(day, WARSAW)) == hours


def test_hour_ticks_skip_the_lost_hour_in_spring_and_repeat_the_extra_hour_in_autumn():
    spring = [m.hour for m in hour_marks(date(2026, 3, 29), WARSAW)]
    assert spring[:4] == [0, 1, 3, 4] and 2 not in spring
    autumn = hour_marks(date(2026, 10, 25), WARSAW)
    assert [m.hour for m in autumn][:5] == [0, 1, 2, 2, 3]
    assert [m.seconds / 3600 for m in autumn][:5] == [0, 1, 2, 3, 4]


def _whole_day_online(day: date) -> ManagerHistory:
    start, end = day_bounds(day, WARSAW)
    return ManagerHistory(employee_id="e1", start=start, end=end, accounts=(
        AccountTimeline(account_id="a", intervals=(Interval(start, end, O),)),))


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_a_dst_day_in_the_profile_counts_its_real_hours(day, hours):
    now = day_bounds(day, WARSAW)[1] + timedelta(hours=5)  # the next morning
    profile = build_profile(_whole_day_online(day), Period.LAST_3_DAYS, now, WARSAW)
    dst = next(d for d in profile.days if d.day == day)
    assert dst.hours == hours
    assert dst.totals[O] == hours * 3600
    assert sum(iv.seconds for iv in dst.timeline) == hours * 3600


# -- the merge (SPEC 5.3) through the profile ------------------------------------------------
def _at(hhmm: str, day: date = date(2026, 3, 24)) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return day_bounds(day, WARSAW)[0] + timedelta(hours=h, minutes=m)


def test_spec_5_3_worked_example_through_the_profile_with_the_talking_override():
    day = date(2026, 3, 24)
    end_of_day = day_bounds(day, WARSAW)[1]

    def ivs(*spans: tuple[str, str, AgentStatus]) -> tuple[Interval, ...]:
        return tuple(Interval(_at(a), end_of_day if b == "24:00" else _at(b), s)
                     for a, b, s in spans)

    account_a = ivs(("08:00", "09:00", O), ("09:00", "09:15", T), ("09:15", "18:00", O))
    account_b = ivs(("08:00", "12:00", O), ("12:00", "12:10", D), ("12:10", "13:00", F),
                    ("13:00", "17:00", O), ("17:00", "24:00", F))
    history = ManagerHistory(
        employee_id="e1", start=_at("00:00"), end=end_of_day,
        accounts=(AccountTimeline(account_id="A", intervals=account_a),
                  AccountTimeline(account_id="B", intervals=account_b)))
    profile = build_profile(history, Period.TODAY, end_of_day - timedelta(seconds=1), WARSAW)
    [today] = profile.days
    shown = [(iv.start.astimezone(WARSAW).strftime("%H:%M"),
              iv.end.astimezone(WARSAW).strftime("%H:%M"), iv.status.value)
             for iv in today.timeline]
    assert shown == [
        ("00:00", "08:00", "offline"),
        ("08:00", "09:00", "online"),
        ("09:00", "09:15", "talking"),
        ("09:15", "18:00", "online"),
        ("18:00", "23:59", "offline"),
    ]
    assert today.totals[T] == 15 * 60


def test_calls_by_day_count_answered_and_missed_per_local_day():
    now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    late = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 in Warsaw: the 25th
    early = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 00:30 in Warsaw: the 26th
    calls = (call(3, talk=60, at=late, id="a"), call(7, at=late, id="b"),
             call(5.0, at=early, id="c"), call(2, talk=10, at=early, id="d"))
    history = ManagerHistory(employee_id="e1", start=now - timedelta(days=7), end=now,
                             calls=calls)
    profile = build_profile(history, Period.LAST_3_DAYS, now, WARSAW)
    by_day = {d.day.day: (d.answered, d.missed, d.short_rings) for d in profile.days}
    assert by_day == {24: (0, 0, 0), 25: (1, 1, 0), 26: (1, 0, 1)}
    today = build_profile(history, Period.TODAY, now, WARSAW)
    assert [c.id for c in today.calls] == ["c", "d"]
    assert today.summary.handled == 1 and today.summary.short_rings == 1


def test_today_is_known_only_up_to_now():
    now = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    start = datetime(2026, 11, 19, tzinfo=UTC)
    history = ManagerHistory(employee_id="e1", start=start, end=now, accounts=(
        AccountTimeline(account_id="a", intervals=(Interval(start, now, O),)),))
    [today] = build_profile(history, Period.TODAY, now, WARSAW).days
    assert today.until == now
    assert sum(today.totals.values()) == 10.5 * 3600


def test_status_cells_show_the_status_filling_most_of_each_cell():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    ivs = [Interval(t0, t0 + timedelta(minutes=50), O),
           Interval(t0 + timedelta(minutes=50), t0 + timedelta(minutes=70), T),
           Interval(t0 + timedelta(minutes=70), t0 + timedelta(minutes=90), D)]
    assert status_cells(ivs, t0, 30 * 60, 4) == [O, O, D, None]


def test_splice_keeps_the_past_and_takes_the_fresh_part():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    cut, t1 = t0 + timedelta(hours=10), t0 + timedelta(hours=12)
    old = ManagerHistory(employee_id="e1", start=t0, end=cut, accounts=(
        AccountTimeline(account_id="a", intervals=(Interval(t0, cut, O),)),),
        calls=(call(1, 5, at=t0, id="old"), call(1, 5, at=cut + timedelta(minutes=1), id="x")))
    new = ManagerHistory(employee_id="e1", start=cut - timedelta(hours=1), end=t1, accounts=(
        AccountTimeline(account_id="a", intervals=(Interval(cut - timedelta(hours=1), t1, D),)),),
        calls=(call(1, 5, at=cut, id="new"),))
    spliced = splice_history(old, new)
    assert spliced.start == t0 and spliced.end == t1
    assert [(iv.status, iv.seconds / 3600) for iv in spliced.accounts[0].intervals] == [
        (O, 9), (D, 3)]
    assert [c.id for c in spliced.calls] == ["old", "new"]
