"""What the agents grid costs a terminal: bytes a second while 200 agents tick, against the
call table's at the same size, both measured in the same run.

    python benchmarks/agents_grid.py              # 3 rounds of 15 s each
    python benchmarks/agents_grid.py --rounds 5 --seconds 20

Two boards run at once under ptys of 200x60, both on the demo with 160 calls (208 agents,
the natural pace of events), the same seed: one shows the agents grid (``a``), the other
the call table (the queues strip off, so only the table is measured). Every byte each
writes is counted over the same windows. The budget: the grid writes at most twice the
table's bytes a second. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from board_pty import ROOT, Run, launch, pump  # noqa: E402


def pump_until(run: Run, seconds: float, marker: bytes) -> None:
    """Read the board's terminal until ``marker`` shows (or ``seconds`` pass)."""
    deadline = time.monotonic() + seconds
    seen = b""
    while time.monotonic() < deadline:
        before = run.total_bytes
        chunk = os.read(run.master, 65536) if _readable(run) else b""
        run.total_bytes = before + len(chunk)
        seen = (seen + chunk)[-65536:]
        if marker in seen:
            return


def _readable(run: Run) -> bool:
    import select

    return bool(select.select([run.master], [], [], 0.05)[0])

BUDGET = 2.0
SIZE = (200, 60)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    options = parser.parse_args()
    compileall.compile_dir(ROOT / "wallboard", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "bench.toml"
        config.write_text('[store]\nurl = "off"\n[queues]\nstrip = false\n')
        args = [sys.executable, "-m", "wallboard", "--config", str(config), "--demo",
                "--demo-calls", "160", "--seed", "7"]
        grid = launch(args, *SIZE)
        table = launch(args, *SIZE)
        try:
            for run in (grid, table):
                pump_until(run, 6.0, b"talking")
            os.write(grid.master, b"a")  # the pty is the board's keyboard
            pump_until(grid, 3.0, b"on call")
            pump([grid, table], 3.0)  # the grid's first paint is not its ticking
            ratios, grid_rates, table_rates = [], [], []
            for _ in range(options.rounds):
                g0, t0, start = grid.total_bytes, table.total_bytes, time.monotonic()
                deadline = start + options.seconds
                while time.monotonic() < deadline:
                    pump([grid, table], 0.05)
                elapsed = time.monotonic() - start
                g = (grid.total_bytes - g0) / elapsed
                t = (table.total_bytes - t0) / elapsed
                grid_rates.append(g)
                table_rates.append(t)
                ratios.append(g / t if t else float("inf"))
        finally:
            grid.stop()
            table.stop()
    print(f"agents grid (208 agents) vs call table (160 calls), {SIZE[0]}x{SIZE[1]}, "
          f"{options.rounds} windows of {options.seconds} s, side by side:")
    print(f"  grid bytes/s   {', '.join(f'{r:,.0f}' for r in grid_rates)}"
          f"  (median {statistics.median(grid_rates):,.0f})")
    print(f"  table bytes/s  {', '.join(f'{r:,.0f}' for r in table_rates)}"
          f"  (median {statistics.median(table_rates):,.0f})")
    ratio = statistics.median(ratios)
    print(f"  grid / table   {ratio:.2f} (budget {BUDGET:.1f})")
    if ratio > BUDGET:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
