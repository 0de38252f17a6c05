"""The whole Asterisk path: a board following ``serve`` fed by ARI, against its baseline.

    python benchmarks/ari_board.py            # the README's figures (about 1½ minutes)
    python benchmarks/ari_board.py --quick    # 2 windows of 8 s

Issue 19's third budget. Four processes run side by side in one run:

- the fake ARI (``tests/sources/ari/run_fake.py``), keeping --calls concurrent calls and
  sending --rate ARI events per second;
- ``wallboard serve`` on it (the ARI source, loopback, no token);
- the board, ``wallboard --url <serve>``, in a pty of 160x45;
- the baseline, ``benchmarks/baseline_board.py --url <serve>`` (a Textual DataTable updated
  cell by cell once a second, through the same feed client), in a pty of 160x45.

Both boards follow the same serve, so they get the same rows and the same events, at the
same size, at the same time (a busy machine weighs on both alike). After both painted a
call row and a warm-up, --rounds windows are measured: each process's CPU from /proc,
the bytes each board wrote, the ARI events the fake sent (its /fake/stats) and the feed
events the serve published (its snapshot's ``seq``). Means over the windows together.
A floor runs beside them: the feed client applying the same events to a LiveState, with
no UI (what both boards do before they draw); it says how much of the budget is left for
drawing.

Budget (exit status 1 if missed): the board's CPU at most 1/5 of the baseline's, the live
board's CPU budget in ``benchmarks/board_pty.py``. The serve's and the fake's CPU are
reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.board_pty import BUDGETS, Run, launch, pump  # noqa: E402

CPU_BUDGET = BUDGETS["cpu"]
TICKS = os.sysconf("SC_CLK_TCK")
NAMES = ("board", "baseline", "floor", "serve", "fake")
BASELINE = ROOT / "benchmarks" / "baseline_board.py"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def start_fake(folder: Path, calls: int, rate: float) -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sources.ari.run_fake", "--calls", str(calls), "--rate",
         str(rate), "--dir", str(folder / "fake")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=open(folder / "fake.log", "w"), text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit(f"ari_board: the fake ARI did not start; see {folder / 'fake.log'}")
    return proc, json.loads(line)


def start_serve(folder: Path, config: str, port: int) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "wallboard", "--config", config, "serve", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(folder / "serve.log", "w"),
        env={**environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)


def snapshot(url: str) -> dict:
    return httpx.get(f"{url}/v1/snapshot", timeout=30).json()


def wait_live(url: str, serve: subprocess.Popen[str], calls: int, folder: Path) -> None:
    """Until the serve shows (nearly) all the fake's calls."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            raise SystemExit(f"ari_board: serve exited; see {folder / 'serve.log'}")
        try:
            if len(snapshot(url)["calls"]) >= calls * 0.9:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"ari_board: serve never showed the calls; see {folder / 'serve.log'}")


def end(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def measure(calls: int, rate: float, rounds: int, seconds: float, warmup: float,
            folder: Path) -> dict[str, float]:
    fake, info = start_fake(folder, calls, rate)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = start_serve(folder, info["config"], port)
    boards: dict[str, Run] = {}
    floor: subprocess.Popen[bytes] | None = None
    try:
        wait_live(url, serve, calls, folder)
        boards = {"board": launch([sys.executable, "-m", "wallboard", "--url", url]),
                  "baseline": launch([sys.executable, str(BASELINE), "--url", url])}
        floor = subprocess.Popen([sys.executable, "-c", FLOOR, url], cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)},
                                 stdout=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while any(r.first_row_at is None for r in boards.values()):
            if time.monotonic() > deadline:
                late = [n for n, r in boards.items() if r.first_row_at is None]
                raise SystemExit(f"ari_board: no call row on screen after 60 s: {late}")
            pump(list(boards.values()), 0.2)
        pump(list(boards.values()), warmup)
        pids = {"board": boards["board"].proc.pid, "baseline": boards["baseline"].proc.pid,
                "floor": floor.pid, "serve": serve.pid, "fake": fake.pid}
        totals = {f"{n}_cpu": 0.0 for n in NAMES} | {
            "board_bytes": 0.0, "baseline_bytes": 0.0, "seconds": 0.0, "ari_events": 0.0,
            "feed_events": 0.0, "calls_seen": 0.0}
        for i in range(1, rounds + 1):
            before = {n: cpu_seconds(p) for n, p in pids.items()}
            written = {n: r.total_bytes for n, r in boards.items()}
            ari0, seq0, t0 = stats(info["url"]), snapshot(url)["seq"], time.monotonic()
            pump(list(boards.values()), seconds)
            after = {n: cpu_seconds(p) for n, p in pids.items()}
            wall = time.monotonic() - t0
            body = snapshot(url)
            ari, feed = stats(info["url"]) - ari0, body["seq"] - seq0
            used = {n: after[n] - before[n] for n in NAMES}
            for n in NAMES:
                totals[f"{n}_cpu"] += used[n]
            for n, r in boards.items():
                totals[f"{n}_bytes"] += r.total_bytes - written[n]
            totals["seconds"] += wall
            totals["ari_events"] += ari
            totals["feed_events"] += feed
            totals["calls_seen"] = max(totals["calls_seen"], len(body["calls"]))
            print(f"  window {i}: CPU % board {used['board'] / wall * 100:5.2f}, baseline "
                  f"{used['baseline'] / wall * 100:5.2f} (ratio "
                  f"{used['board'] / used['baseline']:.3f}), floor "
                  f"{used['floor'] / wall * 100:5.2f}; serve "
                  f"{used['serve'] / wall * 100:5.1f}, fake {used['fake'] / wall * 100:5.1f}; "
                  f"{ari / wall:.0f} ARI events/s, {feed / wall:.0f} feed events/s",
                  flush=True)
    finally:
        for run in boards.values():
            run.stop()
        if floor is not None:
            end(floor)
        end(serve)
        end(fake)
    return totals


