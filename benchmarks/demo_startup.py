"""What the demo call center costs before the first frame: 6,500 managers and 5,000 calls.

    python benchmarks/demo_startup.py                      # this tree: CPU ms, medians
    python benchmarks/demo_startup.py --against dc87fe4    # side by side with a revision

Each round starts a fresh Python (as ``wallboard`` does), imports the demo, then times the
CPU spent building ``DemoSource(calls=5000, seed=7)`` and its first snapshot, with the
garbage collector paused as the command line pauses it during start-up. With ``--against``
the given git revision's ``wallboard/`` is exported to a temporary folder and the two trees
run in turn, round after round, so both see the same machine; the script exits non-zero if
this tree is not at most ``--budget`` of the other (default 0.85).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = r"""
import gc, sys, time
from datetime import datetime, timezone
from wallboard.core.clock import ManualClock
from wallboard.sources.demo import DemoSource
clock = ManualClock(datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc))
calls = int(sys.argv[1])
gc.disable()
t = time.process_time()
source = DemoSource(clock=clock, seed=7, calls=calls)
snapshot = source.center.snapshot()
elapsed = time.process_time() - t
print(elapsed, len(snapshot.employees), len(snapshot.calls))
"""


def run_once(tree: Path, calls: int) -> tuple[float, int, int]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(calls)], cwd=tree, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(tree)})
    seconds, employees, live = out.stdout.split()
    return float(seconds), int(employees), int(live)


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", revision, "wallboard"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--against", metavar="REV", help="a git revision to compare with")
    parser.add_argument("--budget", type=float, default=0.85,
                        help="with --against: the largest allowed ratio this / REV")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT}
        if args.against:
            trees[args.against] = export(args.against, Path(tmp))
        times: dict[str, list[float]] = {name: [] for name in trees}
        sizes = {}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                seconds, employees, live = run_once(tree, args.calls)
                times[name].append(seconds)
                sizes[name] = (employees, live)
    for name, values in times.items():
        employees, live = sizes[name]
        print(f"{name:>12}: {statistics.median(values) * 1000:6.1f} ms CPU (median of "
              f"{len(values)}; min {min(values) * 1000:.1f}) for {employees:,} managers "
              f"and {live:,} calls")
    if not args.against:
        return 0
    ratio = statistics.median(times["this tree"]) / statistics.median(times[args.against])
    verdict = "ok" if ratio <= args.budget else "OVER BUDGET"
    print(f"ratio this / {args.against}: {ratio:.2f} (budget {args.budget:.2f}): {verdict}")
    return 0 if ratio <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
