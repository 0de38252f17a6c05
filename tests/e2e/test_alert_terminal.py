"""A rule fires on the real board in a real pseudo-terminal: the bell (BEL) and the OSC 9
notification are in what the board writes; acknowledging the alert stops the bell."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.pty_board import PtyBoard

pytestmark = pytest.mark.slow

OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
NOTIFICATION = re.compile(rb"\x1b\]9;wallboard: Main line: service level \d+% \(warning\)\x07")


def bells(raw: bytes) -> int:
    """BEL characters that are bells (not the end of an OSC sequence)."""
    return OSC.sub(b"", raw).count(b"\x07")


def a_zone_at_midday() -> str:
    """A fixed-offset zone where it is now about noon. The demo's day has calls from 7:00
    local: at night its service level of the day has nothing to count yet (this test failed
    at 00:20 UTC when the board ran in UTC)."""
    offset = 12 - datetime.now(UTC).hour  # -11 .. +12 hours, all of them Etc/GMT zones
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is three hours *ahead* of UTC


def test_bel_and_osc_9_when_a_rule_fires_and_acknowledging_stops_the_bell(tmp_path: Path):
    config = tmp_path / "alerts.toml"
    # a service level of the day is never above 101 %: the rule fires at once and holds
    config.write_text(
        f'[ui]\ntimezone = "{a_zone_at_midday()}"\n'
        '[source]\nkind = "demo"\nseed = 7\ncalls = 40\n'
        '[store]\nurl = "off"\n'
        '[[alerts]]\nname = "main line SL"\nmetric = "service_level"\nqueue = "main-line"\n'
        'warning = 101\nwindow = "day"\n'
        '[notifications]\nbell = true\nbell_repeat_seconds = 1\ndesktop = "osc9"\n'
        'tmux = "off"\n')
    board = PtyBoard(["--config", str(config)], size=(160, 45),
                     env={"XDG_STATE_HOME": str(tmp_path / "state"), "TMUX": ""})
    try:
        board.wait_for("Main line")
        board.read(3.5)
        assert NOTIFICATION.search(board.raw), board.raw[-2000:]
        assert len(NOTIFICATION.findall(board.raw)) == 1  # one notification per firing
        assert bells(board.raw) >= 3  # at once, then every second
        board.send("!")
        board.wait_for("acknowledges the selected alert")
        board.send("\r")
        board.wait_for("acknowledged by board")
        board.read(0.5)
        quiet = board.read(3.0)
        assert bells(quiet) == 0, quiet[-500:]
        assert not NOTIFICATION.search(quiet)
    finally:
        board.send("q")
        board.wait_exit()
        board.close()
