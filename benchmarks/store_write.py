"""Where recording's time goes, part by part, in one process on a simulated clock.

    python benchmarks/store_write.py                 # 5 simulated minutes, each way
    python benchmarks/store_write.py --minutes 3

The demo call center (1,000 live calls, 50 call events/s, seed 7, as in
``store_recording.py``) runs second by second as fast as the machine goes; the real
recorder records into a SQLite file: its changes on the event loop every second, a journal
line every second on the store's thread, and the tables written at the end of each
simulated minute, as ``wallboard serve`` does. Printed per simulated minute:

- the event loop's part (``Recorder.record``: changes into rows, and the queue outcomes
  the service hands the recorder each second, as ``serve`` does), the journal lines' and
  the table write's, all three timed where they run;
- the table write's statements, each with its rows and time;
- the garbage collector's passes that started inside the table write, and their time.

The whole run is done twice, alternately: as the recorder is, with the collector held off
while the tables are written (``wallboard.heap.paused``), and with the collector left on,
so the effect of the pause is measured side by side. No budget (``store_recording.py`` has
the budget): the exit status is 0 unless the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.sources.demo import DemoCallCenter  # noqa: E402
from wallboard.store import Recorder, open_store, writes  # noqa: E402
from wallboard.store import recorder as recorder_module  # noqa: E402
from wallboard.store.queues import outcome_ops  # noqa: E402

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CALLS, RATE, SEED = 1000, 50.0, 7


@dataclass
class Tally:
    record: float = 0.0
    beats: float = 0.0
    applies: float = 0.0
    """The minutes' table writes, their commits included."""
    write: float = 0.0
    """Of which ``write_batch``: the rows and statements."""
    statements: dict[str, float] = field(default_factory=lambda: collections.defaultdict(float))
    rows: collections.Counter[str] = field(default_factory=collections.Counter)
    passes: int = 0
    pass_seconds: float = 0.0


class Probe:
    """Times the recorder's parts where they run (wrapping, not changing, them)."""

    def __init__(self) -> None:
        self.tally = Tally()
        self._writing = False
        self._pass_started = 0.0
        self._patched: list[tuple[Any, str, Any]] = []

    def _wrap(self, owner: Any, name: str, wrapper: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._patched.append((owner, name, original))
        setattr(owner, name, wrapper(original))

    def _timed(self, slot: str) -> Callable[[Any], Any]:
        def wrapper(original: Any) -> Any:
            def run(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent = time.perf_counter() - started
                    setattr(self.tally, slot, getattr(self.tally, slot) + spent)
            return run
        return wrapper

    def _write_batch(self, original: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            self._writing = True
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.tally.write += time.perf_counter() - started
                self._writing = False
        return run

    def _statement(self, name: str) -> Callable[[Any], Any]:
        def wrapper(original: Any) -> Any:
            def count(connection: Any, rows: list[Any]) -> int:
                started = time.perf_counter()
                try:
                    return int(original(connection, rows))
                finally:
                    self.tally.statements[name] += time.perf_counter() - started
                    self.tally.rows[name] += len(rows)
            return count
        return wrapper

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        if not self._writing:
            return
        if phase == "start":
            self._pass_started = time.perf_counter()
            self.tally.passes += 1
        else:
            self.tally.pass_seconds += time.perf_counter() - self._pass_started

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        self._wrap(Recorder, "record", self._timed("record"))
        self._wrap(Recorder, "beat", self._timed("beats"))
        self._wrap(recorder_module, "write_batch", self._write_batch)
        for name, statement in vars(writes).items():
            if isinstance(statement, writes.Statement):
                self._wrap(statement, "tuples", self._statement(name))
        gc.callbacks.append(self._collection)
        try:
            yield
        finally:
            gc.callbacks.remove(self._collection)
            for owner, name, original in reversed(self._patched):
                setattr(owner, name, original)


async def run(minutes: int, pause: bool) -> Tally:
    probe = Probe()
    with tempfile.TemporaryDirectory() as folder, probe.installed(), \
            _collector_during_write(pause):
        clock = ManualClock(T0)
        center = DemoCallCenter(T0, seed=SEED, calls=CALLS, events_per_second=RATE)
        state = LiveState()
        store = open_store(str(Path(folder) / "history.sqlite3"))
        gc.freeze()  # as ``serve`` does once the store is open (wallboard/service/service.py)
        recorder = Recorder(store, clock, state.snapshot)
        snapshot = center.snapshot()
        state.apply(snapshot)
        await recorder.start([(T0, [snapshot])])
        if not recorder.leading:
            raise SystemExit("store_write: the recorder did not start")
        await recorder.flush()  # the first picture's rows are not a minute's
        probe.tally = Tally()
        for second in range(minutes * 60):
            clock.advance(1.0)
            now = clock.now()
            recorder.record([e for e in center.advance(now) if state.apply(e)], now)
            started = time.perf_counter()  # the queue outcomes, handed over as serve does
            recorder.add(outcome_ops(state.metrics.drain()))
            probe.tally.record += time.perf_counter() - started
            if second % 60 == 59:
                before = probe.tally.beats
                await recorder.flush()  # the minute's table write: a beat that applies
                probe.tally.applies += probe.tally.beats - before
                probe.tally.beats = before
            else:
                await store.do(recorder.beat)  # the second's journal line
        tally = probe.tally
        await recorder.aclose()
        store.close()
    gc.unfreeze()  # the next run starts from the same heap
    return tally


@contextlib.contextmanager
def _collector_during_write(pause: bool) -> Iterator[None]:
    if pause:
        yield
        return
    original = recorder_module.paused
    recorder_module.paused = contextlib.nullcontext  # type: ignore[assignment]
    try:
        yield
    finally:
        recorder_module.paused = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=5, help="simulated minutes per run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each way")
    options = parser.parse_args()
    results: dict[bool, list[Tally]] = {True: [], False: []}
    for _ in range(options.rounds):
        for pause in (True, False):
            results[pause].append(asyncio.run(run(options.minutes, pause)))
    per_minute = 1000 / options.minutes
    print(f"recording the demo ({CALLS:,} live calls, {RATE:g} call events/s) into a SQLite "
          f"file, {options.minutes} simulated minutes a run, {options.rounds} runs each way; "
          "ms per simulated minute (median of the runs):")
    for pause in (True, False):
        tallies = results[pause]

        def median(part: Callable[[Tally], float], tallies: list[Tally] = tallies) -> float:
            return statistics.median(part(t) for t in tallies) * per_minute

        label = "collector held off during the write (as recorded)" if pause else \
            "collector on during the write"
        print(f"  {label}:")
        print(f"    event loop, changes into rows      {median(lambda t: t.record):6.1f}")
        passes = statistics.median(t.passes for t in tallies) / options.minutes
        print(f"    store thread, journal lines        {median(lambda t: t.beats):6.1f}")
        print(f"    store thread, the table write      {median(lambda t: t.applies):6.1f}"
              f"  (its rows and statements {median(lambda t: t.write):.1f}, in which"
              f" {passes:.0f} collector passes took {median(lambda t: t.pass_seconds):.1f})")
    print("  the table write's statements, as recorded (ms and rows per simulated minute):")
    last = results[True][-1]
    for name, seconds in sorted(last.statements.items(), key=lambda item: -item[1]):
        print(f"    {name:18s} {seconds * per_minute:6.1f} ms  "
              f"{last.rows[name] / options.minutes:7,.0f} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
