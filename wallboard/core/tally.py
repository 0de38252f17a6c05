"""Tallies and the figures read from them: what one queue counted over a span, the
outcomes that are counted, and the formulas (docs/queues.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wallboard.core.queues import MetricsSeed, Tally


class ServiceLevelFormula(StrEnum):
    """How the service level is computed (``[queues] service_level_formula``)."""

    OFFERED_MINUS_SHORT = "offered_minus_short"
    """Answered within the threshold ÷ (offered − short abandons). The default."""
    OFFERED = "offered"
    """Answered within the threshold ÷ offered (short abandons count against it)."""
    ANSWERED = "answered"
    """Answered within the threshold ÷ answered (abandons ignored; Asterisk's
    ServicelevelPerf)."""
    ABANDONS_MET = "abandons_met"
    """(Answered + abandoned within the threshold) ÷ offered (Asterisk's ServicelevelPerf2)."""


class Kind(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    SHORT = "short"
    HANDLED = "handled"
    WRAPUP = "wrapup"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One counted fact, as the store keeps it: what, of which queue, when, how long."""

    at: datetime
    queue_id: str
    kind: Kind
    key: str
    """The call id (the employee id and start for a wrap-up): never counted twice."""
    seconds: float
    """The wait (answered, abandoned, short), the handle time, or the wrap-up."""
    within: bool = False
    """Within the queue's service-level threshold (answered and abandoned)."""


class _Tally:
    """A mutable :class:`Tally` (the hot path adds to these)."""

    __slots__ = ("offered", "answered", "answered_within", "abandoned", "abandoned_within",
                 "short", "wait", "handled", "handle", "wrapups", "wrapup")

    def __init__(self) -> None:
        self.offered = self.answered = self.answered_within = 0
        self.abandoned = self.abandoned_within = self.short = 0
        self.handled = self.wrapups = 0
        self.wait = self.handle = self.wrapup = 0.0

    def add(self, other: _Tally | Tally) -> None:
        # Spelled out rather than a loop over __slots__ with getattr/setattr: the board adds
        # up the window's minutes for every queue once a second (a third of the time),
        # and the demo's day so far adds thousands at start-up.
        self.offered += other.offered
        self.answered += other.answered
        self.answered_within += other.answered_within
        self.abandoned += other.abandoned
        self.abandoned_within += other.abandoned_within
        self.short += other.short
        self.wait += other.wait
        self.handled += other.handled
        self.handle += other.handle
        self.wrapups += other.wrapups
        self.wrapup += other.wrapup

    def count(self, outcome: Outcome) -> None:
        kind = outcome.kind
        if kind is Kind.ANSWERED:
            self.offered += 1
            self.answered += 1
            self.answered_within += outcome.within
            self.wait += outcome.seconds
        elif kind is Kind.HANDLED:
            self.handled += 1
            self.handle += outcome.seconds
        elif kind is Kind.WRAPUP:
            self.wrapups += 1
            self.wrapup += outcome.seconds
        else:
            self.offered += 1
            self.abandoned_within += outcome.within
            if kind is Kind.SHORT:
                self.short += 1
            else:
                self.abandoned += 1

    def frozen(self) -> Tally:
        return Tally(**{name: getattr(self, name) for name in self.__slots__})

    @classmethod
    def of(cls, tally: Tally) -> _Tally:
        made = cls()
        made.add(tally)
        return made


@dataclass(frozen=True, slots=True)
class Figures:
    """One queue's (or the total's) figures over one window."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    service_level: float | None = None
    """Percent; None when no call counts yet."""
    abandon_rate: float | None = None
    """Abandoned ÷ (offered − short abandons), percent."""
    asa: float | None = None
    """Average speed of answer, seconds."""
    aht: float | None = None
    """Average handle time (talk + hold + wrap-up), seconds."""


def figures(tally: Tally | _Tally, formula: ServiceLevelFormula) -> Figures:
    counted = tally.offered - tally.short
    if formula is ServiceLevelFormula.OFFERED_MINUS_SHORT:
        met, base = tally.answered_within, counted
    elif formula is ServiceLevelFormula.OFFERED:
        met, base = tally.answered_within, tally.offered
    elif formula is ServiceLevelFormula.ANSWERED:
        met, base = tally.answered_within, tally.answered
    else:
        met, base = tally.answered_within + tally.abandoned_within, tally.offered
    wrap = tally.wrapup / tally.wrapups if tally.wrapups else 0.0
    return Figures(
        offered=tally.offered, answered=tally.answered, abandoned=tally.abandoned,
        short_abandons=tally.short,
        service_level=100.0 * met / base if base > 0 else None,
        abandon_rate=100.0 * tally.abandoned / counted if counted > 0 else None,
        asa=tally.wait / tally.answered if tally.answered else None,
        aht=tally.handle / tally.handled + wrap if tally.handled else None,
    )


def merge_seeds(seeds: Iterable[MetricsSeed | None]) -> MetricsSeed | None:
    """The seeds of several sites as one (their queue ids are qualified by the site, so
    nothing overlaps; a queue present twice adds up)."""
    found = [s for s in seeds if s is not None]
    if not found:
        return None
    day: dict[str, _Tally] = {}
    minutes: dict[int, dict[str, _Tally]] = {}
    for seed in found:
        for queue_id, tally in seed.day.items():
            day.setdefault(queue_id, _Tally()).add(tally)
        for minute, per in seed.minutes.items():
            into = minutes.setdefault(minute, {})
            for queue_id, tally in per.items():
                into.setdefault(queue_id, _Tally()).add(tally)
    return MetricsSeed(day_start=max(s.day_start for s in found),
                       next_reset=min((s.next_reset for s in found if s.next_reset),
                                      default=None),
                       latest=max((s.latest for s in found if s.latest), default=None),
                       day={q: t.frozen() for q, t in day.items()},
                       minutes={m: {q: t.frozen() for q, t in per.items()}
                                for m, per in minutes.items()})
