from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from wallboard.core.models import AgentStatus, Employee, SipAccount
from wallboard.core.status import Interval, merge_status, merge_timelines, time_in_statuses

T, O, D, F = AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE
DAY = datetime(2026, 3, 24, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return DAY + timedelta(hours=h, minutes=m)


def iv(a: str, b: str, status: AgentStatus) -> Interval:
    return Interval(at(a), at(b) if b != "24:00" else DAY + timedelta(days=1), status)


def spans(intervals: list[Interval]) -> list[tuple[str, str, str]]:
    def hm(t: datetime) -> str:
        return "24:00" if t == DAY + timedelta(days=1) else t.strftime("%H:%M")

    return [(hm(i.start), hm(i.end), i.status.value) for i in intervals]


def test_priority_order_is_talking_online_dnd_offline():
    assert merge_status([F, D]) is D
    assert merge_status([D, O]) is O
    assert merge_status([O, T, F]) is T
    assert merge_status([]) is F


def test_employee_status_is_the_merge_of_all_accounts():
    e = Employee(
        id="e1",
        name="A",
        accounts=(SipAccount(id="a", status=D), SipAccount(id="b", status=O)),
    )
    assert e.status is O
    assert Employee(id="e2", name="B").status is F


# SPEC 5.3 worked example
ACCOUNT_A = [iv("08:00", "18:00", O)]
ACCOUNT_B = [
    iv("08:00", "12:00", O),
    iv("12:00", "12:10", D),
    iv("12:10", "13:00", F),
    iv("13:00", "17:00", O),
    iv("17:00", "24:00", F),
]


def test_spec_5_3_merged_status_is_online_08_to_18():
    merged = merge_timelines([ACCOUNT_A, ACCOUNT_B], DAY, DAY + timedelta(days=1))
    assert spans(merged) == [
        ("00:00", "08:00", "offline"),
        ("08:00", "18:00", "online"),
        ("18:00", "24:00", "offline"),
    ]


def test_spec_5_3_talking_on_a_while_b_is_offline_or_dnd_shows_talking():
    a = [iv("08:00", "09:00", O), iv("09:00", "09:15", T), iv("09:15", "18:00", O)]
    b = [iv("08:00", "09:00", D), iv("09:00", "09:15", F), iv("09:15", "18:00", D)]
    merged = merge_timelines([a, b], DAY, DAY + timedelta(days=1))
    assert spans(merged) == [
        ("00:00", "08:00", "offline"),
        ("08:00", "09:00", "online"),
        ("09:00", "09:15", "talking"),
        ("09:15", "18:00", "online"),
        ("18:00", "24:00", "offline"),
    ]


def test_time_in_statuses_totals():
    merged = merge_timelines([ACCOUNT_A, ACCOUNT_B], DAY, DAY + timedelta(days=1))
    totals = time_in_statuses(merged)
    assert totals[O] == 10 * 3600
    assert totals[F] == 14 * 3600
    assert totals[T] == totals[D] == 0


statuses = st.sampled_from(list(AgentStatus))


@st.composite
def timelines(draw):
    """One account: consecutive intervals over the day with random statuses."""
    cuts = sorted(set(draw(st.lists(st.integers(1, 24 * 60 - 1), max_size=12))))
    bounds = [0, *cuts, 24 * 60]
    out = []
    for a, b in pairwise(bounds):
        out.append(
            Interval(DAY + timedelta(minutes=a), DAY + timedelta(minutes=b), draw(statuses))
        )
    return out


@given(st.lists(timelines(), min_size=1, max_size=4), st.integers(0, 24 * 60 - 1))
def test_merged_status_at_any_minute_is_the_highest_account_status(accounts, minute):
    merged = merge_timelines(accounts, DAY, DAY + timedelta(days=1))
    moment = DAY + timedelta(minutes=minute, seconds=30)

    def status_at(timeline):
        return next(i.status for i in timeline if i.start <= moment < i.end)

    assert status_at(merged) is merge_status(status_at(t) for t in accounts)


@given(st.lists(timelines(), max_size=4))
def test_merged_timeline_covers_the_day_without_gaps_or_repeats(accounts):
    merged = merge_timelines(accounts, DAY, DAY + timedelta(days=1))
    assert merged[0].start == DAY and merged[-1].end == DAY + timedelta(days=1)
    for left, right in pairwise(merged):
        assert left.end == right.start
        assert left.status is not right.status
    assert sum(i.seconds for i in merged) == 24 * 3600
