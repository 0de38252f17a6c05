"""The live board against its baseline, side by side in one run, in real pseudo-terminals.

    python benchmarks/board_pty.py            # the README's figures (about 3 minutes)
    python benchmarks/board_pty.py --quick    # shorter windows, fewer launches

The board is ``wallboard --demo``; the baseline is ``benchmarks/baseline_board.py``, the
same board built the plain way (a Textual DataTable updated cell by cell once a second,
and the queues strip as a second DataTable of the same queues and figures) on the same
demo source. Both run in ptys of 160x45; everything they write is read and
counted, and /proc gives their CPU time and memory.

1. Steady state, 1,000 calls at 20 call events/s: the two processes run at the same time
   (so a busy or slow machine weighs on both alike), for --rounds windows after a warm-up
   of WARMUP seconds. The demo's first half-minute is its start-up, not its steady state:
   with a 6 s warm-up, the first window (6-26 s) measured 0.183 of the baseline's bytes in
   three runs of the seeded demo, and the five windows after it 0.150-0.162.
   Bytes written and CPU are totals over each window divided by its length (means, so a
   periodic spike counts in full). Ratio = board / baseline, over all windows together.
2. First paint of 5,000 calls: launch to the first frame that shows a call row, the board
   and the baseline launched alternately; ratio of the medians. The CPU time each process
   had used by then is printed too: on a crowded machine the wall-clock ratio wanders, the
   CPU ratio much less. So is the floor: a bare Textual app on the same demo, showing one
   line as soon as the demo's snapshot is in.
3. Where the board's first paint goes, from launches of the board with timestamps:
   starting Python, importing the board's modules, the demo building its call center
   (a 5,000-call demo builds 6,500 managers), and the app from its start to the first row.

Budgets (exit status 1 if one is missed): bytes at most 1/6 of the baseline's, CPU at most
1/5, first paint at most 1/3. Goals, reported but not enforced: at most 3 KB/s, first
paint at most 1/4.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import json
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ROW_MARK = b"talking"
"""Only a call row shows a status in lower case ('● talking'); the counter says 'Talking'."""

BUDGETS = {"bytes": 1 / 6, "cpu": 1 / 5, "first_paint": 1 / 3}
GOAL_BYTES_PER_S = 3000
WARMUP = 30.0
"""Seconds from launch to the first steady-state window (the demo's start-up is over)."""
GOAL_FIRST_PAINT = 1 / 4


def board_argv(calls: int, events: float | None = None) -> list[str]:
    argv = [sys.executable, "-m", "wallboard", "--demo", "--demo-calls", str(calls),
            "--seed", "7"]
    return argv + (["--demo-events", str(events)] if events is not None else [])


def baseline_argv(calls: int, events: float | None = None) -> list[str]:
    argv = [sys.executable, str(ROOT / "benchmarks" / "baseline_board.py"),
            "--calls", str(calls), "--seed", "7"]
    return argv + (["--events", str(events)] if events is not None else [])


@dataclass
class Run:
    proc: subprocess.Popen[bytes]
    master: int
    started: float
    total_bytes: int = 0
    tail: bytes = b""
    first_row_at: float | None = None
    first_row_cpu: float | None = None

    def read(self) -> None:
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return
        self.total_bytes += len(chunk)
        if self.first_row_at is None:
            self.tail = (self.tail + chunk)[-4096:]
            if ROW_MARK in self.tail:
                self.first_row_at = time.monotonic()
                self.first_row_cpu = self.cpu_seconds()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self) -> float:
        pages = int(Path(f"/proc/{self.proc.pid}/statm").read_text().split()[1])
        return pages * PAGE / 1e6

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def launch(argv: list[str], cols: int = 160, rows: int = 45) -> Run:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull}
    env.pop("TEXTUAL", None)
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    return Run(proc, master, started)


