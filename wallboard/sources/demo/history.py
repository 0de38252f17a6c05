"""Plausible past days of a demo manager: shifts, lunch, nights offline, calls.

Every local day is drawn from its own random generator, seeded by the demo seed, the
manager's id and the date, so any period asks for the same days and gets the same answer.
The office works on Warsaw time (the demo's numbers are Polish). Today ends at ``now``,
where each account shows the status the live demo gives it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

from wallboard.core.history import AccountTimeline, CallRecord, ManagerHistory
from wallboard.core.models import AgentStatus, CallType, Employee, SipAccount
from wallboard.core.profile import clip, local_date, wall_time
from wallboard.core.status import Interval
from wallboard.sources.demo.catalog import (
    SCHEMES,
    VENDOR_APP,
    Scheme,
    outgoing_number,
    scheme_name,
    schemes_of,
)

OFFICE_ZONE = ZoneInfo("Europe/Warsaw")
RECORDINGS = "https://recordings.example.com/demo"

O, T, D, F = AgentStatus.ONLINE, AgentStatus.TALKING, AgentStatus.DND, AgentStatus.OFFLINE


@dataclass(frozen=True)
class HistoryShape:
    """How busy a demo day is."""

    calls_per_hour: float = 7.0
    unanswered_share: float = 0.12
    """Incoming calls the manager does not pick up."""
    no_answer_share: float = 0.25
    """Outgoing calls and callbacks the client does not pick up."""
    flaps_per_hour: float = 0.6
    """Short offline / DND spells of the second and third accounts."""


def demo_history(employee: Employee, seed: int, start: datetime, end: datetime,
                 now: datetime, *, zone: tzinfo = OFFICE_ZONE,
                 shape: HistoryShape = HistoryShape(), language: str = "en") -> ManagerHistory:
    """The manager's per-account status intervals and calls over [start, min(end, now))."""
    end = min(end, now)
    per_account: dict[str, list[Interval]] = {a.id: [] for a in employee.accounts}
    calls: list[CallRecord] = []
    if end > start:
        day = local_date(start, zone)
        while wall_time(day, time(), zone) < end:
            timelines, day_calls = _day(employee, seed, day, zone, shape, language)
            for account_id, intervals in timelines.items():
                per_account[account_id].extend(intervals)
            calls.extend(day_calls)
            day += timedelta(days=1)
    accounts = []
    for account in employee.accounts:
        intervals = clip(per_account[account.id], start, end)
        if end >= now and intervals:
            intervals = _live_tail(intervals, account, now)
        accounts.append(AccountTimeline(account_id=account.id, intervals=tuple(intervals)))
    return ManagerHistory(
        employee_id=employee.id, start=start, end=end, accounts=tuple(accounts),
        calls=tuple(c for c in calls if start <= c.started_at and c.ended_at <= end),
    )


def _live_tail(intervals: list[Interval], account: SipAccount, now: datetime) -> list[Interval]:
    """The last minute before ``now`` in the account's live status."""
    last = intervals[-1]
    if last.end < now or last.status is account.status:
        return intervals
    cut = max(last.start, now - timedelta(minutes=1))
    head = [Interval(last.start, cut, last.status)] if cut > last.start else []
    return [*intervals[:-1], *head, Interval(cut, now, account.status)]


