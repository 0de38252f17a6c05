"""A throwaway Redis server for the tests: ``redis-server`` on a free loopback port, its
data in a temporary directory, stopped (or killed, or restarted) by the test.

Missing ``redis-server`` skips the tests that need it, with the reason — except in CI
(``WALLBOARD_CI=1``), where it is an error: a skip must never hide a feature there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if found is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("WALLBOARD_CI") == "1":
            pytest.fail(f"{reason}; CI must run the scale-out tests (see scripts/test.sh)")
        pytest.skip(reason)
    return found


class RedisServer:
    """One redis-server process; ``restart()`` brings it back on the same port."""

    def __init__(self, port: int | None = None, *, persist: bool = True) -> None:
        self.binary = redis_binary()
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="wallboard-redis-"))
        self.persist = persist
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.dir), "--save", "", "--protected-mode", "yes",
                "--appendonly", "yes" if self.persist else "no", "--appendfsync", "no",
                "--logfile", str(self.dir / "redis.log")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start: {self.log()}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()

    def log(self) -> str:
        path = self.dir / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def redis_server(persist: bool = True) -> Iterator[RedisServer]:
    server = RedisServer(persist=persist).start()
    try:
        yield server
    finally:
        server.close()
