"""No secret in any log, screen or audit file of a whole run (issue 10, section 5).

Real processes, every one logging at DEBUG (``WALLBOARD_LOG_LEVEL``): the fake ARI with a
password; ``wallboard serve`` on it with a viewer token in the config and a supervisor
token in an environment variable; a board following the serve (``--url``) in a pty with
the supervisor token, which joins a call and ends the session; a wrong bearer token; the
fake changing its password so the serve reconnects with a wrong one; a second board whose
``--url`` carries credentials and whose token is wrong; and ``wallboard web`` following
the serve, asked for with its token, a URL-encoded token, a wrong one, and a tab opened.

Then every log file, stderr, audit file, screen capture (the ptys' raw output) and the
web tab's websocket data are searched for the ARI password (plain, URL-encoded, in base64
basic auth), every token and password, and ``api_key=``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e.leaks import find, forms, read_all
from tests.e2e.procs import free_port, stop, wait_for_port
from tests.e2e.pty_board import ANSI, PtyBoard

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ARI_USER = "wall"
ARI_PASSWORD = "Qz7-ari/pa+ss@w0rd:x"
"""``/``, ``+``, ``@`` and ``:`` make its URL-encoded spelling differ from the plain one."""
VIEWER = "viewer-tok-Hx81kq0ZpL2m"
SUPERVISOR = "super-tok-Vb27Nq9wXc4r"
WRONG = "wrong-tok-Pq55Zz0aaBcD"
FEED_USER, FEED_PASSWORD = "marta", "feed-pw-Lm3Rt8Yw"
WEB_TOKEN = "web-tok-Ju6Ee2Ss9Nn1Kk"
SUPERVISOR_ACCOUNT = "PJSIP/1900"
UPSTREAM_FAILED = "its own source is failed"
"""The board's top bar once the serve's ARI link failed (the reason, ``Asterisk refused the
ARI username or password``, follows, cut with … at 160 columns)."""


def environment(log: Path, **extra: str) -> dict[str, str]:
    """No WALLBOARD_* of the caller's; every log at DEBUG, into ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    return {**env, "PYTHONPATH": str(ROOT), "WALLBOARD_CONFIG": os.devnull,
            "WALLBOARD_LOG_LEVEL": "DEBUG", "WALLBOARD_LOG_FILE": str(log), **extra}


class Run:
    """The processes of one run, ended (process group by process group) at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        self.boards: list[PtyBoard] = []
        self.captures: list[Path] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        err = self.folder / f"{name}.stderr"
        self.captures.append(err)
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=open(err, "wb"), start_new_session=True)
        self.procs.append(proc)
        return proc

    def board(self, name: str, args: list[str], env: dict[str, str]) -> PtyBoard:
        board = PtyBoard(args, env=env, cwd=ROOT)
        board.name = name  # type: ignore[attr-defined]
        self.boards.append(board)
        return board

    def close(self) -> None:
        boards, procs, self.boards, self.procs = self.boards, self.procs, [], []
        for board in boards:
            board.read(0.2)
            (self.folder / f"{board.name}.screen").write_bytes(  # type: ignore[attr-defined]
                board.raw)
            board.close()
        for proc in reversed(procs):
            stop(proc)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    started = Run(tmp_path)
    try:
        yield started
    finally:
        started.close()


def start_fake(run: Run) -> tuple[subprocess.Popen, dict[str, str]]:
    proc = run.start("fake", [
        sys.executable, "-m", "tests.sources.ari.run_fake", "--calls", "12", "--rate", "0.001",
        "--password", ARI_PASSWORD, "--supervisor", SUPERVISOR_ACCOUNT, "--answer",
        "--dir", str(run.folder / "fake")], environment(run.folder / "fake.log"))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, "the fake ARI did not start"
    return proc, json.loads(line)


def serve_config(run: Run, fake: dict[str, str], port: int) -> Path:
    path = run.folder / "serve.toml"
    path.write_text(
        f"""[source]
kind = "ari"
url = "{fake['url']}"
username = "{ARI_USER}"
password = "{ARI_PASSWORD}"
app = "{fake['app']}"
employees_csv = "{fake['employees_csv']}"

[supervisor]
audit_log = "{run.folder / 'serve-audit.jsonl'}"

[server]
port = {port}

[[server.tokens]]
name = "wall-tv"
role = "viewer"
secret = "{VIEWER}"

[[server.tokens]]
name = "marta"
role = "supervisor"
secret_env = "WALLBOARD_TOKEN_MARTA"

[[server.supervisors]]
name = "Marta"
account = "{SUPERVISOR_ACCOUNT}"
""", encoding="utf-8")
    return path


def talking_call(url: str) -> tuple[str, str]:
    """A call in conversation whose manager's name has a last word no other manager's name
    contains (typed in the filter, it leaves that manager alone): (call id, that word)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = httpx.get(f"{url}/v1/snapshot", headers={"Authorization": f"Bearer {VIEWER}"},
                         timeout=5).json()
        names = {e["id"]: e["name"] for e in body["employees"]}
        for call in body["calls"]:
            name = names.get(call["employee_id"] or "", "")
            word = name.split()[-1] if name else ""
            if call["status"] == "talking" and word and not any(
                    word in other for other in names.values() if other != name):
                return call["id"], word
        time.sleep(0.3)
    raise AssertionError("no call in conversation on the serve's snapshot")


def join_and_end(board: PtyBoard, word: str) -> None:
    """Filter the board down to the call of the manager found by ``word``, join the call,
    see the session active, end it."""
    board.wait_for("● live")
    board.send("/")
    board.wait_for("type to search")
    board.send(word)  # a space would toggle the highlighted manager
    board.read(0.5)
    board.send(" ")
    board.read(0.3)
    board.send("\r")
    board.wait_for("⚑ FILTERED")
    board.send("l")
    board.wait_for("Join this call?")
    board.send("\r")
    board.wait_for("● active")
    board.send("e")
    board.wait_for("■ ended")


