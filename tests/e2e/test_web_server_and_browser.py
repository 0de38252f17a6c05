"""``wallboard web`` for real: a server process, headless Chromium, raw websockets.

The app processes of a run are found by a marker: the server is started with
``--config <tmp>/board.toml``, which every app process it launches inherits on its command
line. So an app orphaned to init would still be found.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.board_text import assert_talk_times_advanced
from tests.e2e.cdp import open_page
from tests.e2e.procs import (
    cpu_seconds,
    free_port,
    pids_with,
    stop,
    wait_for_port,
    wait_until_gone,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "s3cret-test-token-0123456789"


class Board:
    def __init__(self, proc: subprocess.Popen, port: int, host: str, marker: str) -> None:
        self.proc, self.port, self.host, self.marker = proc, port, host, marker

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def apps(self) -> dict[int, str]:
        """The app processes of this server, wherever they were reparented."""
        return {pid: cmd for pid, cmd in pids_with(self.marker).items() if pid != self.proc.pid}


@pytest.fixture
def start_board(tmp_path, request):
    def start(host: str = "127.0.0.1", *extra: str, env: dict[str, str] | None = None) -> Board:
        config = tmp_path / f"board-{len(started)}.toml"
        config.write_text('[source]\nkind = "demo"\nseed = 7\n')
        port = free_port(host)
        proc = subprocess.Popen(
            [sys.executable, "-m", "wallboard", "--config", str(config), "web",
             "--host", host, "--port", str(port), *extra],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=open(tmp_path / f"server-{len(started)}.log", "w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        started.append((proc, str(config)))
        wait_for_port(port, host, proc=proc)
        return Board(proc, port, host, str(config))

    started: list[tuple[subprocess.Popen, str]] = []
    yield start
    for proc, marker in started:
        stop(proc)
        for pid in pids_with(marker):  # nothing of ours survives a test, even on failure
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def browser(tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("chromium is not installed (scripts/test.sh installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1600,1000", f"--user-data-dir={tmp_path / 'chrome'}",
         f"--remote-debugging-port={port}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        with open_page(port) as page:
            yield page
    finally:
        stop(proc)


def test_the_board_renders_in_chromium_and_its_app_ends_with_the_tab(start_board, browser):
    board = start_board()
    browser.open(board.url)
    # the websocket connects, the app starts and paints: real seconds, on 2 cores
    text = browser.wait_for_text("Total calls", "talking", timeout=45)
    assert len(board.apps()) == 1
    time.sleep(3)
    # the same calls, 3 s on: each one's talk time has moved on (not just the clock on top)
    assert_talk_times_advanced(text, browser.screen_text(), at_least=2)

    browser.call("Page.navigate", url="about:blank")  # the tab leaves: its websocket closes
    left = wait_until_gone(board.marker, {board.proc.pid}, timeout=10)
    assert left == {}, f"app processes outlived their browser tab: {left}"


def test_short_lived_connections_leave_no_app_process(start_board):
    board = start_board()
    ws_url = f"ws://127.0.0.1:{board.port}/ws?width=120&height=40"
    for _ in range(4):  # open and close at once
        with connect(ws_url):
            pass
    for _ in range(3):  # drop the TCP connection after the 101 answer, no close frame
        raw = _handshake(board.port)
        raw.recv(1024)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        raw.close()
    for _ in range(3):  # close mid-handshake, before any answer
        _handshake(board.port, complete=False).close()
    for wait in (0.3, 1.0, 2.5):  # close while the app is still starting or just painted
        with connect(ws_url):
            time.sleep(wait)

    left = wait_until_gone(board.marker, {board.proc.pid}, timeout=12)
    assert left == {}, f"app processes left behind: {left}"
    assert board.proc.poll() is None, "the server died"
    before = cpu_seconds(board.proc.pid)
    time.sleep(2)
    assert (cpu_seconds(board.proc.pid) - before) / 2 < 0.2, "the idle server burns CPU"


def test_an_app_ends_when_its_server_is_killed(start_board):
    board = start_board()
    with connect(f"ws://127.0.0.1:{board.port}/ws?width=100&height=30") as ws:
        _wait_for_output(ws)
        assert len(board.apps()) == 1
        board.proc.send_signal(signal.SIGKILL)  # no cleanup code of the server runs
        board.proc.wait(5)
        left = wait_until_gone(board.marker, set(), timeout=10)
    assert left == {}, f"app processes outlived a killed server: {left}"


def test_a_stopped_server_ends_its_apps(start_board):
    board = start_board()
    with connect(f"ws://127.0.0.1:{board.port}/ws?width=100&height=30") as ws:
        _wait_for_output(ws)
        board.proc.send_signal(signal.SIGTERM)
        assert board.proc.wait(15) == 0
    assert wait_until_gone(board.marker, set(), timeout=5) == {}


def test_off_loopback_needs_a_token_and_says_so_in_one_sentence():
    env = {k: v for k, v in os.environ.items() if k != "WALLBOARD_WEB_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "wallboard", "--demo", "web", "--host", "0.0.0.0",
         "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "token" in result.stderr and "WALLBOARD_WEB_TOKEN" in result.stderr


def test_a_used_port_is_one_sentence(start_board):
    board = start_board()
    result = subprocess.run(
        [sys.executable, "-m", "wallboard", "web", "--port", str(board.port)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr == (f"wallboard web: port {board.port} on 127.0.0.1 is already in "
                             "use; choose another with --port.\n")


def test_the_token_guards_the_page_and_the_websocket(start_board, tmp_path):
    board = start_board("127.0.0.2", env={"WALLBOARD_WEB_TOKEN": TOKEN})
    base = board.url
    assert _status(base) == 401
    assert _status(base + "?token=wrong") == 403
    with pytest.raises(InvalidStatus), connect(f"ws://127.0.0.2:{board.port}/ws"):
        pass

    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as found:
        opener.open(base + f"?token={TOKEN}&fontsize=20")
    assert found.value.code == 302
    assert TOKEN not in found.value.headers["Location"]
    cookie = found.value.headers["Set-Cookie"].split(";", 1)[0]
    assert TOKEN not in cookie and "HttpOnly" in found.value.headers["Set-Cookie"]

    page = urllib.request.urlopen(urllib.request.Request(base, headers={"Cookie": cookie}))
    assert page.status == 200 and b"/ws" in page.read()
    with connect(f"ws://127.0.0.2:{board.port}/ws?width=100&height=30",
                 additional_headers={"Cookie": cookie}) as ws:
        _wait_for_output(ws)
    stop(board.proc)
    logs = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
    assert "?token=***" in logs and TOKEN not in logs


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def _handshake(port: int, complete: bool = True) -> socket.socket:
    raw = socket.create_connection(("127.0.0.1", port))
    request = (b"GET /ws?width=80&height=24 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
    raw.sendall(request + (b"\r\n" if complete else b""))
    return raw


def _wait_for_output(ws, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Until the app has painted something (its first data packets)."""
    deadline = time.monotonic() + timeout
    received = 0
    while received < 2000:
        message = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        received += len(message)
