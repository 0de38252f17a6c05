"""A call's durations (wallboard/core/models.py): from its timestamps and the clock."""

from datetime import UTC, datetime, timedelta

from wallboard.core.models import Call, CallStatus, CallType

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def mk(i, status, waited):  # type: ignore[no-untyped-def]
    answered = T0 - timedelta(seconds=30) if status is not CallStatus.RINGING else None
    created = (answered or T0) - timedelta(seconds=waited)
    return Call(id=str(i), type=CallType.INCOMING, status=status, created_at=created,
                answered_at=answered)


def test_waiting_and_talk_time_come_from_timestamps_and_the_clock():
    c = mk(1, CallStatus.TALKING, waited=7)
    assert c.waiting_seconds(T0 + timedelta(hours=1)) == 7  # frozen at the answer
    assert c.talk_seconds(T0) == 30
    assert c.talk_seconds(T0 + timedelta(seconds=10)) == 40
    r = mk(2, CallStatus.RINGING, waited=3)
    assert r.waiting_seconds(T0 + timedelta(seconds=2)) == 5
    assert r.talk_seconds(T0) == 0


def test_a_clock_behind_the_call_never_gives_a_negative_duration():
    c = mk(1, CallStatus.TALKING, waited=7)
    assert c.talk_seconds(T0 - timedelta(minutes=5)) == 0
    assert mk(2, CallStatus.RINGING, waited=3).waiting_seconds(T0 - timedelta(minutes=5)) == 0
