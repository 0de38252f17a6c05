"""The daily reset of the queue figures: a local time of day in a zone, DST-correct.

The figures "since the reset" start at the last moment the local clock showed the reset
time. On a day the clock jumps forward over it (02:30 on a spring-forward night) the reset
happens when the clock jumps; on a day it shows that time twice (fall back) the first time
counts. Every instant handed out is in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from wallboard.core.profile import local_date, local_time, wall_time


def reset_instant(day: date, at: time, zone: tzinfo | None) -> datetime:
    """The instant (UTC) of ``day``'s reset at local ``at``."""
    first = wall_time(day, at, zone, fold=0)
    shown = local_time(first, zone)
    if shown.date() == day and shown.time().replace(tzinfo=None) == at:
        return first  # the usual case, and the first of a repeated hour
    # ``at`` does not exist that day (the clock jumped over it): the jump's instant, the
    # first moment the clock shows ``at`` or later
    low = int(wall_time(day, at, zone, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:  # whole seconds: clocks change on whole seconds
        middle = (low + high) // 2
        seen = local_time(datetime.fromtimestamp(middle, UTC), zone)
        if (seen.date(), seen.time().replace(tzinfo=None)) >= (day, at):
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def day_window(now: datetime, at: time, zone: tzinfo | None) -> tuple[datetime, datetime]:
    """[the last reset at or before ``now``, the next one), in UTC."""
    today = local_date(now, zone)
    for day in (today + timedelta(days=1), today, today - timedelta(days=1)):
        start = reset_instant(day, at, zone)
        if start <= now:
            return start, reset_instant(day + timedelta(days=1), at, zone)
    start = reset_instant(today - timedelta(days=2), at, zone)  # pragma: no cover
    return start, reset_instant(today - timedelta(days=1), at, zone)


def parse_clock(text: str) -> time:
    """``06:00`` -> 06:00; ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time of day like 06:00")
    value = time(int(hours), int(minutes))
    return value


def minute_of(moment: datetime) -> int:
    """Whole minutes since the epoch: the recent window's buckets."""
    return int(moment.astimezone(UTC).timestamp() // 60)
