"""A call record's missed rule (SPEC 4.4) in every direction: more than 5 s unanswered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.history import CallRecord, Outcome
from wallboard.core.models import CallType
from wallboard.core.profile import summarize

AT = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)


def record(kind: CallType, ring: float, talk: float | None = None) -> CallRecord:
    answered = AT + timedelta(seconds=ring) if talk is not None else None
    ended = answered + timedelta(seconds=talk) if answered and talk is not None else (
        AT + timedelta(seconds=ring))
    return CallRecord(id=f"{kind}-{ring}", employee_id="e1", type=kind, started_at=AT,
                      answered_at=answered, ended_at=ended)


@pytest.mark.parametrize("kind", list(CallType))
@pytest.mark.parametrize(("ring", "missed"), [(1.5, False), (4.9, False), (5.0, False),
                                              (5.1, True), (5.001, True), (42, True)])
def test_an_unanswered_call_of_any_direction_is_missed_after_more_than_5_seconds(
        kind, ring, missed):
    call = record(kind, ring)
    assert call.outcome is Outcome.UNANSWERED
    assert call.missed is missed


@pytest.mark.parametrize("kind", list(CallType))
def test_an_answered_call_is_never_missed(kind):
    call = record(kind, 30, talk=60)
    assert call.outcome is Outcome.ANSWERED and not call.missed
    assert call.ring_seconds == 30 and call.talk_seconds == 60


def test_the_summary_counts_unanswered_outgoing_calls_and_callbacks_as_missed():
    calls = [
        record(CallType.INCOMING, 12),      # the manager did not pick up: missed
        record(CallType.OUTGOING, 25),      # the client did not pick up: missed
        record(CallType.CALLBACK, 5.1),     # missed
        record(CallType.OUTGOING, 5.0),     # hung up at 5.0 s: a short ring, not missed
        record(CallType.OUTGOING, 3),       # a misdial dropped at once: not missed
        record(CallType.OUTGOING, 8, talk=120),  # answered
    ]
    summary = summarize(calls)
    assert (summary.handled, summary.outgoing, summary.missed, summary.short_rings) == (1, 1, 3, 2)