FLOOR = """
import asyncio, sys
from wallboard.config import FeedSource
from wallboard.core.state import LiveState
from wallboard.sources.feed import FeedClient

async def follow():
    state = LiveState()
    async for batch in FeedClient(FeedSource(url=sys.argv[1])).events():
        state.apply_all(batch)

asyncio.run(follow())
"""
"""What every board following the serve does before drawing anything: the feed client
(HTTP, SSE, JSON, events) applied to a LiveState. No UI."""


def stats(url: str) -> int:
    return int(httpx.get(f"{url}/fake/stats", timeout=10).json()["events_sent"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 windows of 8 s")
    parser.add_argument("--calls", type=int, default=500, help="concurrent calls")
    parser.add_argument("--rate", type=float, default=200, help="ARI events per second")
    parser.add_argument("--rounds", type=int, default=3, help="measured windows")
    parser.add_argument("--seconds", type=float, default=20, help="length of each window")
    parser.add_argument("--warmup", type=float, default=8, help="seconds before measuring")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.seconds, options.warmup = 2, 8, 4
    print(f"the whole path: fake ARI ({options.calls} calls, {options.rate:g} ARI events/s) -> "
          "wallboard serve -> the board and the DataTable baseline, each in a 160x45 pty, at "
          f"the same time; {options.rounds} windows of {options.seconds:g} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="ari-board-") as tmp:
        t = measure(options.calls, options.rate, options.rounds, options.seconds,
                    options.warmup, Path(tmp))
    wall = t["seconds"]
    pct = {n: t[f"{n}_cpu"] / wall * 100 for n in NAMES}
    ratio = t["board_cpu"] / t["baseline_cpu"]
    ari_rate, feed_rate = t["ari_events"] / wall, t["feed_events"] / wall
    print(f"  means over {wall:.0f} s: board {pct['board']:.2f} % of a core, baseline "
          f"{pct['baseline']:.2f} % (ratio {ratio:.3f}); serve {pct['serve']:.1f} %, fake ARI "
          f"{pct['fake']:.1f} %; bytes/s board {t['board_bytes'] / wall:.0f}, baseline "
          f"{t['baseline_bytes'] / wall:.0f}; {t['calls_seen']:.0f} calls on the serve")
    above = {n: pct[n] - pct["floor"] for n in ("board", "baseline")}
    print(f"  the floor, the feed client and the live state without a UI (both boards do "
          f"that much): {pct['floor']:.2f} % = {pct['floor'] / pct['baseline']:.2f} of the "
          f"baseline; above it, board {above['board']:.2f} %, baseline "
          f"{above['baseline']:.2f} % (ratio {above['board'] / above['baseline']:.3f})")

    print("\nREADME:")
    print(f"| the whole path: a board following `serve` fed by ARI, {options.calls} calls, "
          f"{ari_rate:.0f} ARI events/s ({feed_rate:.0f} feed events/s), 160x45, CPU mean over "
          f"{wall:.0f} s | ≤ 1/{round(1 / CPU_BUDGET)} of the baseline | **{pct['board']:.1f} % "
          f"= {ratio:.2f}** (baseline {pct['baseline']:.1f} % of a core) | "
          "`benchmarks/ari_board.py` |")
    print(f"| same run: `serve` on ARI / the fake ARI generating the events | — | "
          f"**{pct['serve']:.1f} % / {pct['fake']:.1f} %** of a core | `benchmarks/ari_board.py` |")

    verdict = "ok" if ratio <= CPU_BUDGET else "MISSED"
    print(f"\nbudget:\n  CPU  {ratio:.3f} of the baseline  {verdict} (budget "
          f"1/{round(1 / CPU_BUDGET)})")
    if ratio > CPU_BUDGET:
        print("ari_board: budget missed: cpu", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