def pump(runs: list[Run], seconds: float) -> None:
    """Read every pty for ``seconds``: a terminal that is not read would block its app."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        by_fd = {run.master: run for run in runs}
        for fd in select.select(list(by_fd), [], [], min(left, 0.05))[0]:
            by_fd[fd].read()


@dataclass
class Window:
    seconds: float = 0.0
    bytes: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def steady(calls: int, events: float, rounds: int, seconds: float,
           warmup: float) -> tuple[list[Window], dict[str, float]]:
    runs = {"board": launch(board_argv(calls, events)),
            "baseline": launch(baseline_argv(calls, events))}
    windows, rss = [], {name: 0.0 for name in runs}
    try:
        pump(list(runs.values()), warmup)
        for name, run in runs.items():
            if run.first_row_at is None:
                raise SystemExit(f"board_pty: the {name} never painted a call row")
        for _ in range(rounds):
            before = {n: (r.total_bytes, r.cpu_seconds()) for n, r in runs.items()}
            t0 = time.monotonic()
            pump(list(runs.values()), seconds)
            window = Window(time.monotonic() - t0)
            for name, run in runs.items():
                window.bytes[name] = run.total_bytes - before[name][0]
                window.cpu[name] = run.cpu_seconds() - before[name][1]
                rss[name] = max(rss[name], run.rss_mb())
            windows.append(window)
    finally:
        for run in runs.values():
            run.stop()
    return windows, rss


def first_paint(argv: list[str]) -> tuple[float, float, float]:
    """Seconds from launch to the first call row on screen, the CPU seconds the process
    had used by then, and its memory a second later."""
    run = launch(argv)
    try:
        deadline = time.monotonic() + 30
        while run.first_row_at is None and time.monotonic() < deadline:
            pump([run], 0.05)
        if run.first_row_at is None:
            raise SystemExit(f"board_pty: no call row on screen after 30 s: {argv}")
        assert run.first_row_cpu is not None
        pump([run], 1.0)
        return run.first_row_at - run.started, run.first_row_cpu, run.rss_mb()
    finally:
        run.stop()


PROBE = """
import gc, json, os, sys, time
started = time.monotonic()
out = open(os.environ["BOARD_PTY_PROBE"], "w", buffering=1)
def mark(name, value):
    out.write(json.dumps([name, value]) + "\\n")
mark("python", started)
gc.disable()  # as wallboard.cli's start-up does while it imports
import wallboard.cli, wallboard.factory, wallboard.sources.factory, wallboard.sources.softphone
import wallboard.ui.app, wallboard.sources.demo.source as demo
gc.enable()
mark("imports", time.monotonic())
build = demo.DemoSource.__init__
snapshot = demo.DemoCallCenter.snapshot
def timed(function, name):
    def run(*args, **kwargs):
        t0 = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            mark(name, time.monotonic() - t0)
    return run
demo.DemoSource.__init__ = timed(build, "demo_build")
demo.DemoCallCenter.snapshot = timed(snapshot, "demo_snapshot")
sys.exit(wallboard.cli.main(sys.argv[1:]))
"""
"""``wallboard`` itself, with timestamps: Python started, the board's modules imported (as
``wallboard --demo`` imports them), and how long the demo took to build its call center
and its first snapshot. Nothing of the demo is changed, only timed."""


FLOOR = """
from textual.app import App
from textual.widgets import Static
from wallboard.core.state import LiveState
from wallboard.sources.demo import DemoSource

source = DemoSource(seed=7, calls=5000)


class Floor(App):
    def compose(self):
        yield Static()

    def on_mount(self):
        self.run_worker(self.follow())

    async def follow(self):
        state = LiveState()
        async for batch in source.events():
            state.apply_all(batch)
            self.query_one(Static).update(f"{len(state.calls)} calls, one talking")
            return


