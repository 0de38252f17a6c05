"""The header counters of SPEC 1 (wallboard/core/counters.py), from literal calls."""

from datetime import UTC, datetime, timedelta

from wallboard.core.counters import Counters, compute_counters
from wallboard.core.models import Call, CallStatus, CallType

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def mk(i, type_, status, waited=10):  # type: ignore[no-untyped-def]
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


def test_the_longest_wait_is_of_unanswered_calls_only_and_ticks():
    calls = [
        mk(1, CallType.INCOMING, CallStatus.TALKING, waited=90),  # answered after 90 s
        mk(2, CallType.CALLBACK, CallStatus.RINGING, waited=7),
    ]
    assert compute_counters(calls, T0).longest_wait == 7
    assert compute_counters(calls, T0 + timedelta(seconds=5)).longest_wait == 12
