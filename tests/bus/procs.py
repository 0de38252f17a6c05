"""Real ``wallboard ingest`` and ``wallboard serve --bus`` processes for the scale-out tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.procs import free_port, stop

ROOT = Path(__file__).resolve().parents[2]


class Proc:
    """One process; its stderr goes to a file the test reads (never a traceback)."""

    def __init__(self, args: list[str], folder: Path, name: str,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        environ = {**os.environ, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull,
                   "PYTHONUNBUFFERED": "1", **(env or {})}
        environ.pop("WALLBOARD_TOKEN", None)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environ,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL: a crash, a power cut — nothing gets to clean up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)

    def stop(self) -> None:
        stop(self.proc)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wallboard(folder: Path, name: str, *args: str, config: str | None = None) -> Proc:
    head = ["-m", "wallboard"] + (["--config", config] if config else [])
    return Proc([*head, *args], folder, name)


def ingest(folder: Path, name: str, bus: str, *args: str, config: str | None = None) -> Proc:
    return wallboard(folder, name, "ingest", "--bus", bus, *args, config=config)


def replica(folder: Path, name: str, bus: str, streams: list[str], *args: str,
            config: str | None = None) -> tuple[Proc, str]:
    port = free_port()
    flags = [item for s in streams for item in ("--stream", s)]
    proc = wallboard(folder, name, "serve", "--bus", bus, *flags, "--port", str(port), *args,
                     config=config)
    return proc, f"http://127.0.0.1:{port}"


async def ready(url: str, timeout: float = 30.0) -> dict[str, Any]:
    """Wait until the replica at ``url`` has its state (healthz ready)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            try:
                health = (await http.get(f"{url}/healthz")).json()
                if health["ready"]:
                    return dict(health)
            except (httpx.HTTPError, ValueError):
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not get ready in {timeout} s")


def no_traceback(*procs: Proc) -> None:
    for proc in procs:
        text = proc.output()
        assert "Traceback" not in text, f"{proc.name} printed a traceback:\n{text[-3000:]}"
