"""The live board in a real pseudo-terminal: CPU, bytes written, first paint and memory.

    python benchmarks/board_pty.py            # the issue's figures (takes about 2 minutes)
    python benchmarks/board_pty.py --quick    # shorter runs

Runs ``wallboard --demo`` under a pty of 160x45, reads everything it writes, and samples
/proc for CPU time and memory. Prints medians.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    proc: subprocess.Popen[bytes]
    master: int
    started: float
    total_bytes: int = 0

    def pump(self, seconds: float, until: bytes | None = None) -> bytes:
        """Read the pty for ``seconds`` (or until ``until`` shows up); count every byte."""
        deadline = time.monotonic() + seconds
        seen = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                self.total_bytes += len(chunk)
                if until is not None:
                    seen = (seen + chunk)[-4096:]
                    if until in seen:
                        return seen
        return seen

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
        os.close(self.master)


def launch(args: list[str], cols: int = 160, rows: int = 45) -> Run:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL", None)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    return Run(proc, master, started)


def steady(calls: int, events: float, seconds: int, warmup: float) -> dict[str, float]:
    run = launch(["--demo", "--demo-calls", str(calls), "--demo-events", str(events),
                  "--seed", "7"])
    try:
        run.pump(warmup)
        cpu_samples, byte_samples, rss = [], [], []
        for _ in range(seconds):
            cpu0, bytes0, t0 = run.cpu_seconds(), run.total_bytes, time.monotonic()
            run.pump(1.0)
            dt = time.monotonic() - t0
            cpu_samples.append((run.cpu_seconds() - cpu0) / dt * 100)
            byte_samples.append((run.total_bytes - bytes0) / dt)
            rss.append(run.rss_mb())
        return {
            "cpu_percent_median": statistics.median(cpu_samples),
            "bytes_per_second_median": statistics.median(byte_samples),
            "bytes_per_second_mean": statistics.fmean(byte_samples),
            "rss_mb_max": max(rss),
        }
    finally:
        run.stop()


def first_paint(calls: int, repeats: int) -> dict[str, float]:
    """Seconds from launching the process to the first frame that shows call rows."""
    times, rss = [], []
    for _ in range(repeats):
        run = launch(["--demo", "--demo-calls", str(calls), "--seed", "7"])
        try:
            seen = run.pump(20, until=b"talking")
            if b"talking" not in seen:
                raise SystemExit("the board never painted a call row")
            times.append(time.monotonic() - run.started)
            run.pump(2.0)
            rss.append(run.rss_mb())
        finally:
            run.stop()
    return {
        "first_paint_s_median": statistics.median(times),
        "rss_mb_median": statistics.median(rss),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    # Start-up is measured as installed (pip compiles the package); an editable checkout
    # under PYTHONDONTWRITEBYTECODE would recompile every module on every launch.
    compileall.compile_dir(ROOT / "wallboard", quiet=1)
    seconds = 8 if options.quick else 20
    print(f"steady state, 1,000 calls at 20 call events/s, 160x45, median over {seconds} s:")
    for key, value in steady(1000, 20, seconds, warmup=4).items():
        print(f"  {key:28} {value:10.1f}")
    print("first paint of a 5,000-call board (launch to first row), median of 5:")
    for key, value in first_paint(5000, 3 if options.quick else 5).items():
        print(f"  {key:28} {value:10.3f}")


if __name__ == "__main__":
    main()
