"""The board's output without the styles the terminal already has
(wallboard/ui/compact_output.py): fewer bytes, and the same screen, cell by cell, in a
terminal emulator (pyte); on the real board in a real pty too."""

from __future__ import annotations

import os
from pathlib import Path

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.pty_board import PtyBoard
from wallboard.ui.compact_output import CompactOutput

TEXTUALS_OWN = "textual.drivers.linux_driver:LinuxDriver"
WIDTH, HEIGHT = 24, 6
STYLES = ("", "1;38;2;224;224;224;48;2;30;30;30", "38;2;224;224;224;48;2;18;18;18",
          "1;7;38;2;185;60;91;48;2;30;30;30", "38;2;78;191;113;48;2;18;18;18", "3", "4;1")
"""Styles as Rich writes them ("" is text in no style, written bare)."""
OTHERS = ("\x1b]52;c;KzQ4MjIxMDAyMDMw\x07", "\x07", "\x1b[?25l", "\x1b[?2026h",
          "\x1b[?2026l", "\x1b7", "\x1b8", "\x1b[J", "\x1b[<u", "\x1b[?2048$p")
"""What else a Textual app writes: the clipboard, the bell, modes, saving and restoring
the cursor (with its style), clearing, the keyboard protocol, a mode query."""


def cup(x: int, y: int) -> str:
    return f"\x1b[{y + 1};{x + 1}H"


def run(style: str, text: str) -> str:
    """A run of text as Rich writes it."""
    return f"\x1b[{style}m{text}\x1b[0m" if style else text