def _day(employee: Employee, seed: int, day: date, zone: tzinfo, shape: HistoryShape,
         language: str = "en") -> tuple[dict[str, list[Interval]], list[CallRecord]]:
    rng = random.Random(f"{seed}:{employee.id}:{day.isoformat()}")
    midnight = wall_time(day, time(), zone)
    next_midnight = wall_time(day + timedelta(days=1), time(), zone)

    def at(hours: float) -> datetime:  # office hours: never inside a DST change
        minutes = int(hours * 60)
        return wall_time(day, time(minutes // 60, minutes % 60), zone)

    weekend = day.weekday() >= 5
    works = rng.random() < (0.25 if weekend else 0.93)
    if not works or not employee.accounts:
        return {a.id: [Interval(midnight, next_midnight, F)] for a in employee.accounts}, []
    load = rng.uniform(0.45, 1.5) * (0.5 if weekend else 1.0)
    shift_start = at(7.75 + rng.uniform(0, 1.5))
    shift_end = at(15.5 + rng.uniform(0, 3)) if not weekend else at(13 + rng.uniform(0, 2))
    lunch_start = at(12 + rng.uniform(0, 1.25))
    lunch_end = lunch_start + timedelta(minutes=rng.uniform(20, 45))

    timelines: dict[str, list[Interval]] = {}
    for k, account in enumerate(employee.accounts):
        on_start, on_end = shift_start, shift_end
        if k and rng.random() < 0.4:  # a second device used for part of the day only
            on_start = shift_start + timedelta(hours=rng.uniform(0, 3))
            on_end = max(on_start + timedelta(hours=1),
                         shift_end - timedelta(hours=rng.uniform(0, 3)))
        away = D if account.user_agent == VENDOR_APP else F
        spans = [(midnight, on_start, F), (on_start, lunch_start, O),
                 (lunch_start, lunch_end, away), (lunch_end, on_end, O),
                 (on_end, next_midnight, F)]
        base = [Interval(a, b, s) for a, b, s in spans if b > a]
        if k:
            base = _flaps(base, rng, shape.flaps_per_hour, away)
        timelines[account.id] = base

    calls, talks = _calls(employee, rng, shape, load, day,
                          [(shift_start, lunch_start), (lunch_end, shift_end)], timelines,
                          language)
    for account_id, talking in talks.items():
        timelines[account_id] = _overlay(timelines[account_id], talking)
    return timelines, calls


def _flaps(base: list[Interval], rng: random.Random, per_hour: float,
           away: AgentStatus) -> list[Interval]:
    """Short spells away from an online account (a phone out of Wi-Fi, a quick DND)."""
    spells: list[Interval] = []
    for iv in base:
        if iv.status is not O:
            continue
        t = iv.start + timedelta(hours=rng.expovariate(per_hour))
        while t < iv.end:
            end = min(iv.end, t + timedelta(minutes=rng.uniform(2, 20)))
            spells.append(Interval(t, end, away if rng.random() < 0.5 else F))
            t = end + timedelta(hours=rng.expovariate(per_hour))
    return _overlay(base, spells)


def _calls(employee: Employee, rng: random.Random, shape: HistoryShape, load: float,
           day: date, spans: list[tuple[datetime, datetime]],
           timelines: dict[str, list[Interval]], language: str = "en",
           ) -> tuple[list[CallRecord], dict[str, list[Interval]]]:
    calls: list[CallRecord] = []
    talks: dict[str, list[Interval]] = {a: [] for a in timelines}
    busy_until = spans[0][0]
    schemes = schemes_of(employee.department)
    outgoing = outgoing_number(employee.department)
    n = 0
    for span_start, span_end in spans:
        hours = (span_end - span_start).total_seconds() / 3600
        count = int(rng.gauss(shape.calls_per_hour * load * hours, 2) + 0.5)
        moments = sorted(span_start + timedelta(seconds=rng.uniform(0, hours * 3600))
                         for _ in range(max(0, count)))
        for moment in moments:
            started = max(moment, busy_until)
            if started >= span_end:
                break
            account_id = _online_account(timelines, started)
            if account_id is None:
                continue
            n += 1
            call_id = f"h-{employee.id}-{day:%Y%m%d}-{n:03d}"
            roll = rng.random()
            kind = (CallType.INCOMING if roll < 0.65 else
                    CallType.OUTGOING if roll < 0.9 else CallType.CALLBACK)
            client = (f"+48 {rng.randrange(500, 899)} {rng.randrange(1000):03d} "
                      f"{rng.randrange(1000):03d}")
            incoming = kind is CallType.INCOMING
            scheme = _scheme(rng, schemes) if incoming else None
            routing, number = None, outgoing
            if scheme is not None:
                routing = scheme_name(scheme, scheme not in schemes, language)
                number = scheme.number
            if rng.random() < (shape.unanswered_share if incoming else shape.no_answer_share):
                # incoming: the manager did not pick up; outgoing: the client did not
                ring = rng.choice((rng.uniform(1.5, 4.9), 5.0, 5.1, rng.uniform(5.2, 9),
                                   rng.uniform(9, 45) if incoming else rng.uniform(15, 60)))
                ended = started + timedelta(seconds=ring)
                calls.append(CallRecord(
                    id=call_id, employee_id=employee.id, type=kind, client_number=client,
                    business_number=number, started_at=started, ended_at=ended,
                    routing_scheme=routing))
                busy_until = ended
                continue
            ring = rng.lognormvariate(1.6, 0.5) if incoming else rng.uniform(3, 20)
            talk = min(3600.0, max(8.0, rng.lognormvariate(4.9, 0.8)))
            answered = started + timedelta(seconds=ring)
            ended = answered + timedelta(seconds=talk)
            calls.append(CallRecord(
                id=call_id, employee_id=employee.id, type=kind, client_number=client,
                business_number=number, started_at=started, answered_at=answered,
                ended_at=ended, routing_scheme=routing,
                recording_url=f"{RECORDINGS}/{call_id}.mp3"))
            talks[account_id].append(Interval(answered, ended, T))
            busy_until = ended + timedelta(seconds=rng.uniform(5, 90))
    return calls, talks


def _scheme(rng: random.Random, own: tuple[Scheme, ...]) -> Scheme:
    """The scheme of an incoming call: one of the manager's department's, or an overflow."""
    return rng.choice(own) if own else rng.choice(SCHEMES)


def _online_account(timelines: dict[str, list[Interval]], at: datetime) -> str | None:
    for account_id, intervals in timelines.items():
        for iv in intervals:
            if iv.start <= at < iv.end and iv.status is O:
                return account_id
    return None


def _overlay(base: list[Interval], spans: list[Interval]) -> list[Interval]:
    """``base`` with ``spans`` (sorted, non-overlapping) written over it."""
    if not spans:
        return base
    cuts = sorted({*(iv.start for iv in base), *(iv.end for iv in base),
                   *(s.start for s in spans), *(s.end for s in spans)})
    out: list[Interval] = []
    i = j = 0
    for a, b in pairwise(cuts):
        while i < len(base) and base[i].end <= a:
            i += 1
        while j < len(spans) and spans[j].end <= a:
            j += 1
        if j < len(spans) and spans[j].start <= a:
            status = spans[j].status
        elif i < len(base) and base[i].start <= a:
            status = base[i].status
        else:
            continue
        if out and out[-1].status is status and out[-1].end == a:
            out[-1] = Interval(out[-1].start, b, status)
        else:
            out.append(Interval(a, b, status))
    return out
