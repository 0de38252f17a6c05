"""The board's terminal driver (wallboard/ui/driver.py): its input thread sleeps while
nobody types, and keys still work, a lone escape too. A real board in a real pty."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.drivers.linux_driver import LinuxDriver

from tests.e2e.pty_board import PtyBoard
from wallboard.ui.driver import QuietLinuxDriver, quiet

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEXTUALS_OWN = "textual.drivers.linux_driver:LinuxDriver"


def wakeups(pid: int) -> dict[int, int]:
    """Each thread's voluntary context switches so far (a wait that ended), by thread id."""
    found = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
        except OSError:
            continue  # a thread that just ended
        found[int(tid)] = int(status.split("voluntary_ctxt_switches:")[1].split()[0])
    return found


def busiest_other_thread(board: PtyBoard, seconds: float) -> float:
    """Wake-ups per second of the most wakeful thread but the event loop's."""
    pid = board.proc.pid
    before = wakeups(pid)
    board.read(seconds)
    after = wakeups(pid)
    return max((after[t] - before[t]) / seconds for t in after if t in before and t != pid)


def board(tmp_path: Path, env: dict[str, str] | None = None) -> PtyBoard:
    config = tmp_path / "board.toml"
    config.write_text("[store]\nurl = \"off\"\n")
    return PtyBoard(["--config", str(config), "--demo", "--seed", "7"], size=(120, 35),
                    env=env)


def test_no_thread_but_the_event_loop_wakes_up_ten_times_a_second(tmp_path: Path):
    """Textual's own input thread wakes ten times a second (the contrast, run beside it);
    the board's sleeps: what is left is the writer, once or twice per frame."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    ours, textuals = board(tmp_path, env), board(tmp_path, {**env, "TEXTUAL_DRIVER": TEXTUALS_OWN})
    try:
        for started in (ours, textuals):
            started.wait_for("talking")
        time.sleep(1.5)  # past the start-up's own keys (the terminal's answers)
        assert busiest_other_thread(textuals, 3.0) >= 8
        assert busiest_other_thread(ours, 3.0) < 5
    finally:
        ours.close()
        textuals.close()


def test_a_lone_escape_after_a_long_quiet_still_closes_help(tmp_path: Path):
    """The escape that comes to a sleeping input thread is timed out as Textual's own
    thread does: help closes (if the thread slept on, it would wait for the next key)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/test.sh installs it)")
    config = tmp_path / "board.toml"
    config.write_text("[store]\nurl = \"off\"\n")
    socket = str(tmp_path / "tmux.sock")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TEXTUAL_DRIVER")}

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True,
                              timeout=10, env=env).stdout

    def screen_has(text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in tmux("capture-pane", "-p", "-t", "board"):
                return True
            time.sleep(0.1)
        return False

    tmux("new-session", "-d", "-s", "board", "-x", "120", "-y", "35", "-c", str(ROOT),
         f"{sys.executable} -m wallboard --config {config} --demo --seed 7")
    try:
        assert screen_has("Total calls", 30)
        tmux("send-keys", "-t", "board", "?")
        assert screen_has("Keys", 5)
        time.sleep(2.5)  # nobody types: the input thread sleeps
        tmux("send-keys", "-t", "board", "-H", "1b")  # an escape byte alone
        deadline = time.monotonic() + 2
        while screen_has("Keys", 0.1) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not screen_has("Keys", 0.1), "help is still open after a lone escape"
        assert screen_has("Total calls", 1)
    finally:
        tmux("kill-server")


def test_a_character_split_between_two_reads_does_not_stop_the_keys(tmp_path: Path):
    """The first byte of "ł" alone decodes to nothing yet: that is not the end of input,
    and the keys after it still arrive (help opens)."""
    shown = board(tmp_path)
    try:
        shown.wait_for("talking")
        shown.send(b"\xc5")
        shown.read(0.5)
        shown.send(b"\x82")
        shown.read(0.5)
        shown.send("?")
        shown.wait_for("Keys", timeout=5)
    finally:
        shown.close()


def test_only_textuals_own_linux_driver_is_replaced(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert quiet(LinuxDriver) is QuietLinuxDriver
    assert quiet(HeadlessDriver) is HeadlessDriver
    monkeypatch.setenv("TEXTUAL_DRIVER", TEXTUALS_OWN)  # named: as it is
    assert quiet(LinuxDriver) is LinuxDriver
