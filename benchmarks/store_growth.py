"""How fast the SQLite store grows: bytes per call, per status change, per million events.

    python benchmarks/store_growth.py                      # 200 calls, 20 events/s, 30 min
    python benchmarks/store_growth.py --minutes 120 --rate 50

The demo call center runs on a simulated clock (as fast as the machine goes), and the real
recorder writes what changed into a SQLite file every simulated half second, as it does
under ``wallboard serve``. At the end the space of each table with its indexes is read
from SQLite's ``dbstat`` (pages in use, after a checkpoint), and divided by what it holds:

- a call: its row in wb_calls and its changes in wb_call_changes (created, answered,
  held, ..., ended, each with the whole call as JSON for replay);
- a status change: its interval in wb_statuses;
- a million events: the whole file's pages in use per million source events (calls'
  changes and accounts' status changes alike).

The figures go to docs/store.md (sizing). No budget: the exit status is 0 unless the run
fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallboard.core.clock import ManualClock  # noqa: E402
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.sources.demo import DemoCallCenter  # noqa: E402
from wallboard.store import Recorder, open_store  # noqa: E402

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
STEP = 0.5
"""Simulated seconds between two writes: the recorder's flush interval."""


async def record(path: Path, calls: int, rate: float, minutes: float, seed: int) -> Counter[str]:
    clock = ManualClock(T0)
    center = DemoCallCenter(T0, seed=seed, calls=calls, events_per_second=rate)
    state = LiveState()
    store = open_store(str(path))
    recorder = Recorder(store, clock, state.snapshot)
    snapshot = center.snapshot()
    state.apply(snapshot)
    await recorder.start([(T0, [snapshot])])
    if not recorder.leading:
        raise SystemExit("the recorder did not start")
    counts: Counter[str] = Counter()
    for _ in range(int(minutes * 60 / STEP)):
        clock.advance(STEP)
        now = clock.now()
        effective = [event for event in center.advance(now) if state.apply(event)]
        for event in effective:
            match event:
                case CallUpserted() | CallEnded():
                    counts["call events"] += 1
                case AccountStatusChanged():
                    counts["status changes"] += 1
                case _:
                    counts["other events"] += 1
        recorder.record(effective, now)
        await recorder.tick()
    await recorder.aclose()
    store.close()
    return counts


def space(path: Path) -> tuple[dict[str, int], dict[str, int], int]:
    """(bytes in use per table, indexes included; rows per table; the file's bytes)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owner = dict(db.execute("SELECT name, tbl_name FROM sqlite_schema"))
        used: dict[str, int] = {}
        for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            used[table] = used.get(table, 0) + int(size)
        rows = {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("wb_calls", "wb_call_changes", "wb_statuses")}
    return used, rows, path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="live calls at once")
    parser.add_argument("--rate", type=float, default=20, help="call events per second")
    parser.add_argument("--minutes", type=float, default=30, help="simulated minutes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallboard-bench-") as folder:
        path = Path(folder) / "history.sqlite3"
        started = time.perf_counter()
        counts = asyncio.run(record(path, args.calls, args.rate, args.minutes, args.seed))
        took = time.perf_counter() - started
        used, rows, size = space(path)
    events = sum(counts.values())
    calls_bytes = used.get("wb_calls", 0) + used.get("wb_call_changes", 0)
    status_bytes = used.get("wb_statuses", 0)
    total = sum(used.values())
    print(f"the demo, {args.calls:,} live calls at {args.rate:g} call events/s, "
          f"{timedelta(minutes=args.minutes)} simulated (recorded in {took:.0f} s):")
    print(f"  events: {events:,} ({counts['call events']:,} call events, "
          f"{counts['status changes']:,} status changes, {counts['other events']:,} other)")
    print(f"  rows: {rows['wb_calls']:,} calls, {rows['wb_call_changes']:,} call changes, "
          f"{rows['wb_statuses']:,} status intervals")
    for table, bytes_ in sorted(used.items(), key=lambda item: -item[1]):
        print(f"  {table:22} {bytes_ / 1e6:8.2f} MB with its indexes")
    print(f"  the file: {size / 1e6:.2f} MB ({total / 1e6:.2f} MB in use)")
    print(f"per call: {calls_bytes / rows['wb_calls']:,.0f} bytes "
          f"({rows['wb_call_changes'] / rows['wb_calls']:.1f} changes each); "
          f"per status change: {status_bytes / rows['wb_statuses']:,.0f} bytes; "
          f"per million events: {total / events:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