def screen(*writes: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> pyte.Screen:
    shown = pyte.Screen(*size)
    stream = pyte.Stream(shown)
    for data in writes:
        stream.feed(data)
    return shown


def cells(shown: pyte.Screen) -> list[list[pyte.screens.Char]]:
    return [[shown.buffer[y][x] for x in range(shown.columns)] for y in range(shown.lines)]


def test_a_style_set_again_after_its_reset_is_left_out():
    """Three counters of the board's top (from a real run), then the same style after a
    cursor move in the next frame, then another style, then text in none."""
    counters = (cup(1, 2) + run(STYLES[1], "1,006") + "\n" + cup(27, 2) + run(STYLES[1], "70")
                + "\n" + cup(53, 2) + run(STYLES[3], "46"))
    compact = CompactOutput()
    assert compact(counters) == (
        "\x1b[3;2H\x1b[1;38;2;224;224;224;48;2;30;30;30m1,006"
        "\x1b[3;28H70"
        "\x1b[3;54H\x1b[0;1;7;38;2;185;60;91;48;2;30;30;30m46")
    # the next frame: the style is still the terminal's, the reset still held back
    assert compact(cup(53, 2) + run(STYLES[3], "47")) == "\x1b[3;54H47"
    assert compact(cup(0, 0) + run("", " 12:05:56")) == "\x1b[1;1H\x1b[0m 12:05:56"
    # leaving the alternate screen: the terminal is back in no style before it
    assert compact(run(STYLES[1], "x") + "\x1b[?1049l") == (
        "\x1b[1;38;2;224;224;224;48;2;30;30;30mx\x1b[0m\x1b[?1049l")


def test_synchronized_output_and_cursor_moves_keep_the_reset_held():
    compact = CompactOutput()
    compact(cup(0, 0) + run(STYLES[2], "a"))
    frame = "\x1b[?2026h" + cup(2, 1) + "\x1b[2C" + run(STYLES[2], "b") + "\x1b[?2026l"
    assert compact(frame) == "\x1b[?2026h\x1b[2;3H\x1b[2Cb\x1b[?2026l"


def test_a_line_feed_is_kept_where_no_cursor_position_follows():
    compact = CompactOutput()
    assert compact(run(STYLES[1], "a") + "\nb") == (
        "\x1b[1;38;2;224;224;224;48;2;30;30;30ma\x1b[0m\nb")
    assert compact(run(STYLES[1], "a") + "\n") == (
        "\x1b[1;38;2;224;224;224;48;2;30;30;30ma\x1b[0m\n")


@st.composite
def updates(draw: st.DrawFn) -> str:
    """One write as Textual's compositor makes it: runs at cursor positions on rows from
    top to bottom, a line feed between rows (never after the last); or another escape."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(OTHERS))
    rows = sorted(draw(st.sets(st.integers(0, HEIGHT - 1), min_size=1, max_size=HEIGHT)))
    lines = []
    for y in rows:
        pieces = []
        for _ in range(draw(st.integers(1, 3))):
            x = draw(st.integers(0, WIDTH - 1))
            line = cup(x, y)
            room = WIDTH - x
            for _ in range(draw(st.integers(1, 3))):
                if room <= 0:
                    break
                text = draw(st.text("ab12 :", min_size=1, max_size=min(room, 5)))
                room -= len(text)
                line += run(draw(st.sampled_from(STYLES)), text)
            pieces.append(line)
        lines.append("".join(pieces))
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(updates(), min_size=1, max_size=12))
def test_the_terminal_shows_the_same_after_every_write(writes: list[str]):
    textuals, compact = pyte.Screen(WIDTH, HEIGHT), pyte.Screen(WIDTH, HEIGHT)
    raw_stream, compact_stream = pyte.Stream(textuals), pyte.Stream(compact)
    compacting = CompactOutput()
    sent = 0
    for data in writes:
        raw_stream.feed(data)
        out = compacting(data)
        compact_stream.feed(out)
        sent += len(out)
        assert cells(compact) == cells(textuals)
        assert (compact.cursor.x, compact.cursor.y) == (textuals.cursor.x, textuals.cursor.y)
    assert sent <= sum(map(len, writes))
    # whatever was held back, the terminal is in no style once another escape comes
    compact_stream.feed(compacting("\x1b[?1049l"))
    raw_stream.feed("\x1b[?1049l")
    assert compact.cursor.attrs == textuals.cursor.attrs == screen().cursor.attrs


def board(tmp_path: Path, driver: str | None) -> PtyBoard:
    config = tmp_path / "board.toml"
    config.write_text("[store]\nurl = \"off\"\n")
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    env["COLORTERM"] = "truecolor"  # as most terminals today: Textual writes 24-bit colours
    if driver:
        env["TEXTUAL_DRIVER"] = driver
    return PtyBoard(["--config", str(config), "--demo", "--demo-calls", "300", "--seed", "7"],
                    size=(160, 45), env=env)


@pytest.mark.slow
def test_textuals_own_output_of_the_real_board_compacts_to_the_same_screen(tmp_path: Path):
    """The live board as Textual's own driver writes it, from its start and for five
    seconds of the demo: compacted, the same screen in a terminal emulator; the five
    seconds in under half the bytes."""
    shown = board(tmp_path, TEXTUALS_OWN)
    try:
        shown.wait_for("talking")
        shown.read(1.0)
        start = shown.raw
        live = shown.read(5.0)
    finally:
        shown.close()
    compacting = CompactOutput()
    compacted_start = compacting(start.decode(errors="surrogateescape"))
    compacted_live = compacting(live.decode(errors="surrogateescape"))
    text = (start + live).decode(errors="surrogateescape")
    textuals = screen(text, size=(160, 45))
    compact = screen(compacted_start + compacted_live, size=(160, 45))
    assert cells(compact) == cells(textuals)
    assert "Total calls" in "".join(textuals.display)
    assert len(live) > 2000  # the demo's ticks and events were written
    sent = len(compacted_live.encode(errors="surrogateescape"))
    assert sent < len(live) / 2, (sent, len(live))


@pytest.mark.slow
def test_the_board_writes_compacted_and_gives_the_terminal_back_in_no_style(tmp_path: Path):
    """The board's own driver compacts (a reset before each style is Textual's way, side
    by side), and after q the terminal is in no style."""
    ours, textuals = board(tmp_path, None), board(tmp_path, TEXTUALS_OWN)
    try:
        for started in (ours, textuals):
            started.wait_for("talking")
        ours_from, textuals_from = len(ours.raw), len(textuals.raw)
        for _ in range(10):  # both read in turns for 5 s
            ours.read(0.25)
            textuals.read(0.25)
        ours_resets = ours.raw[ours_from:].count(b"\x1b[0m")
        textuals_resets = textuals.raw[textuals_from:].count(b"\x1b[0m")
        assert textuals_resets > 50
        assert ours_resets < textuals_resets / 4, (ours_resets, textuals_resets)
        ours.send("q")
        assert ours.wait_exit() == 0
        after = screen(ours.raw.decode(), size=(160, 45))  # all it wrote, from its start
        assert after.cursor.attrs == screen().cursor.attrs
    finally:
        ours.close()
        textuals.close()
