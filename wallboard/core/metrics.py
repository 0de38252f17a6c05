"""Queue figures, counted as events arrive: one event costs a few dictionary updates, never
a recount of the day (docs/queues.md has the formulas).

Two windows: since the daily reset (a local time in a zone, DST-correct) and the last
``window_minutes`` minutes (kept as one tally per minute, so the window moves in whole
minutes). A call counts once it has an outcome: answered (at its answer), abandoned or a
short abandon (at its hang-up, unanswered); its handle time counts when it ends, and the
agent's wrap-up when the wrap-up ends. The live figures — callers waiting, the longest
wait, agents per state — come from indexes kept up to date by the same events.

:class:`QueueMetrics` belongs to a :class:`~wallboard.core.state.LiveState`, which feeds it.
Counted outcomes also go to :attr:`QueueMetrics.journal`, which the recorder drains into
the store; at start the store's outcomes of the day are loaded back (:meth:`load`), so the
figures survive a restart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo

from wallboard.core.daily import day_window, minute_of
from wallboard.core.models import Call
from wallboard.core.queues import (
    DEFAULT_SERVICE_LEVEL_SECONDS,
    DEFAULT_SHORT_ABANDON_SECONDS,
    Agent,
    AgentState,
    MetricsSeed,
    Queue,
    StateCount,
    count_states,
)
from wallboard.core.tally import (
    Figures,
    Kind,
    Outcome,
    ServiceLevelFormula,
    _Tally,
    figures,
    merge_seeds,
)
from wallboard.core.text import N_, Sentence

__all__ = ["Figures", "Kind", "MetricsSettings", "MetricsView", "Outcome", "QueueFigures",
           "QueueMetrics", "ServiceLevelFormula", "merge_seeds", "window_start"]

JOURNAL_LIMIT = 200_000
"""Outcomes kept for the recorder while it is not draining them (the oldest go first)."""
TRACK_LIMIT = 200_000
"""Outcomes remembered (until the store's day is loaded) so none is counted twice."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MetricsSettings:
    reset_at: time = time(0, 0)
    zone: tzinfo | None = None
    window_minutes: int = 30
    formula: ServiceLevelFormula = ServiceLevelFormula.OFFERED_MINUS_SHORT
    service_level_seconds: float = DEFAULT_SERVICE_LEVEL_SECONDS
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
    """For calls whose queue the board does not know (yet)."""


@dataclass(frozen=True)
class QueueFigures:
    """Everything the board shows of one queue (or of all: ``queue_id`` None)."""

    queue_id: str | None
    name: str
    day: Figures
    recent: Figures
    waiting: int = 0
    longest_wait: float = 0.0
    callbacks: int = 0
    agents: StateCount = field(default_factory=StateCount)


@dataclass(frozen=True)
class MetricsView:
    at: datetime
    day_start: datetime
    queues: dict[str, QueueFigures]
    """By queue id, in the state's queue order."""
    total: QueueFigures


class QueueMetrics:
    def __init__(self, settings: MetricsSettings | None = None) -> None:
        self.settings = settings or MetricsSettings()
        self.journal: list[Outcome] | None = []
        """Counted outcomes not yet written to the store (None: nobody records them)."""
        self._day: dict[str, _Tally] = {}
        self._minutes: dict[int, dict[str, _Tally]] = {}
        self._day_start = EPOCH
        self._next_reset = EPOCH
        self._latest = EPOCH
        """The latest time an event carried: the time of an event that carries none."""
        self._calls: dict[str, tuple[str, bool]] = {}
        """Live queue calls: id -> (queue, answer counted)."""
        self._waiting: dict[str, dict[str, datetime]] = {}
        """queue -> unanswered call -> since when it waits."""
        self._agents: dict[str, Agent] = {}
        self._states: dict[str, Counter[AgentState]] = {}
        """queue -> agents per state."""
        self._everyone: Counter[AgentState] = Counter()
        """The states of the agents in at least one queue (the "All queues" line)."""
        self._last_queue: dict[str, str] = {}
        """employee -> the queue of their last call (their wrap-up counts there)."""
        self._seen: set[tuple[Kind, str]] | None = set()

    def configure(self, settings: MetricsSettings) -> None:
        self.settings = settings
        self._next_reset = EPOCH  # recomputed at the next look

    # -- the windows -------------------------------------------------------------------------
    def roll(self, now: datetime) -> None:
        """Start a new day at the reset; forget minutes older than the window."""
        if now >= self._next_reset:
            start, self._next_reset = day_window(now, self.settings.reset_at, self.settings.zone)
            if start > self._day_start:  # the day only moves forward
                self._day_start = start
                self._day = {}
        oldest = minute_of(now) - self.settings.window_minutes
        if self._minutes and min(self._minutes) <= oldest:
            for minute in [m for m in self._minutes if m <= oldest]:
                del self._minutes[minute]

    def _count(self, outcome: Outcome, record: bool = True) -> None:
        at = outcome.at
        if at > self._latest:
            self._latest = at
        if at >= self._next_reset:
            self.roll(at)
        if self._seen is not None:
            self._seen.add((outcome.kind, outcome.key))
            if len(self._seen) > TRACK_LIMIT:
                self._seen = None
        if at >= self._day_start:
            tally = self._day.get(outcome.queue_id)
            if tally is None:
                tally = self._day[outcome.queue_id] = _Tally()
            tally.count(outcome)
        minute = minute_of(at)
        oldest = minute_of(self._latest) - self.settings.window_minutes
        if minute > oldest:
            per_queue = self._minutes.get(minute)
            if per_queue is None:  # a new minute: forget those out of the window
                for gone in [m for m in self._minutes if m <= oldest]:
                    del self._minutes[gone]
                per_queue = self._minutes[minute] = {}
            tally = per_queue.get(outcome.queue_id)
            if tally is None:
                tally = per_queue[outcome.queue_id] = _Tally()
            tally.count(outcome)
        if record and self.journal is not None:
            self.journal.append(outcome)
            if len(self.journal) > JOURNAL_LIMIT:
                del self.journal[: len(self.journal) - JOURNAL_LIMIT]

    def _thresholds(self, queue_id: str, queues: Mapping[str, Queue]) -> tuple[float, float]:
        queue = queues.get(queue_id)
        if queue is None:
            return self.settings.service_level_seconds, self.settings.short_abandon_seconds
        return queue.service_level_seconds, queue.short_abandon_seconds

    # -- calls -------------------------------------------------------------------------------
    def call_changed(self, call: Call, queues: Mapping[str, Queue]) -> None:
        """A call started or changed (after the state took it)."""
        queue_id = call.queue_id
        known = self._calls.get(call.id)
        if known is not None and known[0] != queue_id:
            self._stop_waiting(known[0], call.id)
        if queue_id is None:
            self._calls.pop(call.id, None)
            return
        counted = known is not None and known[1]
        if call.answered_at is None:
            self._calls[call.id] = (queue_id, counted)
            waiting = self._waiting.get(queue_id)
            if waiting is None:
                waiting = self._waiting[queue_id] = {}
            waiting[call.id] = call.queue_entered_at
            return
        self._stop_waiting(queue_id, call.id)
        if not counted:
            wait = max(0.0, (call.answered_at - call.queue_entered_at).total_seconds())
            threshold, _ = self._thresholds(queue_id, queues)
            self._count(Outcome(call.answered_at, queue_id, Kind.ANSWERED, call.id, wait,
                                wait <= threshold))
        self._calls[call.id] = (queue_id, True)

    def call_ended(self, call: Call, at: datetime | None, queues: Mapping[str, Queue]) -> None:
        """A call ended (``at`` None: the latest time seen)."""
        known = self._calls.pop(call.id, None)
        queue_id = call.queue_id
        if known is not None:
            self._stop_waiting(known[0], call.id)
        if queue_id is None:
            return
        end = at or self._latest
        if call.answered_at is not None:
            if call.employee_id is not None:
                self._last_queue[call.employee_id] = queue_id
            handle = max(0.0, (end - call.answered_at).total_seconds())
            self._count(Outcome(end, queue_id, Kind.HANDLED, call.id, handle))
            return
        wait = max(0.0, (end - call.queue_entered_at).total_seconds())
        threshold, short = self._thresholds(queue_id, queues)
        kind = Kind.SHORT if wait < short else Kind.ABANDONED
        self._count(Outcome(end, queue_id, kind, call.id, wait, wait <= threshold))

    def _stop_waiting(self, queue_id: str, call_id: str) -> None:
        waiting = self._waiting.get(queue_id)
        if waiting is not None:
            waiting.pop(call_id, None)

    # -- agents ------------------------------------------------------------------------------
    def agent_changed(self, agent: Agent | None, employee_id: str) -> None:
        """An agent's state changed (None: the manager is gone)."""
        old = self._agents.pop(employee_id, None)
        if old is not None:
            for queue_id in old.queues:
                self._states[queue_id][old.state] -= 1
            if old.queues:
                self._everyone[old.state] -= 1
            if old.state is AgentState.WRAP_UP and (
                    agent is None or agent.state is not AgentState.WRAP_UP
                    or agent.since != old.since):
                self._wrapup_ended(old, agent.since if agent is not None else self._latest)
        if agent is None:
            return
        self._agents[employee_id] = agent
        if agent.queues:
            self._everyone[agent.state] += 1
        for queue_id in agent.queues:
            states = self._states.get(queue_id)
            if states is None:
                states = self._states[queue_id] = Counter()
            states[agent.state] += 1

    def _wrapup_ended(self, agent: Agent, end: datetime) -> None:
        queue_id = self._last_queue.get(agent.employee_id)
        if queue_id is None and len(agent.queues) == 1:
            queue_id = agent.queues[0]
        if queue_id is None:
            return
        seconds = max(0.0, (end - agent.since).total_seconds())
        self._count(Outcome(end, queue_id, Kind.WRAPUP,
                            f"{agent.employee_id}@{agent.since.isoformat()}", seconds))

    # -- a whole new picture ------------------------------------------------------------------
    def reset_live(self, calls: Iterable[Call], agents: Iterable[Agent],
                   seed: MetricsSeed | None, at: datetime | None) -> None:
        """A snapshot: the live indexes rebuilt from it. Its answered calls count as counted
        (before the snapshot, or by the server whose ``seed`` replaces the tallies)."""
        if seed is not None:  # the sender's count, exactly: its day, its window's edge
            self._latest = seed.latest or at or self._latest
        elif at is not None and at > self._latest:
            self._latest = at
        if seed is not None:
            self._day_start = seed.day_start
            self._next_reset = seed.next_reset or EPOCH
            self._day = {q: _Tally.of(t) for q, t in seed.day.items()}
            self._minutes = {m: {q: _Tally.of(t) for q, t in per.items()}
                             for m, per in seed.minutes.items()}
        self._calls, self._waiting = {}, {}
        for call in calls:
            if call.queue_id is None:
                continue
            self._calls[call.id] = (call.queue_id, call.answered_at is not None)
            if call.answered_at is None:
                self._waiting.setdefault(call.queue_id, {})[call.id] = call.queue_entered_at
        self._agents, self._states, self._everyone = {}, {}, Counter()
        for agent in agents:
            self.agent_changed(agent, agent.employee_id)

    def seed(self) -> MetricsSeed:
        return MetricsSeed(
            day_start=self._day_start, next_reset=self._next_reset, latest=self._latest,
            day={q: t.frozen() for q, t in self._day.items()},
            minutes={m: {q: t.frozen() for q, t in per.items()}
                     for m, per in self._minutes.items()})

    def load(self, outcomes: Iterable[Outcome]) -> int:
        """The store's outcomes of the day, counted unless already counted; then stop
        remembering. How many were new."""
        seen = self._seen
        new = 0
        for outcome in sorted(outcomes, key=lambda o: o.at):
            if seen is not None and (outcome.kind, outcome.key) in seen:
                continue
            self._count(outcome, record=False)
            new += 1
        self._seen = None
        return new

    def forget_seen(self) -> None:
        """No store will be loaded: stop remembering what was counted."""
        self._seen = None

    @property
    def day_start(self) -> datetime:
        return self._day_start

    # -- reading -----------------------------------------------------------------------------
    def view(self, now: datetime, queues: Mapping[str, Queue]) -> MetricsView:
        """Every queue's figures at ``now`` (computed from the tallies: microseconds per
        queue, whatever the day's volume)."""
        self.roll(now)
        formula = self.settings.formula
        lowest = minute_of(now) - self.settings.window_minutes
        recent: dict[str, _Tally] = {}
        for minute, per_queue in self._minutes.items():
            if minute <= lowest:
                continue
            for queue_id, tally in per_queue.items():
                mine = recent.get(queue_id)
                if mine is None:
                    mine = recent[queue_id] = _Tally()
                mine.add(tally)
        ids = list(queues) + sorted(
            (set(self._day) | set(recent) | set(self._waiting)) - set(queues))
        out: dict[str, QueueFigures] = {}
        day_total, recent_total = _Tally(), _Tally()
        waiting_total, longest_total = 0, 0.0
        for queue_id in ids:
            day = self._day.get(queue_id) or _Tally()
            window = recent.get(queue_id) or _Tally()
            day_total.add(day)
            recent_total.add(window)
            waiting = self._waiting.get(queue_id, {})
            longest = max(((now - since).total_seconds() for since in waiting.values()),
                          default=0.0)
            waiting_total += len(waiting)
            longest_total = max(longest_total, longest)
            queue = queues.get(queue_id)
            out[queue_id] = QueueFigures(
                queue_id=queue_id, name=queue.name if queue else queue_id,
                day=figures(day, formula), recent=figures(window, formula),
                waiting=len(waiting), longest_wait=max(0.0, longest),
                callbacks=queue.callbacks_waiting if queue else 0,
                agents=count_states(self._states.get(queue_id, {})))
        total = QueueFigures(
            queue_id=None, name=Sentence(N_("All queues")), day=figures(day_total, formula),
            recent=figures(recent_total, formula), waiting=waiting_total,
            longest_wait=max(0.0, longest_total),
            callbacks=sum(q.callbacks_waiting for q in queues.values()),
            agents=count_states(self._everyone))
        return MetricsView(at=now, day_start=self._day_start, queues=out, total=total)

    def drain(self) -> list[Outcome]:
        """The outcomes counted since the last drain (the recorder writes them)."""
        if not self.journal:
            return []
        out, self.journal = self.journal, []
        return out


def window_start(now: datetime, minutes: int) -> datetime:
    """Where the recent window begins at ``now``: the start of the minute ``minutes - 1``
    whole minutes before the current one."""
    first = minute_of(now) - minutes + 1
    return EPOCH + timedelta(minutes=first)
