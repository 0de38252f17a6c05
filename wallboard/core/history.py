"""A manager's past: per-account status intervals and call records over a period."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from wallboard.core.models import AgentStatus, CallType, Frozen
from wallboard.core.status import Interval

MISSED_AFTER_SECONDS = 5.0
"""SPEC 4.4: an unanswered call counts as missed only if it rang MORE than this."""


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
        """Unanswered and rang more than 5 seconds (5.0 s is not missed, 5.1 s is)."""
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
