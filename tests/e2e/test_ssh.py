"""The board over a real SSH connection: sshd on loopback, ``ssh -tt`` inside tmux."""

from __future__ import annotations

import shlex
import subprocess
import time

import pytest

from tests.e2e.board_text import assert_talk_times_advanced
from tests.e2e.sshd import SshServer, board_command, missing_tools

pytestmark = pytest.mark.slow


@pytest.fixture
def sshd(tmp_path):
    if reason := missing_tools():
        pytest.skip(reason)
    server = SshServer(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def tmux(tmp_path):
    """A private tmux server (its own socket); killed afterwards."""
    socket = str(tmp_path / "tmux.sock")

    def run(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True,
                              timeout=10).stdout

    yield run
    run("kill-server")


def test_the_board_over_ssh_shows_counters_and_live_rows(sshd, tmux):
    ssh = shlex.join(sshd.ssh_argv(board_command("--demo", "--seed", "7")))
    tmux("new-session", "-d", "-s", "board", "-x", "160", "-y", "45", ssh)

    screen = _wait_for(tmux, "Total calls", "talking", timeout=40)
    assert "Total calls" in screen and "talking" in screen
    time.sleep(3)
    # the same calls, 3 s on: each one's talk time has moved on (not just the clock on top)
    assert_talk_times_advanced(screen, _capture(tmux), at_least=2)

    tmux("send-keys", "-t", "board", "q")  # the board quits; ssh and the session end
    deadline = time.monotonic() + 15
    while "board" in tmux("list-sessions", "-F", "#{session_name}") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert "board" not in tmux("list-sessions", "-F", "#{session_name}")


def _capture(tmux) -> str:  # type: ignore[no-untyped-def]
    return tmux("capture-pane", "-p", "-t", "board")


def _wait_for(tmux, *needles: str, timeout: float) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(tmux)
        if all(needle in screen for needle in needles):
            return screen
        time.sleep(0.5)
    raise AssertionError(f"{needles} not on the screen after {timeout} s:\n{screen}")
