"""A manager's past: per-account status intervals and call records over a period."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from wallboard.core.models import AgentStatus, CallType, Frozen
from wallboard.core.status import Interval

MISSED_AFTER_SECONDS = 5.0
"""SPEC 4.4: an unanswered call counts as missed only if it rang MORE than this.

The rule is the source's "calls we tried to put through for more than 5 seconds", whatever
their direction: an incoming call the manager did not pick up, and equally an outgoing call
or a callback the client did not pick up (docs/profile.md, "Missed calls")."""


class Outcome(StrEnum):
    ANSWERED = "answered"
    UNANSWERED = "unanswered"
    """Rang, was not picked up (missed only if it rang more than 5 s)."""


class CallRecord(Frozen):
    id: str
    employee_id: str
    type: CallType
    client_number: str = ""
    business_number: str = ""
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime
    routing_scheme: str | None = None
    recording_url: str | None = None

    @property
    def outcome(self) -> Outcome:
        return Outcome.ANSWERED if self.answered_at is not None else Outcome.UNANSWERED

    @property
    def ring_seconds(self) -> float:
        end = self.answered_at or self.ended_at
        return max(0.0, (end - self.started_at).total_seconds())

    @property
    def talk_seconds(self) -> float:
        if self.answered_at is None:
            return 0.0
        return max(0.0, (self.ended_at - self.answered_at).total_seconds())

    @property
    def missed(self) -> bool:
        """Unanswered and rang more than 5 seconds (5.0 s is not missed, 5.1 s is).

        Incoming, outgoing and callbacks alike: what counts is that the call was tried for
        more than 5 seconds and nobody answered.
        """
        return self.answered_at is None and self.ring_seconds > MISSED_AFTER_SECONDS


class AccountTimeline(Frozen):
    account_id: str
    intervals: tuple[Interval, ...] = ()


class DayTotals(Frozen):
    """Time in each status over one local day, as a backend reports it: totals only, no
    intervals (e.g. Ringostat's daily status report)."""

    day: date
    seconds: dict[AgentStatus, float]


class ManagerHistory(Frozen):
    """What a source knows of one manager over [start, end)."""

    employee_id: str
    start: datetime
    end: datetime
    accounts: tuple[AccountTimeline, ...] = ()
    calls: tuple[CallRecord, ...] = ()
    day_totals: tuple[DayTotals, ...] = ()
    """Days the source knows only as totals; a day with recorded intervals ignores them."""


def join_histories(before: ManagerHistory | None, after: ManagerHistory,
                   cut: datetime) -> ManagerHistory:
    """``before``'s statuses up to ``cut``, then ``after``'s; the calls of both, each once
    (``after`` wins a duplicate id). Used to put a source's own past (the demo's, a
    vendor's call log) before what the recorder saw."""
    if before is None:
        return after
    timelines: dict[str, list[Interval]] = {}
    for account in before.accounts:
        timelines[account.account_id] = [
            Interval(iv.start, min(iv.end, cut), iv.status)
            for iv in account.intervals if iv.start < cut]
    for account in after.accounts:
        timelines.setdefault(account.account_id, []).extend(
            iv for iv in account.intervals if iv.end > cut)
    known = {c.id for c in after.calls}
    calls = sorted((*after.calls, *(c for c in before.calls if c.id not in known)),
                   key=lambda c: (c.started_at, c.id))
    return ManagerHistory(
        employee_id=after.employee_id, start=min(before.start, after.start),
        end=max(before.end, after.end),
        accounts=tuple(AccountTimeline(account_id=k, intervals=tuple(v))
                       for k, v in timelines.items()),
        calls=tuple(calls),
        day_totals=(*(d for d in before.day_totals if d.day not in {
            t.day for t in after.day_totals}), *after.day_totals))
