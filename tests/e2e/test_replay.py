"""``wallboard replay`` end to end: a real board records a few seconds of the demo into a
SQLite file, then the replay plays them back in a real terminal, with its top line and
its keys."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.pty_board import ANSI, PtyBoard

pytestmark = pytest.mark.slow


def screen_text(pty: PtyBoard) -> str:
    return ANSI.sub(b"", pty.raw).decode(errors="replace")


def test_a_recorded_demo_is_played_back_with_its_keys(tmp_path: Path):
    store = tmp_path / "history.sqlite3"
    config = tmp_path / "board.toml"
    config.write_text(f'[store]\nurl = "{store}"\n[ui]\ntimezone = "UTC"\n')
    started = datetime.now(UTC).replace(microsecond=0)
    board = PtyBoard(["--config", str(config), "--demo", "--seed", "7"])
    try:
        board.wait_for("Waiting")
        # The store opens a second or two after the first picture, then records. The
        # recording must outlast the replay's first rows (drawn at its first refresh), or
        # the pause below lands after its end ("end of the recording" wins over "paused").
        board.read(8.0)
        board.send("q")
        assert board.wait_exit() == 0
    finally:
        board.close()
    assert store.exists()

    replay = PtyBoard(["--config", str(config), "replay", "--from", started.isoformat(),
                       "--speed", "1"])
    try:
        replay.wait_for("REPLAY")
        clock = re.search(r"REPLAY (\d\d:\d\d:\d\d) ×1", screen_text(replay))
        assert clock, screen_text(replay)[-400:]
        shown = datetime.strptime(clock.group(1), "%H:%M:%S").time()
        # the recording begins a moment after the board started: the replay starts there
        assert 0 <= (datetime.combine(started.date(), shown, UTC) - started).total_seconds() < 5
        replay.wait_for("● talking")  # the demo's calls are on the board again
        replay.send(" ")
        replay.wait_for("paused")
        replay.send("]")
        replay.wait_for("paused (×2)")
        replay.send("\x1b[D")  # left: back a minute, clamped at the start
        replay.read(0.5)
        replay.send("q")
        assert replay.wait_exit() == 0
        assert b"Traceback" not in replay.raw
    finally:
        replay.close()


@pytest.mark.parametrize(("args", "says"), [
    (["--from", "yesterday"], "--from 'yesterday' is not a time like 2026-11-30T08:00."),
    (["--from", "2026-11-30T08:00", "--speed", "0"], "--speed must be above 0"),
])
def test_bad_replay_arguments_are_one_line(tmp_path: Path, args: list[str], says: str):
    result = subprocess.run(
        [sys.executable, "-m", "wallboard", "replay", "--store",
         str(tmp_path / "none.sqlite3"), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_replaying_an_empty_store_says_so(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "wallboard", "replay", "--store", str(tmp_path / "none.sqlite3"),
         "--from", (datetime.now(UTC) - timedelta(hours=1)).isoformat()],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("wallboard replay: nothing is recorded in ")
