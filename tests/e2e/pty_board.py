"""The real board in a real pseudo-terminal: start it, type, read what it draws."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]"          # CSI: cursor, colours
                  rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: title, clipboard
                  rb"|\x1b[=>()][0-9A-Za-z]?")


class PtyBoard:
    """``python -m wallboard ARGS`` under a pty of the given size."""

    def __init__(self, args: Sequence[str], size: tuple[int, int] = (160, 45),
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        master, slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols),
                       "LINES": str(rows), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wallboard", *args], stdin=slave, stdout=slave,
            stderr=slave, env=environment, cwd=cwd, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = b""

    def read(self, seconds: float) -> bytes:
        """Everything the board writes within ``seconds``."""
        deadline = time.monotonic() + seconds
        got = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
        self.raw += got
        return got

    def wait_for(self, needle: bytes | str, timeout: float = 20.0) -> None:
        """Until ``needle`` appears in the output (escape sequences removed)."""
        if isinstance(needle, str):
            needle = needle.encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in ANSI.sub(b"", self.raw):
                return
            if self.proc.poll() is not None:
                break
            self.read(0.2)
        tail = ANSI.sub(b"", self.raw)[-600:].decode(errors="replace")
        raise AssertionError(f"{needle!r} never appeared; the last output:\n{tail}")

    def send(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def wait_exit(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        return self.proc.wait(1)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 9)
            self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)
