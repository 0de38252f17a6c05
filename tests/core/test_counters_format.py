from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.counters import Counters, compute_counters
from wallboard.core.format import format_duration
from wallboard.core.models import Call, CallStatus, CallType

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def mk(i, type_, status, waited=10):
    answered = T0 - timedelta(seconds=30) if status is not CallStatus.RINGING else None
    created = (answered or T0) - timedelta(seconds=waited)
    return Call(id=str(i), type=type_, status=status, created_at=created, answered_at=answered)


def test_header_counters():
    calls = [
        mk(1, CallType.INCOMING, CallStatus.RINGING, waited=40),
        mk(2, CallType.OUTGOING, CallStatus.RINGING, waited=12),
        mk(3, CallType.INCOMING, CallStatus.TALKING),
        mk(4, CallType.INCOMING, CallStatus.ON_HOLD),
        mk(5, CallType.CALLBACK, CallStatus.TALKING),
    ]
    assert compute_counters(calls, T0) == Counters(
        total=5, waiting=2, waiting_incoming=1, talking=3, talking_incoming=2, longest_wait=40
    )
    assert compute_counters([], T0) == Counters()


def test_waiting_and_talk_time_come_from_timestamps_and_the_clock():
    c = mk(1, CallType.INCOMING, CallStatus.TALKING, waited=7)
    assert c.waiting_seconds(T0 + timedelta(hours=1)) == 7  # frozen at the answer
    assert c.talk_seconds(T0) == 30
    assert c.talk_seconds(T0 + timedelta(seconds=10)) == 40
    r = mk(2, CallType.INCOMING, CallStatus.RINGING, waited=3)
    assert r.waiting_seconds(T0 + timedelta(seconds=2)) == 5
    assert r.talk_seconds(T0) == 0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7.9, "0:07"), (65, "1:05"), (3599, "59:59"), (3723, "1:02:03"), (-4, "0:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text
