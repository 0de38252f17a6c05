"""What recording costs ``wallboard serve``: its CPU with the store and without, side by side.

    python benchmarks/store_recording.py                 # 6 windows of 30 s
    python benchmarks/store_recording.py --rounds 3 --seconds 20

Two ``wallboard serve --source demo --demo-calls 1000 --demo-events 50`` processes run at
the same time, with the same seed: one with ``[store] url`` a SQLite file, one with
``[store] url = "off"``. After a warm-up (the store opens a second after the first picture)
both processes' CPU (user + system, every thread, from /proc) is read over the same windows.
The windows add up to whole minutes (the default: 6 of 30 s), so the mean holds the same
number of the minute's table writes wherever the windows start.
The budget: recording adds at most 25 % (the mean over the windows). The store's rows are
counted at the end, to show it recorded the load, and the cost is split between the event
loop's thread (turning changes into rows) and the store's thread (SQLite writing them). Exit
status 1 when the budget is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.store_support import ROOT, cpu_over, free_port, stop, verdict  # noqa: E402
from wallboard.store.recorder import FILE_APPLY_SECONDS  # noqa: E402

BUDGET = 1.25


def serve(config: Path, port: int, calls: int, rate: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("WALLBOARD_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "wallboard", "--config", str(config), "serve", "--source",
         "demo", "--port", str(port), "--demo-calls", str(calls), "--demo-events", str(rate),
         "--seed", "7"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()["ready"]:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise SystemExit("a server did not start")


def main_thread_seconds(pid: int) -> float:
    """CPU seconds of a process's main thread (the event loop's), from /proc."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def recorded(path: Path, since_us: int, until_us: int) -> tuple[int, int]:
    """Call changes and status changes recorded in [since_us, until_us)."""
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        changes = db.execute("SELECT count(*) FROM wb_call_changes WHERE at_us >= ? "
                             "AND at_us < ?", (since_us, until_us)).fetchone()[0]
        statuses = db.execute("SELECT count(*) FROM wb_statuses WHERE start_us >= ? "
                              "AND start_us < ?", (since_us, until_us)).fetchone()[0]
    return int(changes), int(statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30, help="length of one window")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wallboard-bench-") as folder:
        history = Path(folder) / "history.sqlite3"
        with_store, without = Path(folder) / "store.toml", Path(folder) / "off.toml"
        with_store.write_text(f'[store]\nurl = "{history}"\n')
        without.write_text('[store]\nurl = "off"\n')
        ports = free_port(), free_port()
        servers = [serve(with_store, ports[0], args.calls, args.rate),
                   serve(without, ports[1], args.calls, args.rate)]
        try:
            for port in ports:
                wait_ready(port)
            time.sleep(args.warmup)
            began_us = time.time_ns() // 1000
            main_before = [main_thread_seconds(s.pid) for s in servers]
            rounds = [cpu_over([s.pid for s in servers], args.seconds)
                      for _ in range(args.rounds)]
            main_used = [main_thread_seconds(s.pid) - b for s, b in zip(servers, main_before,
                                                                         strict=True)]
            elapsed = (time.time_ns() // 1000 - began_us) / 1e6
            stop(servers[0])  # a clean stop applies the recorder's journal to the tables
            changes, statuses = recorded(history, began_us, began_us + round(elapsed * 1e6))
            size = sum(p.stat().st_size for p in Path(folder).glob("history.sqlite3*"))
        finally:
            for server in servers:
                stop(server)

    stored = statistics.mean(r[0] for r in rounds)
    plain = statistics.mean(r[1] for r in rounds)
    ratio = stored / plain
    print(f"wallboard serve, demo {args.calls:,} live calls at {args.rate:g} events/s, "
          f"{args.rounds} windows of {args.seconds:g} s side by side:")
    for n, (a, b) in enumerate(rounds, 1):
        print(f"  window {n}: with the store {a:.1%} of a core, without {b:.1%} "
              f"({a / b - 1:+.0%})")
    print(f"  recorded meanwhile: {changes:,} call changes and {statuses:,} status changes "
          f"({(changes + statuses) / elapsed:.0f}/s); the SQLite file is {size / 1e6:.1f} MB")
    window = args.rounds * args.seconds
    stored_main, plain_main = (used / window for used in main_used)
    print(f"  where it goes: the event loop's thread {stored_main:.2%} of a core with the "
          f"store vs {plain_main:.2%} without ({stored_main - plain_main:+.2%}: turning "
          f"changes into rows); the store's thread {stored - stored_main:.2%} (SQLite writing "
          f"them: a journal line a second, the tables every {FILE_APPLY_SECONDS:g} s)")
    print(f"recording cost: {stored:.1%} of a core with the store vs {plain:.1%} without: "
          f"{ratio - 1:+.0%} (budget +{BUDGET - 1:.0%})  {verdict(ratio <= BUDGET)}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