Floor().run()
"""
"""The least any Textual board on this demo does before its first row: Python, Textual,
pydantic, the demo's start-up, one widget. What the board adds to its first paint is the
difference."""


def breakdown(calls: int, launches: int) -> dict[str, float]:
    """Where the first paint goes, median over ``launches`` launches of the probe."""
    parts: dict[str, list[float]] = {"python": [], "imports": [], "demo": [], "app": [],
                                     "total": []}
    for _ in range(launches):
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as marks:
            os.environ["BOARD_PTY_PROBE"] = marks.name
            try:
                run = launch([sys.executable, "-c", PROBE, "--demo", "--demo-calls",
                              str(calls), "--seed", "7"])
            finally:
                del os.environ["BOARD_PTY_PROBE"]
            try:
                deadline = time.monotonic() + 30
                while run.first_row_at is None and time.monotonic() < deadline:
                    pump([run], 0.05)
                if run.first_row_at is None:
                    raise SystemExit("board_pty: the probe never painted a call row")
            finally:
                run.stop()
            seen = dict(json.loads(line) for line in marks.read().splitlines())
        total = run.first_row_at - run.started
        demo = seen["demo_build"] + seen["demo_snapshot"]
        parts["python"].append(seen["python"] - run.started)
        parts["imports"].append(seen["imports"] - seen["python"])
        parts["demo"].append(demo)
        parts["app"].append(run.first_row_at - seen["imports"] - demo)
        parts["total"].append(total)
    return {name: statistics.median(values) for name, values in parts.items()}


def spread(values: list[float], digits: int = 2) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 windows of 8 s, 3 launches")
    parser.add_argument("--rounds", type=int, default=3, help="steady-state windows")
    parser.add_argument("--seconds", type=float, default=20, help="length of each window")
    parser.add_argument("--launches", type=int, default=7, help="first paints of each board")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.seconds, options.launches = 2, 8, 3
    # Start-up is measured as installed (pip compiles the package); an editable checkout
    # under PYTHONDONTWRITEBYTECODE would recompile every module on every launch.
    compileall.compile_dir(ROOT / "wallboard", quiet=1)
    compileall.compile_dir(ROOT / "benchmarks", quiet=1)
    failed: list[str] = []

    def verdict(name: str, ratio: float) -> str:
        if ratio > BUDGETS[name]:
            failed.append(name)
            return f"MISSED (budget 1/{round(1 / BUDGETS[name])})"
        return f"ok (budget 1/{round(1 / BUDGETS[name])})"

    print(f"1. steady state: 1,000 calls, 20 call events/s, 160x45; the board and the baseline "
          f"at the same time, {options.rounds} windows of {options.seconds:g} s", flush=True)
    windows, rss = steady(1000, 20, options.rounds, options.seconds, warmup=WARMUP)
    for i, w in enumerate(windows, 1):
        print(f"  window {i}: bytes/s board {w.bytes['board'] / w.seconds:7.0f}, baseline "
              f"{w.bytes['baseline'] / w.seconds:7.0f} (ratio "
              f"{w.bytes['board'] / w.bytes['baseline']:.3f}); CPU % board "
              f"{w.cpu['board'] / w.seconds * 100:5.2f}, baseline "
              f"{w.cpu['baseline'] / w.seconds * 100:5.2f} (ratio "
              f"{w.cpu['board'] / w.cpu['baseline']:.3f})", flush=True)
    total = sum(w.seconds for w in windows)
    rate = {n: sum(w.bytes[n] for w in windows) / total for n in ("board", "baseline")}
    cpu = {n: sum(w.cpu[n] for w in windows) / total * 100 for n in ("board", "baseline")}
    bytes_ratio = rate["board"] / rate["baseline"]
    cpu_ratio = cpu["board"] / cpu["baseline"]

    print(f"2. first paint of 5,000 calls, launch to the first row; {options.launches} "
          "launches of each, alternately", flush=True)
    paints: dict[str, list[float]] = {"board": [], "baseline": [], "floor": []}
    paint_cpu: dict[str, list[float]] = {"board": [], "baseline": [], "floor": []}
    paint_rss: dict[str, list[float]] = {"board": [], "baseline": [], "floor": []}
    floor_argv = [sys.executable, "-c", FLOOR]
    for _ in range(options.launches):
        for name, argv in (("board", board_argv(5000)), ("baseline", baseline_argv(5000)),
                           ("floor", floor_argv)):
            seconds, cpu_used, mb = first_paint(argv)
            paints[name].append(seconds)
            paint_cpu[name].append(cpu_used)
            paint_rss[name].append(mb)
    paint = {n: statistics.median(v) for n, v in paints.items()}
    paint_ratio = paint["board"] / paint["baseline"]
    print(f"  board    {paint['board']:.3f} s (median; {spread(paints['board'])} s)")
    print(f"  baseline {paint['baseline']:.3f} s (median; {spread(paints['baseline'])} s)")
    pairs = [b / a for b, a in zip(paints["board"], paints["baseline"], strict=True)]
    print(f"  ratio of the medians {paint_ratio:.3f}; launch by launch {spread(pairs)}")
    cpu_paint = {n: statistics.median(v) for n, v in paint_cpu.items()}
    print(f"  CPU used by the first row (a check that load does not skew the ratio): board "
          f"{cpu_paint['board']:.2f} s, baseline {cpu_paint['baseline']:.2f} s, ratio "
          f"{cpu_paint['board'] / cpu_paint['baseline']:.3f}")
    floor = statistics.median(paints["floor"])
    print(f"  the floor, a bare Textual app showing one row of the same demo: {floor:.3f} s "
          f"= {floor / paint['baseline']:.3f} of the baseline, CPU {cpu_paint['floor']:.2f} s "
          f"(the board's first paint is {paint['board'] / floor:.2f} of it; the floor is the "
          "least a Textual board on this demo does)")

    print("3. the board's first paint, part by part: the same launch with timestamps "
          f"(medians of {options.launches})", flush=True)
    parts = breakdown(5000, options.launches)
    labels = {"python": "starting Python", "imports": "importing the board's modules",
              "demo": "the demo: 6,500 managers, 5,000 calls",
              "app": "the app, from start to the first row"}
    for key, label in labels.items():
        print(f"  {label:38} {parts[key]:6.3f} s  ({parts[key] / parts['total']:4.0%})")
    print(f"  {'first paint (these launches)':38} {parts['total']:6.3f} s")

    print("\nREADME:")
    print(f"| bytes written to the terminal, 1,000 calls, 20 call events/s, 160x45 | "
          f"≤ 1/6 of the baseline | **{rate['board'] / 1000:.1f} KB/s = {bytes_ratio:.2f}** "
          f"(baseline {rate['baseline'] / 1000:.1f} KB/s) | `benchmarks/board_pty.py` |")
    print(f"| CPU, same run, mean over {total:.0f} s | ≤ 1/5 of the baseline | "
          f"**{cpu['board']:.1f} % = {cpu_ratio:.2f}** (baseline {cpu['baseline']:.1f} % of "
          "a core) | `benchmarks/board_pty.py` |")
    print(f"| first paint of 5,000 calls, launch to the first row | ≤ 1/3 of the baseline | "
          f"**{paint['board']:.2f} s = {paint_ratio:.2f}** (baseline {paint['baseline']:.2f} s)"
          " | `benchmarks/board_pty.py` |")
    print(f"| memory (RSS): 1,000-call run / 5,000-call board | — | **{rss['board']:.0f} MB / "
          f"{statistics.median(paint_rss['board']):.0f} MB** (baseline {rss['baseline']:.0f} / "
          f"{statistics.median(paint_rss['baseline']):.0f} MB) | `benchmarks/board_pty.py` |")
    share = {key: parts[key] / parts["total"] for key in labels}
    print(f"Of the 5,000-call first paint, {share['python']:.0%} is starting Python, "
          f"{share['imports']:.0%} importing the board's modules, {share['demo']:.0%} the demo "
          f"building 6,500 managers and 5,000 calls, and {share['app']:.0%} the app itself, "
          "from its start to the first row.")

    print("\nbudgets:")
    print(f"  bytes        {bytes_ratio:.3f} of the baseline  {verdict('bytes', bytes_ratio)}")
    print(f"  CPU          {cpu_ratio:.3f} of the baseline  {verdict('cpu', cpu_ratio)}")
    print(f"  first paint  {paint_ratio:.3f} of the baseline  "
          f"{verdict('first_paint', paint_ratio)}")
    print("goals (not enforced):")
    print(f"  bytes        {rate['board']:.0f} B/s (goal {GOAL_BYTES_PER_S} B/s): "
          f"{'met' if rate['board'] <= GOAL_BYTES_PER_S else 'not met'}")
    print(f"  first paint  {paint_ratio:.3f} (goal 1/4): "
          f"{'met' if paint_ratio <= GOAL_FIRST_PAINT else 'not met'}")
    if failed:
        print(f"board_pty: budget missed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
