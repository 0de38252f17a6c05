"""Reading Ringostat's values: times in the project's zone, durations, call types."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from wallboard.core.models import CallType

_CLOCK = re.compile(r"^(\d+):([0-5]?\d):([0-5]?\d)$")
CALL_TYPES = {
    "in": CallType.INCOMING, "incoming": CallType.INCOMING, "input": CallType.INCOMING,
    "out": CallType.OUTGOING, "outgoing": CallType.OUTGOING, "output": CallType.OUTGOING,
    "callback": CallType.CALLBACK,
}


def parse_time(value: Any, zone: tzinfo | None) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` (in ``zone``; None: the system's), ISO 8601, or a Unix time
    (seconds or milliseconds); None when it is none of those."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number != number or number <= 0:
            return None
        seconds = number / 1000 if number > 1e11 else number
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone() if zone is None else parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_seconds(value: Any) -> float | None:
    """``123``, ``"123"``, ``"1.5"`` or ``"01:31:55"``: seconds; None if unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    text = str(value).strip()
    match = _CLOCK.match(text)
    if match:
        hours, minutes, seconds = (int(g) for g in match.groups())
        return float(hours * 3600 + minutes * 60 + seconds)
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number >= 0 and number == number else None


def call_type(value: Any, default: CallType = CallType.INCOMING) -> CallType:
    return CALL_TYPES.get(str(value or "").strip().lower(), default)


def is_phone_number(text: str) -> bool:
    digits = re.sub(r"[\s()+-]", "", text)
    return digits.isdigit() and len(digits) >= 5
