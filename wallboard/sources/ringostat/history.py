"""What Ringostat knows of the past: the call log and the daily status report.

- ``/calls/list`` (at most 6,500 calls per request, so a period is read day by day and a
  full answer is split in halves) gives each call's time, type, disposition, durations
  and recording link; a manager's calls are the rows with their name or one of their SIP
  logins / numbers.
- ``getSipStatusDailyReport`` gives each employee's time per status over a period, as
  day totals only (no intervals), so each day is asked for on its own and handed to the
  core as :class:`~wallboard.core.history.DayTotals`. Custom statuses of Ringostat Smart
  Phone (``getCustomStatuses``) count as Do not disturb.

Past days do not change: they are kept (a bounded cache); today is read every time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

from wallboard.core.history import CallRecord, DayTotals
from wallboard.core.models import AgentStatus, CallType
from wallboard.sources.ringostat.http import (
    CALLS_PATH,
    CUSTOM_STATUSES_PATH,
    RingostatError,
    RingostatHttp,
)
from wallboard.sources.ringostat.staff import Member
from wallboard.sources.ringostat.values import (
    call_type,
    is_phone_number,
    parse_seconds,
    parse_time,
)

CALL_LOG_LIMIT = 6500
"""Ringostat's most calls per /calls/list answer."""
CALL_FIELDS = ("calldate", "caller", "dst", "uniqueid", "billsec", "duration", "waittime",
               "disposition", "call_type", "employee_fio", "department", "has_recording",
               "recording", "recording_wav", "connected_with")
ANSWERED = frozenset({"ANSWERED", "PROPER", "REPEATED"})
IN_PROGRESS = "IN PROGRESS"
CACHED_DAYS = 62
REPORT_STATUS = {
    "speaking": AgentStatus.TALKING, "talking": AgentStatus.TALKING,
    "conversation": AgentStatus.TALKING, "in_call": AgentStatus.TALKING,
    "online": AgentStatus.ONLINE, "available": AgentStatus.ONLINE,
    "dnd": AgentStatus.DND, "do_not_disturb": AgentStatus.DND,
    "offline": AgentStatus.OFFLINE,
}
NOT_STATUS = frozenset({"employee", "employee_id", "staff_id", "staffid", "id", "date", "day",
                        "fio", "email", "sip", "department"})


# -- the call log ---------------------------------------------------------------------------
def belongs_to(row: dict[str, Any], member: Member) -> bool:
    name = str(row.get("employee_fio") or "").strip().casefold()
    if name and name == member.name.casefold():
        return True
    with_ = str(row.get("connected_with") or "").strip().casefold()
    return bool(with_) and with_ in {d.value.casefold() for d in member.directions}


def call_record(row: dict[str, Any], employee_id: str, zone: tzinfo | None) -> CallRecord | None:
    """One call-log row as a record; None for a call in progress or an unreadable row."""
    disposition = str(row.get("disposition") or "").strip().upper()
    started = parse_time(row.get("calldate"), zone)
    call_id = str(row.get("uniqueid") or "").strip()
    if disposition == IN_PROGRESS or started is None or not call_id:
        return None
    duration = parse_seconds(row.get("duration")) or 0.0
    talk = parse_seconds(row.get("billsec")) or 0.0
    wait = parse_seconds(row.get("waittime"))
    kind = call_type(row.get("call_type"))
    caller, dst = str(row.get("caller") or ""), str(row.get("dst") or "")
    if kind is CallType.OUTGOING:
        client, business = dst, caller if is_phone_number(caller) else ""
    else:
        client, business = caller, dst
    answered = disposition in ANSWERED and talk > 0
    ring = wait if wait is not None else max(0.0, duration - talk)
    ended = started + timedelta(seconds=max(duration, ring + talk if answered else ring))
    recording = next((str(row[k]) for k in ("recording", "recording_wav")
                      if str(row.get(k) or "").startswith(("https://", "http://"))), None)
    return CallRecord(
        id=call_id, employee_id=employee_id, type=kind, client_number=client,
        business_number=business, started_at=started,
        answered_at=started + timedelta(seconds=ring) if answered else None,
        ended_at=ended, recording_url=recording,
    )


# -- the daily status report ---------------------------------------------------------------
def report_row(rows: Any, member: Member) -> dict[str, Any] | None:
    """The report's row of ``member`` (the report names employees by full name)."""
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        if str(row.get("employee") or "").strip().casefold() == member.name.casefold():
            return row
        ids = {str(row.get(k)) for k in ("employee_id", "staff_id", "staffId") if row.get(k)}
        if member.id in ids:
            return row
    return None


def day_totals(row: dict[str, Any], day: date, custom: Iterable[str] = ()) -> DayTotals:
    """A report row as totals per status; custom statuses (and unknown ones) count as DND."""
    custom_names = {c.casefold() for c in custom}
    seconds = {status: 0.0 for status in AgentStatus}
    for key, value in row.items():
        name = str(key).strip().casefold()
        if name in NOT_STATUS:
            continue
        amount = parse_seconds(value)
        if amount is None:
            continue
        status = REPORT_STATUS.get(name.replace(" ", "_"))
        if status is None and name in custom_names:
            status = AgentStatus.DND
        if status is not None:
            seconds[status] += amount
    return DayTotals(day=day, seconds=seconds)


