"""Copying a number reaches the terminal: the OSC 52 escape, read from a real pty.

The board runs as its own process in a pseudo-terminal on the scripted call center; the
test presses the keys a supervisor presses and decodes what the board wrote.
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOARD = "from tests.ui.scripted import scripted_app; scripted_app()[0].run()"
OSC52 = re.compile(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


class Terminal:
    def __init__(self, cols: int = 160, rows: int = 45) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen([sys.executable, "-c", BOARD], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.output = b""

    def read_until(self, pattern: re.Pattern[bytes], start: int, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(self.output, start)
            if found:
                return found
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        raise AssertionError(f"{pattern.pattern!r} not written after {timeout} s; "
                             f"the tail: {self.output[-300:]!r}")

    def press(self, keys: bytes) -> int:
        mark = len(self.output)
        os.write(self.master, keys)
        return mark

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        os.close(self.master)


@pytest.fixture
def terminal():  # type: ignore[no-untyped-def]
    term = Terminal()
    yield term
    term.close()


def copied(term: Terminal, keys: bytes) -> str:
    found = term.read_until(OSC52, term.press(keys), timeout=15)
    return base64.b64decode(found.group(1)).decode()


def test_c_and_b_copy_the_selected_calls_numbers_through_osc52(terminal):
    terminal.read_until(re.compile(rb"talking"), 0, timeout=60)  # the first rows are drawn
    # the cursor starts on the oldest call, c108; one row down is c105 (tests/ui/scripted.py)
    assert copied(terminal, b"c") == "+48 600 100 108"
    assert copied(terminal, b"b") == "+48 22 500 0108"
    assert copied(terminal, b"\x1b[B" + b"c") == "+48 600 100 105"
