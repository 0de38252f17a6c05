"""What the demo simulation has planned: a time-ordered heap of (when, what, to whom)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

Plan = tuple[datetime, int, str, str]
"""(when, sequence number, what happens, to which call or manager): a heap entry."""


class Plans:
    """Plans in time order; two plans for the same moment keep the order they were made in.

    While ``filling`` (the set-up makes thousands of plans at once) plans are only appended,
    and :meth:`done_filling` makes them a heap in one go.
    """

    def __init__(self) -> None:
        self._heap: list[Plan] = []
        self._seq = 0
        self.filling = True

    def add(self, at: datetime, what: str, target: str) -> None:
        self._seq += 1
        if self.filling:
            self._heap.append((at, self._seq, what, target))
        else:
            heapq.heappush(self._heap, (at, self._seq, what, target))

    def done_filling(self) -> None:
        heapq.heapify(self._heap)
        self.filling = False

    def due(self, now: datetime) -> Iterator[tuple[datetime, str, str]]:
        """The plans up to ``now``, in order, each removed as it is taken (plans added
        meanwhile for up to ``now`` come too)."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, _, what, target = heapq.heappop(heap)
            yield at, what, target

    def all(self) -> list[tuple[datetime, str, str]]:
        """Every plan, in order."""
        return [(at, what, target) for at, _, what, target in sorted(self._heap)]

    def __len__(self) -> int:
        return len(self._heap)