# -- days and the cache ----------------------------------------------------------------------
def local_days(start: datetime, end: datetime, zone: tzinfo | None) -> list[date]:
    first, last = start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(
        zone).date()
    return [first + timedelta(days=n) for n in range(max(0, (last - first).days + 1))]


def day_start(day: date, zone: tzinfo | None) -> datetime:
    naive = datetime.combine(day, time())
    return (naive.astimezone() if zone is None else naive.replace(tzinfo=zone)).astimezone(UTC)


def wall_text(moment: datetime, zone: tzinfo | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` on the project's wall clock, as /calls/list wants it."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


class DayCache:
    """Answers for past days, kept; today's are never kept (they still grow)."""

    def __init__(self, size: int = CACHED_DAYS) -> None:
        self.size = size
        self._days: OrderedDict[date, Any] = OrderedDict()

    async def get(self, day: date, today: date, fetch: Callable[[], Awaitable[Any]]) -> Any:
        if day in self._days:
            self._days.move_to_end(day)
            return self._days[day]
        value = await fetch()
        if day < today:
            self._days[day] = value
            while len(self._days) > self.size:
                self._days.popitem(last=False)
        return value


class HistoryReader:
    """Reads a manager's calls and day totals from Ringostat, day by day."""

    def __init__(self, http: RingostatHttp, project_id: int, zone: tzinfo | None,
                 now: Callable[[], datetime]) -> None:
        self.http = http
        self.project_id = project_id
        self.zone = zone
        self.now = now
        self.limit = CALL_LOG_LIMIT
        self.custom_statuses: list[str] = []
        self._calls = DayCache()
        self._reports = DayCache()

    async def calls(self, member: Member, start: datetime, end: datetime) -> list[CallRecord]:
        today = self.now().astimezone(self.zone).date()
        rows: dict[str, dict[str, Any]] = {}
        for day in local_days(start, end, self.zone):
            if day > today:
                break
            a, b = day_start(day, self.zone), day_start(day + timedelta(days=1), self.zone)
            if start <= a and b <= end:
                found = await self._calls.get(day, today, partial(self._rows, a, b))
            else:
                found = await self._rows(max(a, start), min(b, end))
            for row in found:
                rows.setdefault(str(row.get("uniqueid")), row)
        records = (call_record(r, member.id, self.zone) for r in rows.values()
                   if belongs_to(r, member))
        return sorted((r for r in records if r is not None and start <= r.started_at < end),
                      key=lambda r: (r.started_at, r.id))

    async def _rows(self, a: datetime, b: datetime, depth: int = 0) -> list[dict[str, Any]]:
        """Rows of [a, b); a full answer (the 6,500 limit) is read again in halves."""
        last = max(a, b - timedelta(seconds=1))
        answer = await self.http.get(
            CALLS_PATH, export_type="json", order="calldate asc", fields=",".join(CALL_FIELDS),
            **{"from": wall_text(a, self.zone), "to": wall_text(last, self.zone)})
        if isinstance(answer, dict) and isinstance(answer.get("data"), list):
            answer = answer["data"]
        if not isinstance(answer, list):
            raise RingostatError("Ringostat sent a call log the wallboard cannot read.")
        rows = [r for r in answer if isinstance(r, dict)]
        if len(rows) >= self.limit and depth < 16 and (b - a) > timedelta(seconds=2):
            middle = a + (b - a) / 2
            return [*await self._rows(a, middle, depth + 1),
                    *await self._rows(middle, b, depth + 1)]
        return rows

    async def day_totals(self, member: Member, start: datetime, end: datetime
                         ) -> list[DayTotals]:
        today = self.now().astimezone(self.zone).date()
        totals = []
        for day in local_days(start, end, self.zone):
            if day > today:
                break
            rows = await self._reports.get(day, today, partial(self._report, day))
            row = report_row(rows, member)
            if row is not None:
                totals.append(day_totals(row, day, self.custom_statuses))
        return totals

    async def _report(self, day: date) -> Any:
        text = day.isoformat()
        rows = await self.http.rpc("getSipStatusDailyReport", {
            "projectId": self.project_id, "filter": {"from": text, "to": text}})
        if isinstance(rows, dict) and isinstance(rows.get("data"), list):
            rows = rows["data"]
        if not isinstance(rows, list):
            raise RingostatError("Ringostat sent a daily status report the wallboard cannot "
                                 "read.")
        return rows

    async def load_custom_statuses(self) -> list[str]:
        """The titles of the project's custom statuses; [] where Ringostat has none."""
        try:
            result = await self.http.rpc("getCustomStatuses", {"projectId": self.project_id},
                                         path=CUSTOM_STATUSES_PATH)
        except RingostatError:
            return self.custom_statuses  # not available for this project, or not now
        items = result if isinstance(result, list) else []
        titles = [str(i.get("title")).strip() for i in items
                  if isinstance(i, dict) and i.get("title")]
        self.custom_statuses = titles
        return titles
