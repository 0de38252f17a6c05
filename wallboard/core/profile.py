"""The manager profile of SPEC 4 as plain data: periods, local days, summaries, charts.

Everything here is a pure function of a :class:`~wallboard.core.history.ManagerHistory`,
the current time and a time zone. Days are cut at local midnight, so a day with a
daylight-saving change lasts 23 or 25 hours. All datetimes handed out are in UTC; a zone
of ``None`` means the system's own rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from wallboard.core.history import AccountTimeline, CallRecord, DayTotals, ManagerHistory
from wallboard.core.models import AgentStatus, CallType
from wallboard.core.status import Interval, merge_timelines, time_in_statuses
from wallboard.core.text import N_


class Period(StrEnum):
    """SPEC 4.2: the period that drives every section of the profile."""

    TODAY = "today"
    LAST_3_DAYS = "3d"
    LAST_7_DAYS = "7d"

    @property
    def days(self) -> int:
        return {Period.TODAY: 1, Period.LAST_3_DAYS: 3, Period.LAST_7_DAYS: 7}[self]

    @property
    def label(self) -> str:
        """In English, marked for the catalog (the board shows it translated)."""
        return {Period.TODAY: N_("Today"), Period.LAST_3_DAYS: N_("Last 3 days"),
                Period.LAST_7_DAYS: N_("Last 7 days")}[self]


# -- local days ---------------------------------------------------------------------------
def local_time(moment: datetime, zone: tzinfo | None) -> datetime:
    """``moment`` on the wall clock of ``zone`` (None: the system's)."""
    return moment.astimezone(zone)


def local_date(moment: datetime, zone: tzinfo | None) -> date:
    return moment.astimezone(zone).date()


def wall_time(day: date, at: time, zone: tzinfo | None, fold: int = 0) -> datetime:
    """The instant (UTC) a wall clock in ``zone`` shows ``day`` ``at``."""
    naive = datetime.combine(day, at).replace(fold=fold)
    local = naive.astimezone() if zone is None else naive.replace(tzinfo=zone)
    return local.astimezone(UTC)


def day_bounds(day: date, zone: tzinfo | None) -> tuple[datetime, datetime]:
    """[local midnight of ``day``, local midnight of the next day), in UTC."""
    return wall_time(day, time(), zone), wall_time(day + timedelta(days=1), time(), zone)


def period_bounds(period: Period, now: datetime, zone: tzinfo | None) -> tuple[datetime, datetime]:
    """From local midnight ``period.days - 1`` days ago up to ``now``."""
    first = local_date(now, zone) - timedelta(days=period.days - 1)
    return wall_time(first, time(), zone), now.astimezone(UTC)


def period_days(period: Period, now: datetime, zone: tzinfo | None) -> list[date]:
    today = local_date(now, zone)
    return [today - timedelta(days=n) for n in range(period.days - 1, -1, -1)]


@dataclass(frozen=True, slots=True)
class HourMark:
    """A whole local hour inside a day: where its tick goes on the day's bar."""

    at: datetime
    hour: int
    seconds: float
    """Seconds from the day's start (real elapsed time, not wall-clock)."""


def hour_marks(day: date, zone: tzinfo | None) -> list[HourMark]:
    """Every local full hour of ``day`` in order: 23 on a spring-forward day, 25 on a
    fall-back day (the repeated hour appears twice), 24 otherwise."""
    start, end = day_bounds(day, zone)
    seen: dict[datetime, int] = {}
    for hour in range(24):
        for fold in (0, 1):
            at = wall_time(day, time(hour), zone, fold)
            shown = local_time(at, zone)
            if start <= at < end and shown.hour == hour and shown.minute == 0:
                seen.setdefault(at, hour)
    return [HourMark(at, hour, (at - start).total_seconds()) for at, hour in sorted(seen.items())]


# -- timelines ------------------------------------------------------------------------------
def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    out = []
    for iv in intervals:
        if iv.end > start and iv.start < end:
            out.append(Interval(max(iv.start, start), min(iv.end, end), iv.status))
    return out


def cut_days(merged: Sequence[Interval], bounds: Sequence[tuple[datetime, datetime]]
             ) -> list[list[Interval]]:
    """A sorted, gapless timeline cut into the given consecutive days (one walk)."""
    out: list[list[Interval]] = []
    i = 0
    for start, end in bounds:
        day: list[Interval] = []
        while i < len(merged) and merged[i].end <= start:
            i += 1
        j = i
        while j < len(merged) and merged[j].start < end:
            iv = merged[j]
            day.append(Interval(max(iv.start, start), min(iv.end, end), iv.status))
            j += 1
        out.append(day)
    return out


def status_cells(intervals: Sequence[Interval], start: datetime, seconds_per_cell: float,
                 cells: int) -> list[AgentStatus | None]:
    """What each character of a bar shows: the status that fills most of its time span.

    Ties go to the higher-priority status; a cell with no recorded time is None.
    """
    out: list[AgentStatus | None] = []
    i = 0
    for n in range(cells):
        a = start + timedelta(seconds=n * seconds_per_cell)
        b = start + timedelta(seconds=(n + 1) * seconds_per_cell)
        while i < len(intervals) and intervals[i].end <= a:
            i += 1
        share: dict[AgentStatus, float] = {}
        j = i
        while j < len(intervals) and intervals[j].start < b:
            iv = intervals[j]
            span = (min(iv.end, b) - max(iv.start, a)).total_seconds()
            if span > 0:
                share[iv.status] = share.get(iv.status, 0.0) + span
            j += 1
        out.append(max(share, key=lambda s: (share[s], s.priority)) if share else None)
    return out


def proportion_cells(totals: dict[AgentStatus, float], cells: int) -> list[AgentStatus]:
    """A day known only as totals, drawn as ``cells`` characters in proportion to them:
    statuses in priority order (talking first), the cells shared by largest remainder so
    they add up exactly; a status with any time gets at least one cell when there is room.
    """
    present = [s for s in sorted(AgentStatus, key=lambda s: -s.priority) if totals.get(s, 0) > 0]
    whole = sum(totals[s] for s in present)
    if not present or cells <= 0:
        return []
    exact = {s: totals[s] / whole * cells for s in present}
    counts = {s: int(exact[s]) for s in present}
    least = 1 if len(present) <= cells else 0
    for s in present:
        counts[s] = max(counts[s], least)
    while sum(counts.values()) > cells:
        widest = max((s for s in present if counts[s] > least),
                     key=lambda s: counts[s] - exact[s])
        counts[widest] -= 1
    for s in sorted(present, key=lambda s: counts[s] - exact[s])[: cells - sum(counts.values())]:
        counts[s] += 1
    return [s for s in present for _ in range(counts[s])]


# -- the profile ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DayStats:
    day: date
    start: datetime
    end: datetime
    """The local day [midnight, next midnight) in UTC: 23, 24 or 25 hours."""
    until: datetime
    """How far the day is known: its end, or now for today."""
    timeline: list[Interval]
    totals: dict[AgentStatus, float]
    answered: int = 0
    missed: int = 0
    short_rings: int = 0
    """Unanswered calls that rang 5 s or less: not missed."""
    totals_only: bool = False
    """The source knows this day only as totals per status (no intervals, no timeline)."""
    accounts: dict[str, list[Interval]] = field(default_factory=dict)
    """Each SIP account's own intervals this day, whose merge is ``timeline`` (SPEC 5.3
    can be checked on screen)."""

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Summary:
    handled: int = 0
    """Answered calls."""
    incoming: int = 0
    outgoing: int = 0
    """Answered outgoing calls, callbacks included."""
    missed: int = 0
    short_rings: int = 0
    talk_seconds: float = 0.0
    average_talk: float = 0.0
    average_answer: float = 0.0
    """Mean ringing time of the answered calls."""
    status_seconds: dict[AgentStatus, float] = field(
        default_factory=lambda: {s: 0.0 for s in AgentStatus})


@dataclass(frozen=True)
class Profile:
    period: Period
    start: datetime
    end: datetime
    days: list[DayStats]
    summary: Summary
    calls: list[CallRecord]
    """The period's calls, oldest first."""


def summarize(calls: Iterable[CallRecord], days: Iterable[DayStats] = ()) -> Summary:
    handled = incoming = missed = short = 0
    talk = answer = 0.0
    for call in calls:
        if call.answered_at is not None:
            handled += 1
            incoming += call.type is CallType.INCOMING
            talk += call.talk_seconds
            answer += call.ring_seconds
        elif call.missed:
            missed += 1
        else:
            short += 1
    totals = {s: 0.0 for s in AgentStatus}
    for day in days:
        for status, seconds in day.totals.items():
            totals[status] += seconds
    return Summary(
        handled=handled,
        incoming=incoming,
        outgoing=handled - incoming,
        missed=missed,
        short_rings=short,
        talk_seconds=talk,
        average_talk=talk / handled if handled else 0.0,
        average_answer=answer / handled if handled else 0.0,
        status_seconds=totals,
    )


def build_profile(history: ManagerHistory, period: Period, now: datetime,
                  zone: tzinfo | None) -> Profile:
    """Every section of the profile for ``period``, from one history (which may cover more)."""
    start, end = period_bounds(period, now, zone)
    known = min(end, history.end)
    days = period_days(period, now, zone)
    bounds = [day_bounds(d, zone) for d in days]
    merged = merge_timelines([a.intervals for a in history.accounts], start, known)
    per_day = cut_days(merged, bounds)
    own = {a.account_id: cut_days(sorted(clip(a.intervals, start, known),
                                         key=lambda iv: iv.start), bounds)
           for a in history.accounts}
    calls = sorted((c for c in history.calls if start <= c.started_at < end),
                   key=lambda c: (c.started_at, c.id))
    by_day: dict[date, list[CallRecord]] = {d: [] for d in days}
    for call in calls:
        by_day.setdefault(local_date(call.started_at, zone), []).append(call)
    reported = {t.day: t for t in history.day_totals}
    stats = []
    for n, (d, (a, b), timeline) in enumerate(zip(days, bounds, per_day, strict=True)):
        day_calls = by_day[d]
        answered = sum(c.answered_at is not None for c in day_calls)
        missed = sum(c.missed for c in day_calls)
        totals_only = d in reported and not _has_intervals(history.accounts, a, b)
        stats.append(DayStats(
            day=d, start=a, end=b, until=max(a, min(b, known)),
            timeline=[] if totals_only else timeline,
            totals=_reported(reported[d]) if totals_only else time_in_statuses(timeline),
            answered=answered, missed=missed, short_rings=len(day_calls) - answered - missed,
            totals_only=totals_only,
            accounts={} if totals_only else {k: days_of[n] for k, days_of in own.items()},
        ))
    return Profile(period, start, end, stats, summarize(calls, stats), calls)


def _has_intervals(accounts: Iterable[AccountTimeline], start: datetime, end: datetime) -> bool:
    return any(iv.end > start and iv.start < end for a in accounts for iv in a.intervals)


def _reported(totals: DayTotals) -> dict[AgentStatus, float]:
    """A reported day's totals with every status present (zero if unused)."""
    return {status: float(totals.seconds.get(status, 0.0)) for status in AgentStatus}


def splice_history(old: ManagerHistory, new: ManagerHistory) -> ManagerHistory:
    """``old`` up to ``new.start``, then ``new``: a refresh of the recent part only."""
    cut = new.start
    fresh = {a.account_id: a.intervals for a in new.accounts}
    ids = [a.account_id for a in old.accounts]
    ids += [a for a in fresh if a not in ids]
    kept = {a.account_id: a.intervals for a in old.accounts}
    accounts = tuple(
        AccountTimeline(
            account_id=account_id,
            intervals=(*clip(kept.get(account_id, ()), old.start, cut), *fresh.get(account_id, ())),
        )
        for account_id in ids
    )
    calls = (*(c for c in old.calls if c.started_at < cut), *new.calls)
    totals = {t.day: t for t in old.day_totals} | {t.day: t for t in new.day_totals}
    return ManagerHistory(employee_id=old.employee_id, start=min(old.start, cut),
                          end=max(new.end, cut), accounts=accounts, calls=calls,
                          day_totals=tuple(totals[d] for d in sorted(totals)))
