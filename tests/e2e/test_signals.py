"""Every way out ends a listen session in the audit trail: SIGTERM, SIGHUP (a closed
terminal, a dropped SSH link, a closed browser tab) and q.

The real board runs in a pty and follows a real feed server (a scripted source with one
call in conversation); the supervisor joins with ``l`` ``enter``, then the board is told
to go. The board's own audit log must end with ``ended``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.pty_board import PtyBoard
from tests.server.support import T0, ScriptedSource, call, employee, running
from wallboard.audit import AuditLog
from wallboard.core.clock import SystemClock
from wallboard.core.events import ConnectionChanged, Link, Snapshot
from wallboard.core.listen import SupervisorAccount
from wallboard.core.models import CallStatus
from wallboard.server.app import create_server_app
from wallboard.service import ListenPolicy, WallboardService

pytestmark = pytest.mark.slow
TOKEN = "supervisor-token-for-signals"


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[str, ScriptedSource]]:
    source = ScriptedSource([ConnectionChanged(link=Link.LIVE), Snapshot(
        calls=(call("c1", CallStatus.TALKING),), employees=(employee(),), at=T0)])
    clock = SystemClock()
    service = WallboardService(
        source, clock, audit=AuditLog(tmp_path / "server-audit.jsonl", clock),
        policy=ListenPolicy(supervisors=(SupervisorAccount(account="PJSIP/1900"),)))
    with running(create_server_app(service=service, token=TOKEN)) as url:
        yield url, source


def board(tmp_path: Path, url: str) -> tuple[PtyBoard, Path]:
    audit = tmp_path / "board-audit.jsonl"
    config = tmp_path / "board.toml"
    config.write_text(f'[source]\nkind = "feed"\nurl = "{url}"\n'
                      f'[supervisor]\naccount = "PJSIP/1900"\naudit_log = "{audit}"\n')
    pty = PtyBoard(["--config", str(config)], env={"WALLBOARD_TOKEN": TOKEN})
    pty.wait_for("Manager e1")
    return pty, audit


def audit_events(path: Path, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return [json.loads(x)["event"] for x in path.read_text().splitlines()]


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "q"])
def test_the_last_audit_line_is_written_on_every_way_out(feed, tmp_path: Path, how: str):
    url, source = feed
    pty, audit = board(tmp_path, url)
    try:
        pty.send("l")
        pty.wait_for("Join")
        pty.send("\r")
        deadline = time.monotonic() + 10
        while not source.listening and time.monotonic() < deadline:
            pty.read(0.1)
        assert source.listening, "the board never joined the call"
        pty.read(0.5)
        if how == "q":
            pty.send("q")
        else:
            os.kill(pty.proc.pid, getattr(signal, how))
        assert pty.wait_exit() == 0
        events = audit_events(audit)
        assert events[0] == "started" and events[-1] == "ended", events
        assert ("stop", "s1") in source.requests  # the PBX was told to hang up
        assert b"Traceback" not in pty.raw
    finally:
        pty.close()
