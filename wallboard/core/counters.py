"""The header counters of SPEC 1, plus the longest current wait."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from wallboard.core.models import Call, CallStatus, CallType


@dataclass(frozen=True, slots=True)
class Counters:
    total: int = 0
    """1.1 Active calls right now."""
    waiting: int = 0
    """1.2 Calls not yet answered."""
    waiting_incoming: int = 0
    """1.3 Incoming calls among the waiting ones."""
    talking: int = 0
    """1.4 Calls in conversation (a call on hold is still in conversation)."""
    talking_incoming: int = 0
    """1.5 Incoming calls among those in conversation."""
    longest_wait: float = 0.0
    """Seconds the longest-waiting unanswered call has waited (0 if none)."""


def compute_counters(calls: Iterable[Call], now: datetime) -> Counters:
    # one pass, names bound locally: it runs over every shown call a few times a second
    ringing, incoming = CallStatus.RINGING, CallType.INCOMING
    total = waiting = waiting_in = talking = talking_in = 0
    longest = 0.0
    for call in calls:
        total += 1
        if call.status is ringing:
            waiting += 1
            if call.type is incoming:
                waiting_in += 1
            wait = call.waiting_seconds(now)
            if wait > longest:
                longest = wait
        else:
            talking += 1
            if call.type is incoming:
                talking_in += 1
    return Counters(total, waiting, waiting_in, talking, talking_in, longest)
