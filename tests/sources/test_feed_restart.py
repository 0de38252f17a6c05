"""The server killed and restarted mid-stream while calls change: no ghost calls remain."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.server.support import free_port
from tests.sources.feed_support import Follower, client, same_state
from wallboard.wire import SnapshotBody

ROOT = Path(__file__).resolve().parents[2]


def start_server(port: int, seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull}
    env.pop("WALLBOARD_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "serve", "--source", "demo", "--port", str(port),
         "--demo-calls", "40", "--demo-events", "30", "--seed", str(seed)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).json()["ready"]:
                return proc
        except (httpx.HTTPError, ValueError):
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


async def converged(f: Follower, url: str, timeout: float = 10.0) -> dict:
    """Wait until the client's state equals a snapshot the server gives at the same seq."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            truth = (await http.get(f"{url}/v1/snapshot")).json()
            if f.client._last_id == truth["seq"] and same_state(f.state, truth):
                return truth
            await asyncio.sleep(0.02)
    raise AssertionError(f"never converged; statuses {[s.message for s in f.statuses][-5:]}")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["stream", "poll"])
async def test_killed_and_restarted_server_the_client_converges_without_ghosts(mode):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, seed=1)
    f = Follower(client(url, mode, poll_seconds=0.1, backoff_base=0.1, backoff_cap=0.5))
    try:
        await converged(f, url)
        await asyncio.sleep(0.5)  # calls keep changing
        server.send_signal(signal.SIGKILL)
        server.wait(5)
        await f.until(lambda: f.link == "reconnecting")
        stale = dict(f.state.calls)
        assert stale, "the screen still shows the calls it had (marked stale by the UI)"
        assert len(stale) >= 30  # ~40 live calls: a ghost would have plenty of candidates
        server = start_server(port, seed=2)  # a different call center: every old call is gone
        after = await converged(f, url)
        new = {c.id: c for c in SnapshotBody.model_validate(after).calls}
        assert f.link == "live"
        # Each demo run numbers its calls under a run prefix of its own, so no call of the
        # old server may be left on the screen at all, by id or by content.
        assert stale.keys().isdisjoint(new.keys())
        assert [i for i in stale if i in f.state.calls] == []
        assert not any(call in f.state.calls.values() for call in stale.values())
        assert f.state.calls == new
        assert f.client.malformed_count == 0
        # and it keeps following the new server as calls change
        await asyncio.sleep(0.5)
        await converged(f, url)
    finally:
        await f.stop()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
