"""Issue 11's steps in a real terminal: keys sent by tmux in one write reach the board.

``tmux send-keys Enter Enter`` writes both keys to the pane's terminal at once, as a paste or
a slow SSH link would; the board must survive every burst and keep following its source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/test.sh installs it)")
    socket = str(tmp_path / "tmux.sock")
    # Python's view of the environment: under pytest the process-level one can hold
    # COLUMNS=80 LINES=24 (set below Python), which the board would take over its pane's size
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}

    def run(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True,
                              timeout=10, env=env).stdout

    yield run
    run("kill-server")


def _screen(tmux) -> str:  # type: ignore[no-untyped-def]
    return tmux("capture-pane", "-p", "-t", "board")


def _alive(tmux) -> bool:  # type: ignore[no-untyped-def]
    return tmux("list-panes", "-t", "board", "-F", "#{pane_dead}").strip() == "0"


def _wait_for(tmux, needle: str, timeout: float = 30) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(tmux)
        if needle in screen:
            return screen
        if not _alive(tmux):
            break
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} not on the screen:\n{screen}")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_keys_in_one_write_never_crash_the_board(tmux, size):
    width, height = size
    command = f"{sys.executable} -m wallboard --demo --seed 7"
    tmux("new-session", "-d", "-s", "board", "-x", str(width), "-y", str(height), "-c",
         str(ROOT), command)
    tmux("set-option", "-t", "board", "remain-on-exit", "on")
    _wait_for(tmux, "Total calls")
    # the footer ends with a whole label (it was cut to `q Qu` at 160x45, `c Co` at 80x24)
    lines = _wait_for(tmux, "? Help").splitlines()
    footer = lines[height - 1].rstrip()
    assert footer.endswith(("q Quit", "^p palette")) and "? Help" in footer, footer
    steps = [
        (["/"], ["Enter", "Enter"]),      # the employee picker, then two Enters at once
        (["d"], ["Enter", "Enter"]),      # the department picker
        (["m"], ["Escape", "Escape"]),    # the managers list
        (["?"], ["Escape", "Escape"]),    # help
        (["s", "s", "s", "s", "S"], []),  # by status, talking calls first ...
        (["l"], ["Enter", "Enter"]),      # ... then join one, confirming twice
        (["e", "p"], ["Escape", "Escape"]),
    ]
    for opener, together in steps:
        for key in opener:
            tmux("send-keys", "-t", "board", key)
            time.sleep(0.4)
        if together:
            tmux("send-keys", "-t", "board", *together)
            time.sleep(0.8)
        assert _alive(tmux), _screen(tmux)
    # escape twice as raw bytes, and a 50-character paste on the picker
    tmux("send-keys", "-t", "board", "-H", "1b", "1b")
    tmux("send-keys", "-t", "board", "/")
    time.sleep(0.4)
    tmux("send-keys", "-t", "board", "-l", "ab cd ef gh ij kl mn op rs tu vw xy z0 12 34 56 78")
    time.sleep(0.5)
    tmux("send-keys", "-t", "board", "Escape")
    time.sleep(0.8)
    assert _alive(tmux), _screen(tmux)
    # the board is back and still live: its clock moves on
    first = _wait_for(tmux, "Total calls").splitlines()[0]
    time.sleep(2.2)
    assert _alive(tmux)
    assert _screen(tmux).splitlines()[0].split()[0] != first.split()[0], first
