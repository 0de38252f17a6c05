"""``wallboard web`` attacked for real: a server process, raw HTTP, websockets, Chromium.

Origins on the page and the websocket, DNS rebinding, odd cookies, the Secure cookie behind
a TLS proxy, the session cap, and the token kept out of the logs.
"""

from __future__ import annotations

import http.client
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.cdp import open_page
from tests.e2e.procs import free_port, pids_with, stop, wait_for_port, wait_until_gone

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
TOKEN = "Zq3-web-security-token-0123"
BUSY = ("This board is already open in 1 browser tab, as many as it serves at once "
        "([web] max_sessions). Close one of them, then reload this page.")


class Board:
    def __init__(self, proc: subprocess.Popen, port: int, marker: str, log: Path) -> None:
        self.proc, self.port, self.marker, self.log = proc, port, marker, log

    def apps(self) -> dict[int, str]:
        return {pid: cmd for pid, cmd in pids_with(self.marker).items() if pid != self.proc.pid}

    def request(self, path: str = "/", headers: dict[str, str | bytes] | None = None
                ) -> http.client.HTTPResponse:
        """A GET with exactly these headers (bytes go out as they are)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    def ws(self, **kwargs):  # type: ignore[no-untyped-def]
        return connect(f"ws://127.0.0.1:{self.port}/ws?width=100&height=30", open_timeout=15,
                       **kwargs)


@pytest.fixture
def start_board(tmp_path):
    started: list[Board] = []

    def start(config: str = "", env: dict[str, str] | None = None) -> Board:
        n = len(started)
        path = tmp_path / f"board-{n}.toml"
        path.write_text('[source]\nkind = "demo"\nseed = 7\n' + config)
        port = free_port()
        log = tmp_path / f"server-{n}.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "wallboard", "--config", str(path), "web", "--port",
             str(port)],
            cwd=ROOT, env={**environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        board = Board(proc, port, str(path), log)
        started.append(board)
        wait_for_port(port, proc=proc)
        return board

    yield start
    for board in started:
        stop(board.proc)
        for pid in pids_with(board.marker):
            os.kill(pid, signal.SIGKILL)


def _wait_for_output(ws, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    received = 0
    while received < 2000:
        received += len(ws.recv(timeout=max(0.1, deadline - time.monotonic())))


def test_pages_of_other_sites_may_not_open_the_board(start_board):
    board = start_board()
    own = f"http://127.0.0.1:{board.port}"
    assert board.request("/", {"Origin": "http://evil.example"}).status == 403
    assert board.request("/", {"Origin": own}).status == 200
    assert board.request("/").status == 200  # a plain navigation carries no Origin
    with pytest.raises(InvalidStatus) as refused:
        with board.ws(origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus), board.ws(origin="null"):
        pass
    assert board.apps() == {}, "a refused websocket started an app"
    with board.ws(origin=own) as ws:  # the board's own page may
        _wait_for_output(ws)
        assert len(board.apps()) == 1
    assert wait_until_gone(board.marker, {board.proc.pid}, timeout=10) == {}
    page = board.request("/")
    assert page.getheader("Content-Security-Policy") == "frame-ancestors 'self'"


def test_a_listed_origin_may_and_dns_rebinding_may_not(start_board):
    board = start_board('[web]\nallowed_origins = ["https://intra.example"]\n')
    assert board.request("/", {"Origin": "https://intra.example"}).status == 200
    assert board.request("/", {"Origin": "https://other.example"}).status == 403
    # evil.example made to resolve to 127.0.0.1: same-origin with itself, but not loopback
    rebound = {"Host": f"evil.example:{board.port}", "Origin": f"http://evil.example:{board.port}"}
    assert board.request("/", rebound).status == 403
    with pytest.raises(InvalidStatus) as refused:
        with connect(f"ws://{rebound['Host']}/ws", origin=rebound["Origin"],
                     sock=socket.create_connection(("127.0.0.1", board.port))):
            pass
    assert refused.value.response.status_code == 403
    assert board.apps() == {}


def test_a_cross_site_page_in_chromium_cannot_drive_the_loopback_board(start_board, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("chromium is not installed (scripts/test.sh installs it)")
    board = start_board()
    attack = tmp_path / "site"
    attack.mkdir()
    (attack / "index.html").write_text(
        "<script>window.result = 'pending';"
        f"const ws = new WebSocket('ws://127.0.0.1:{board.port}/ws?width=80&height=24');"
        "ws.onopen = () => { window.result = 'opened'; ws.send(JSON.stringify(['stdin','l'])); };"
        "ws.onerror = () => { if (window.result === 'pending') window.result = 'refused'; };"
        "</script>")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(attack), **k)
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    port = free_port()
    chrome = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chrome'}", f"--remote-debugging-port={port}",
         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        with open_page(port) as page:
            page.call("Page.navigate", url=f"http://127.0.0.1:{site.server_address[1]}/")
            deadline = time.monotonic() + 20
            while (result := page.evaluate("window.result")) in (None, "pending"):
                assert time.monotonic() < deadline, "the page never finished its attempt"
                time.sleep(0.2)
    finally:
        stop(chrome)
        site.shutdown()
    assert result == "refused"
    assert board.apps() == {}
    assert "refused GET /ws: pages of http://127.0.0.1:" in board.log.read_text()


def test_odd_cookies_get_401_never_500(start_board):
    board = start_board(env={"WALLBOARD_WEB_TOKEN": TOKEN})
    for cookie in ["wallboard_web=\u00e9t\u00e9".encode(), b"wallboard_web=\xff\xfe",
                   b'wallboard_web="unterminated', b"=;;=; ==", b"wallboard_web",
                   b"wallboard_web=" + b"a" * 4000]:
        assert board.request("/", {"Cookie": cookie}).status == 401, cookie
    assert board.request("/?token=%C3%A9%FF").status == 403
    with pytest.raises(InvalidStatus) as refused:
        with board.ws(additional_headers={"Cookie": "wallboard_web=\u00e9"}):
            pass
    assert refused.value.response.status_code == 401
    assert board.proc.poll() is None
    assert " 500 " not in board.log.read_text()


def test_behind_a_tls_proxy_the_cookie_is_secure_and_the_socket_wss(start_board):
    board = start_board('[web]\npublic_url = "https://board.example.com/wall"\n',
                        env={"WALLBOARD_WEB_TOKEN": TOKEN})
    found = board.request(f"/?token={TOKEN}")
    assert found.status == 302
    cookie = found.getheader("Set-Cookie")
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=15)
    conn.request("GET", "/", headers={"Cookie": cookie.split(";", 1)[0],
                                      "Host": "board.example.com"})
    page = conn.getresponse().read().decode()
    assert 'data-session-websocket-url="wss://board.example.com/wall/ws"' in page
    plain = start_board(env={"WALLBOARD_WEB_TOKEN": TOKEN}).request(f"/?token={TOKEN}")
    assert "Secure" not in plain.getheader("Set-Cookie")


def test_the_session_cap_says_so_on_the_page(start_board):
    board = start_board("[web]\nmax_sessions = 1\n")
    assert board.request("/").status == 200
    with board.ws() as ws:
        _wait_for_output(ws)
        busy = board.request("/")
        assert busy.status == 503
        with pytest.raises(InvalidStatus) as refused, board.ws():
            pass
        assert refused.value.response.status_code == 503
        conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=15)
        conn.request("GET", "/")
        assert f'<p id="busy">{BUSY}</p>' in conn.getresponse().read().decode()
        assert len(board.apps()) == 1
    assert wait_until_gone(board.marker, {board.proc.pid}, timeout=10) == {}
    # the slot is free once the server has reaped the process, a moment after it is gone
    deadline = time.monotonic() + 5
    while (status := board.request("/").status) == 503 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 200


def test_the_token_is_never_logged_even_url_encoded(start_board):
    board = start_board(env={"WALLBOARD_WEB_TOKEN": TOKEN})
    encoded = "".join(f"%{b:02X}" for b in TOKEN.encode())
    for query in (f"token={TOKEN}", f"%74oken={TOKEN}", f"%74%6F%6B%65%6E={encoded}",
                  f"fontsize=20&tok%65n={TOKEN}"):
        assert board.request(f"/?{query}").status == 302, query
    stop(board.proc)
    logs = board.log.read_text()
    assert TOKEN not in logs and encoded not in logs
    assert logs.count("=***") >= 4
