"""The status rule of SPEC 5: a manager's status is the highest of their SIP accounts'."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from wallboard.core.models import AgentStatus, merge_status

__all__ = ["Interval", "merge_status", "merge_timelines", "time_in_statuses"]


@dataclass(frozen=True, slots=True)
class Interval:
    """A span of one status, ``start`` inclusive, ``end`` exclusive."""

    start: datetime
    end: datetime
    status: AgentStatus

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def merge_timelines(
    accounts: Sequence[Sequence[Interval]], start: datetime, end: datetime
) -> list[Interval]:
    """Merge per-account status timelines into the manager's timeline over [start, end).

    Where no account says anything, the account counts as offline. Adjacent spans of the
    same merged status are joined, so the result is the shortest exact description.
    """
    if end <= start:
        return []
    cuts = {start, end}
    for timeline in accounts:
        for iv in timeline:
            if iv.end > start and iv.start < end:
                cuts.add(max(iv.start, start))
                cuts.add(min(iv.end, end))
    bounds = sorted(cuts)
    # Each account's intervals sorted, walked with a pointer per account: O(total log total).
    sorted_accounts = [sorted(t, key=lambda iv: iv.start) for t in accounts]
    pointers = [0] * len(sorted_accounts)
    merged: list[Interval] = []
    for seg_start, seg_end in pairwise(bounds):
        best = AgentStatus.OFFLINE
        for i, timeline in enumerate(sorted_accounts):
            p = pointers[i]
            while p < len(timeline) and timeline[p].end <= seg_start:
                p += 1
            pointers[i] = p
            # Overlapping intervals of one account: any covering one may apply.
            q = p
            while q < len(timeline) and timeline[q].start <= seg_start:
                if timeline[q].end > seg_start and timeline[q].status.priority > best.priority:
                    best = timeline[q].status
                q += 1
        if merged and merged[-1].status is best and merged[-1].end == seg_start:
            merged[-1] = Interval(merged[-1].start, seg_end, best)
        else:
            merged.append(Interval(seg_start, seg_end, best))
    return merged


def time_in_statuses(intervals: Iterable[Interval]) -> dict[AgentStatus, float]:
    """Seconds spent in each status (every status present, zero if unused)."""
    totals = {status: 0.0 for status in AgentStatus}
    for iv in intervals:
        totals[iv.status] += iv.seconds
    return totals
