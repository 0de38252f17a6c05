"""Bytes per second the board sends over SSH, with and without compression (``ssh -C``).

    python benchmarks/ssh_bandwidth.py            # the figures in docs/remote.md (~2 minutes)
    python benchmarks/ssh_bandwidth.py --quick    # shorter runs

Starts a throwaway sshd on a loopback port (see tests/e2e/sshd.py), runs the board through
``ssh -tt`` in a 160x45 pty, and once a second reads two counters: the bytes received on
the SSH TCP connection (``ss -ti``: bytes_received, i.e. on the wire, encrypted, with the
protocol's overhead) and the bytes the ssh client wrote to its terminal (the board's own
output). Prints medians over the steady state, after a warm-up that includes the first paint.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.procs import stop  # noqa: E402
from tests.e2e.sshd import SshServer, board_command, missing_tools  # noqa: E402

BOARDS = {
    "1,000 calls, 20 events/s": ["--demo", "--demo-calls", "1000", "--demo-events", "20",
                                 "--seed", "7"],
    "default demo (24 calls)": ["--demo", "--seed", "7"],
}


def wire_bytes(port: int) -> int:
    """bytes_received of the client's TCP connection to ``port``."""
    out = subprocess.run(["ss", "-tinH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    found = re.search(r"bytes_received:(\d+)", out)
    return int(found.group(1)) if found else 0


def measure(server: SshServer, board: list[str], compress: bool, seconds: int,
            warmup: float) -> dict[str, float]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    argv = server.ssh_argv(board_command(*board), *(["-C"] if compress else ["-o",
                                                     "Compression=no"]))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True)
    os.close(slave)
    terminal_bytes = 0

    def pump(duration: float) -> None:
        nonlocal terminal_bytes
        deadline = time.monotonic() + duration
        while (left := deadline - time.monotonic()) > 0:
            if select.select([master], [], [], min(left, 0.05))[0]:
                try:
                    terminal_bytes += len(os.read(master, 65536))
                except OSError:
                    return

    try:
        pump(warmup)
        warmup_wire = wire_bytes(server.port)  # login, first paint, first updates
        wire, term = [], []
        for _ in range(seconds):
            w0, t0, started = wire_bytes(server.port), terminal_bytes, time.monotonic()
            pump(1.0)
            dt = time.monotonic() - started
            wire.append((wire_bytes(server.port) - w0) / dt)
            term.append((terminal_bytes - t0) / dt)
        return {"wire_bytes_per_s_median": statistics.median(wire),
                "wire_bytes_per_s_mean": statistics.fmean(wire),
                "terminal_bytes_per_s_median": statistics.median(term),
                "warmup_wire_bytes_total": warmup_wire}
    finally:
        stop(proc)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    if reason := missing_tools():
        raise SystemExit(f"ssh_bandwidth: {reason}")
    seconds = 8 if options.quick else 20
    with tempfile.TemporaryDirectory() as directory:
        server = SshServer(Path(directory))
        server.start()
        try:
            for name, board in BOARDS.items():
                for compress in (False, True):
                    label = f"{name}, {'ssh -C' if compress else 'no compression'}"
                    print(f"{label}: 160x45, median over {seconds} s after a 6 s warm-up")
                    for key, value in measure(server, board, compress, seconds, 6).items():
                        print(f"  {key:30} {value:10.0f}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