def screen(board: PtyBoard) -> str:
    return ANSI.sub(b"", board.raw).decode(errors="replace")


def web_visit(run: Run, serve_url: str) -> None:
    """``wallboard web`` following the serve: its token plain and URL-encoded, a wrong
    one, then a tab opened with the cookie until the board in it shows a manager."""
    port = free_port()
    proc = run.start("web", [
        sys.executable, "-m", "wallboard", "--url", serve_url, "web", "--port", str(port)],
        environment(run.folder / "web-tabs.log", WALLBOARD_WEB_TOKEN=WEB_TOKEN,
                    WALLBOARD_TOKEN=VIEWER))
    wait_for_port(port, proc=proc)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=15) as http:
        assert http.get(f"/?%74oken={WEB_TOKEN}").status_code == 302
        assert http.get(f"/?token={WRONG}").status_code == 403
        signed = http.get(f"/?token={WEB_TOKEN}")
        assert signed.status_code == 302
        cookie = signed.headers["set-cookie"].split(";", 1)[0]
    data = b""
    with connect(f"ws://127.0.0.1:{port}/ws?width=160&height=45", origin=base,
                 additional_headers={"Cookie": cookie}, open_timeout=15) as ws:
        deadline = time.monotonic() + 40
        while b"Agent" not in data and time.monotonic() < deadline:
            message = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            data += message.encode() if isinstance(message, str) else message
    (run.folder / "web-tab.screen").write_bytes(data)
    assert b"Agent" in data, "the board in the browser tab never showed a manager"


def test_a_whole_run_at_debug_leaks_no_secret(run: Run):
    fake_proc, fake = start_fake(run)
    port = free_port()
    serve_url = f"http://127.0.0.1:{port}"
    serve = run.start("serve", [
        sys.executable, "-m", "wallboard", "--config", str(serve_config(run, fake, port)),
        "serve"], environment(run.folder / "serve.log", WALLBOARD_TOKEN_MARTA=SUPERVISOR))
    wait_for_port(port, proc=serve)
    call_id, word = talking_call(serve_url)

    # a wrong token, and a viewer's token asking to listen: refused, and said so
    bad = httpx.get(f"{serve_url}/v1/snapshot", headers={"Authorization": f"Bearer {WRONG}"})
    assert bad.status_code == 403
    viewer = httpx.post(f"{serve_url}/v1/calls/{call_id}/listen",
                        headers={"Authorization": f"Bearer {VIEWER}"},
                        json={"supervisor": SUPERVISOR_ACCOUNT, "mode": "listen"})
    assert viewer.status_code == 403

    # the supervisor's board joins the call and ends the session
    config = run.folder / "board.toml"
    config.write_text(f'[supervisor]\naccount = "{SUPERVISOR_ACCOUNT}"\n'
                      f'audit_log = "{run.folder / "board-audit.jsonl"}"\n', encoding="utf-8")
    board = run.board("board", ["--config", str(config), "--url", serve_url], environment(
        run.folder / "board.log", WALLBOARD_TOKEN=SUPERVISOR))
    join_and_end(board, word)

    web_visit(run, serve_url)

    # the fake's password changes: the serve reconnects with one that is now wrong
    os.kill(fake_proc.pid, signal.SIGUSR1)
    board.wait_for(UPSTREAM_FAILED, timeout=30)

    # credentials in the feed's URL and a wrong token: refused, the address shown without
    other = run.board("board-wrong", [
        "--url", f"http://{FEED_USER}:{FEED_PASSWORD}@127.0.0.1:{port}"],
        environment(run.folder / "board-wrong.log", WALLBOARD_TOKEN=WRONG))
    other.wait_for(f"feed 127.0.0.1:{port}")
    other.wait_for("✖")

    for each in run.boards:
        each.send("q")
        assert each.wait_exit() == 0
    stop(serve)  # its last lines written
    run.close()

    folder = run.folder
    captures = read_all([*run.captures, *(folder / name for name in (
        "serve.log", "board.log", "board-wrong.log", "web-tabs.log", "serve-audit.jsonl",
        "board-audit.jsonl", "board.screen", "board-wrong.screen", "web-tab.screen"))])
    # the logs were written at DEBUG, libraries' included, so there was something to leak
    serve_log = captures["serve.log"].decode()
    assert f'HTTP Request: GET {fake["url"]}/ari/channels "HTTP/1.1 200 OK"' in serve_log
    assert "> Authorization: Basic ***" in serve_log  # websockets' handshake, redacted
    assert "< HTTP/1.1 401 Unauthorized" in serve_log  # the reconnect, wrong password
    assert f"POST {serve_url}/v1/calls/" in captures["board.log"].decode()
    assert b"GET /?%74oken=***" in captures["web.stderr"]
    audit = [json.loads(line) for line in captures["serve-audit.jsonl"].splitlines()]
    assert [(a["event"], a.get("by")) for a in audit if a["event"] in (
        "started", "ended")] == [("started", "marta"), ("ended", "marta")]

    needles = {
        **forms("ARI password", ARI_PASSWORD, user=ARI_USER),
        **forms("viewer token", VIEWER), **forms("supervisor token", SUPERVISOR),
        **forms("wrong token", WRONG), **forms("web token", WEB_TOKEN),
        **forms("feed password", FEED_PASSWORD, user=FEED_USER),
    }
    leaks = find(captures, needles, anywhere=(b"api_key=",))
    assert not leaks, "secrets leaked:\n" + "\n".join(map(str, leaks))
