"""End to end: a real ``wallboard serve --source ringostat`` process, configured by a TOML
file and the environment, polling the fake Ringostat and receiving webhooks; a board (the
feed client) follows it as usual."""

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
from tests.sources.feed_support import Follower, client
from tests.sources.ringostat.conftest import staff
from tests.sources.ringostat.fake_ringostat import KEY, PROJECT, FakeRingostat
from tests.sources.ringostat.scenarios import SECRET, Script, Sender, Step, webhooks
from wallboard.core.events import Link
from wallboard.core.models import AgentStatus, CallStatus, CallType

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "feed-token-for-boards-1"


def config_file(tmp_path: Path, fake: FakeRingostat) -> Path:
    path = tmp_path / "ringostat.toml"
    path.write_text(f"""
[source]
kind = "ringostat"
project_id = {PROJECT}
api_url = "{fake.url}"
timezone = "UTC"
status_poll_seconds = 1
speaking_grace_seconds = 2
webhook_secret = "{SECRET}"

[server]
token = "{TOKEN}"
""")
    return path


async def start(config: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RINGOSTAT_AUTH_KEY": KEY}
    for name in ("WALLBOARD_TOKEN", "WALLBOARD_CONFIG", "RINGOSTAT_WEBHOOK_SECRET"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "--config", str(config), "serve", "--source",
         "ringostat", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                health = (await http.get(f"http://127.0.0.1:{port}/healthz")).json()
                if health["ready"] and health["upstream"] == "live":
                    return proc
            except (httpx.HTTPError, ValueError):
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            await asyncio.sleep(0.05)
    proc.kill()
    raise AssertionError("wallboard serve did not get live")


@pytest.mark.slow
async def test_serve_receives_webhooks_and_boards_follow(tmp_path):
    fake = staff(FakeRingostat())
    fake.online = {"m1", "m2", "m3", "anna_desk"}
    await fake.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = await start(config_file(tmp_path, fake), port)
    board = Follower(client(url, "stream", environ={"WALLBOARD_TOKEN": TOKEN}))
    sender = Sender(url)
    try:
        await board.until(lambda: "101" in board.state.employees, timeout=10)
        assert board.state.employees["101"].status is AgentStatus.ONLINE

        forwarded = Script("e2e-1", CallType.INCOMING,
                           [Step("before", "m1"), Step("forward", "m2"), Step("answer", "m2"),
                            Step("after")])
        callback = Script("e2e-2", CallType.CALLBACK, [Step("before", "m3"),
                                                       Step("answer", "m3")])
        hooks = webhooks(forwarded)
        for hook in [hooks[0], *webhooks(callback)[:1]]:
            assert (await sender.send(hook)).status_code == 200
        await board.until(lambda: {"e2e-1", "e2e-2"} <= set(board.state.calls))
        assert board.state.calls["e2e-1"].employee_id == "201"
        assert board.state.calls["e2e-2"].type is CallType.CALLBACK
        await sender.send(hooks[1])
        await board.until(lambda: board.state.calls["e2e-1"].employee_id == "202")
        await sender.send(hooks[2])
        await sender.send(hooks[2])  # a duplicate
        await board.until(lambda: board.state.calls["e2e-1"].status is CallStatus.TALKING)
        await sender.send(hooks[3])
        await board.until(lambda: "e2e-1" not in board.state.calls)
        await sender.send(hooks[1])  # late: never revives it
        # the callback's manager starts talking: its lost "answer" is found in the list
        fake.speaking = {"m3"}
        await board.until(lambda: board.state.calls["e2e-2"].status is CallStatus.TALKING,
                          timeout=5)
        assert board.state.employees["203"].status is AgentStatus.TALKING
        # ... and hangs up, its "after the call" lost: gone after the grace
        fake.speaking = set()
        await board.until(lambda: "e2e-2" not in board.state.calls, timeout=8)
        assert "e2e-1" not in board.state.calls

        wrong = Sender(url, secret="not-the-secret-000")
        assert (await wrong.send(hooks[0])).status_code == 404
        await wrong.aclose()
        assert board.link == Link.LIVE.value
    finally:
        await sender.aclose()
        await board.stop()
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=10)[0].decode()
        await fake.stop()
    assert KEY not in output and SECRET not in output
    assert "Ringostat project 68861 on http://127.0.0.1" in output
    assert "Traceback" not in output


def test_serve_source_ringostat_needs_a_ringostat_config(tmp_path):
    config = tmp_path / "demo.toml"
    config.write_text("[source]\nkind = 'demo'\n")
    result = subprocess.run(
        [sys.executable, "-m", "wallboard", "--config", str(config), "serve", "--source",
         "ringostat"], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"wallboard: {config}: `serve --source ringostat` needs [source] kind = \"ringostat\" "
        "with project_id, auth_key and webhook_secret (docs/ringostat.md).")
