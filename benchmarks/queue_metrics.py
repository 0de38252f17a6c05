"""What the queue figures cost per event, on a day that has seen 20,000 calls.

    python benchmarks/queue_metrics.py
    python benchmarks/queue_metrics.py --calls 20000 --events 30000 --rounds 5

A LiveState with 8 queues first takes a whole day of queue calls (each joins, is answered
or abandoned, and ends; agents go through wrap-up), then the same mix of events again,
timed: applied to a LiveState that counts the figures and, side by side in the same run,
to one whose figures engine does nothing. The difference per event is what the figures
cost. The budget: under 50 µs an event. Also shown, for scale: recounting the day from its
outcomes (what one event would cost if figures were recounted), and reading every queue's
figures once (what a frame costs). Exit status 1 when the budget is missed.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallboard.core.events import (  # noqa: E402
    AgentChanged,
    CallEnded,
    CallUpserted,
    Event,
    Snapshot,
)
from wallboard.core.metrics import QueueMetrics  # noqa: E402
from wallboard.core.models import Call, CallStatus, CallType  # noqa: E402
from wallboard.core.queues import Agent, AgentState, Queue  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402

BUDGET_US = 50.0
QUEUES = tuple(Queue(id=f"q{n}", name=f"Queue {n}") for n in range(8))
START = datetime(2026, 3, 24, 6, 0, tzinfo=UTC)


class Idle(QueueMetrics):
    """A figures engine that does nothing: the baseline."""

    def call_changed(self, *args: object) -> None:  # type: ignore[override]
        pass

    def call_ended(self, *args: object) -> None:  # type: ignore[override]
        pass

    def agent_changed(self, *args: object) -> None:  # type: ignore[override]
        pass


def day(calls: int, seed: int, first: int = 0) -> list[Event]:
    """``calls`` queue calls spread over 12 hours: join, answer (85 %) or abandon, end;
    the agent's wrap-up after an answered call."""
    rng = random.Random(seed)
    events: list[Event] = []
    span = 12 * 3600 / calls
    for n in range(first, first + calls):
        joined = START + timedelta(seconds=n * span)
        queue = QUEUES[n % len(QUEUES)].id
        call = Call(id=f"c{n}", type=CallType.INCOMING, status=CallStatus.RINGING,
                    created_at=joined, queue_id=queue)
        events.append(CallUpserted(call=call))
        wait = rng.uniform(1, 60)
        end = joined + timedelta(seconds=wait + rng.uniform(30, 400))
        agent = f"a{n % 200}"
        if rng.random() < 0.85:
            answered = joined + timedelta(seconds=wait)
            events.append(CallUpserted(call=call.model_copy(update={
                "status": CallStatus.TALKING, "answered_at": answered, "employee_id": agent,
                "revision": 1})))
            events.append(AgentChanged(agent=Agent(employee_id=agent,
                                                   state=AgentState.ON_CALL,
                                                   since=answered, queues=(queue,))))
            events.append(CallEnded(call_id=call.id, at=end))
            events.append(AgentChanged(agent=Agent(employee_id=agent, state=AgentState.WRAP_UP,
                                                   since=end, queues=(queue,))))
        else:
            events.append(CallEnded(call_id=call.id, at=joined + timedelta(seconds=wait)))
    return events


def loaded(engine: QueueMetrics, calls: int) -> LiveState:
    state = LiveState()
    state.metrics = engine
    state.apply(Snapshot(queues=QUEUES, at=START))
    state.apply_all(day(calls, seed=1))
    return state


def timed(state: LiveState, events: list[Event]) -> float:
    """Seconds to apply ``events`` (the collector paused, as on a quiet loop)."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        apply = state.apply
        for event in events:
            apply(event)
        return time.perf_counter() - started
    finally:
        gc.enable()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    costs, ratios = [], []
    for round_ in range(options.rounds):
        counted = loaded(QueueMetrics(), options.calls)
        idle = loaded(Idle(), options.calls)
        more = day(options.events // 5, seed=100 + round_, first=options.calls)[:options.events]
        with_figures = timed(counted, more)
        without = timed(idle, more)
        per_event = (with_figures - without) / len(more) * 1e6
        costs.append(per_event)
        ratios.append(with_figures / without)
    engine = counted.metrics
    now = max(e.at for e in more if isinstance(e, CallEnded) and e.at is not None)
    view_times = []
    gc.collect()
    gc.disable()
    for _ in range(20):
        started = time.perf_counter()
        engine.view(now, counted.queues)
        view_times.append(time.perf_counter() - started)
    gc.enable()
    outcomes = engine.drain()
    recount_times = []
    for _ in range(3):
        started = time.perf_counter()
        fresh = QueueMetrics()
        fresh.load(outcomes)
        fresh.view(now, counted.queues)
        recount_times.append(time.perf_counter() - started)
    cost = statistics.median(costs)
    recount = statistics.median(recount_times)
    view = statistics.median(view_times)
    print(f"queue figures, {options.calls:,} calls in the day ({len(outcomes):,} outcomes), "
          f"{options.rounds} rounds of {len(more):,} events:")
    print(f"  figures per event            {cost:8.2f} µs  (budget {BUDGET_US:.0f} µs; "
          f"rounds {', '.join(f'{c:.2f}' for c in costs)})")
    print(f"  apply with / without figures {statistics.median(ratios):8.2f} x")
    print(f"  recounting the day instead   {recount * 1e6:8.0f} µs  "
          f"({recount * 1e6 / max(cost, 0.01):,.0f} x one event's figures)")
    print(f"  every queue's figures (view) {view * 1e6:8.0f} µs")
    if cost >= BUDGET_US:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
