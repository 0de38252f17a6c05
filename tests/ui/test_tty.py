"""The board's own terminal (wallboard/ui/tty.py): while the board runs, a line feed it
writes is not turned into a carriage return and a line feed; when it stops, the terminal
translates again, as the shell had it. A real board in a real pty, drawn by Textual's own
driver: the board's own driver leaves out every line feed Textual writes (each comes right
before a cursor position; ui/compact_output.py)."""

from __future__ import annotations

import termios
from pathlib import Path

import pytest

from tests.e2e.pty_board import PtyBoard
from wallboard.ui.tty import plain_line_feeds

pytestmark = pytest.mark.slow


def translates(pty: PtyBoard) -> bool:
    """Whether the pty adds a carriage return to each line feed (its ONLCR)."""
    return bool(termios.tcgetattr(pty.master)[1] & termios.ONLCR)


def test_the_board_writes_bare_line_feeds_and_gives_the_terminal_back(tmp_path: Path):
    config = tmp_path / "board.toml"
    config.write_text("[store]\nurl = \"off\"\n")
    board = PtyBoard(["--config", str(config), "--demo", "--seed", "7"], size=(120, 35),
                     env={"TEXTUAL_DRIVER": "textual.drivers.linux_driver:LinuxDriver"})
    try:
        assert translates(board), "a fresh pty translates, as a shell's does"
        board.wait_for("talking")
        assert not translates(board)
        board.raw = b""
        written = board.read(3.0)  # a few one-second ticks of the demo
        assert written.count(b"\n") >= 3, written[-400:]  # updates of several lines
        assert b"\r\n" not in written
        board.send("q")
        assert board.wait_exit() == 0
        assert translates(board), "the terminal's setting is back after the board"
    finally:
        board.close()


def test_without_a_terminal_nothing_is_changed():
    class Headless:  # a driver with no terminal settings saved (tests, the browser)
        fileno = 0
        attrs_before = None

    assert plain_line_feeds(Headless()) is False
    assert plain_line_feeds(object()) is False
