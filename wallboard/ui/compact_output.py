"""Fewer bytes to the terminal: a style set again right after a reset is left out.

Textual writes every run of text as ``ESC[<style>m`` text ``ESC[0m``: the whole style
before each run (a bold truecolor foreground and background is 34 bytes), and a reset
after it, even when the next run, one cursor move away, has the same style. On the live
board most of what changes each second is such runs (the ticking durations, the counters),
each in the style of the one before, so styles were two thirds of the bytes. Over SSH to
a wall TV every byte is sent again. :class:`CompactOutput` keeps the terminal's style
between runs:

- a reset is held back until something needs it: text in no style, any sequence but a
  cursor move, or a style other than the one it would end (the reset and the new style
  then go as one sequence, ``ESC[0;<style>m``);
- a style equal to the one the held-back reset would end is left out, and the reset with
  it: the terminal is already in that style;
- a line feed right before a cursor position is left out: the position is absolute, and
  Textual writes line feeds only between the lines of an update, never after its last,
  so they never scroll the screen.

What the terminal shows is the same, cell by cell (tests/ui/test_compact_output.py renders
both streams in a terminal emulator). Only the board's own terminal driver compacts
(ui/driver.py); the browser's is left alone.
"""

from __future__ import annotations

import re
import threading

_TOKEN = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])|\n|[^\x1b\n]+|\x1b")
"""A control sequence (its parameters, intermediates and final character), a line feed,
text, or another escape's first character (the rest of that escape reads as text and
passes through as it is)."""
_PLAIN = re.compile(r"[0-9;:]*")
"""Parameters with no private marker: a plain cursor move or style."""
_MOVES = frozenset("HfABCDG")
"""Cursor moves: they draw nothing, so a held-back reset can wait past them."""
_QUIET = frozenset({"\x1b[?2026h", "\x1b[?2026l"})
"""Synchronized output's begin and end (written around each frame): they draw nothing."""
RESET = "\x1b[0m"


class CompactOutput:
    """What a Textual app writes, with the styles the terminal already has left out.

    Call it with each piece of output, in order; it keeps the terminal's style between
    calls. Safe to call from several threads (one at a time)."""

    def __init__(self) -> None:
        self._style: str | None = ""
        """The terminal's style: the parameters that set it after a reset ("" for none),
        or None when not known (set on top of another, or after an escape that may have
        changed it)."""
        self._held = False
        """A reset was written and not yet sent."""
        self._lock = threading.Lock()

    def __call__(self, data: str) -> str:
        with self._lock:
            return self._compact(data)

    def _compact(self, data: str) -> str:
        out: list[str] = []
        append = out.append
        style, held = self._style, self._held
        line_feed = False
        """A line feed read and not yet sent: left out if a cursor position follows."""
        for match in _TOKEN.finditer(data):
            token = match.group(0)
            final = match.group(3)
            plain = final is not None and not match.group(2) and \
                _PLAIN.fullmatch(match.group(1)) is not None
            if line_feed:
                line_feed = False
                if not (plain and final in "Hf"):
                    if held:
                        append(RESET)
                        style, held = "", False
                    append("\n")
            if plain and final == "m":
                params = match.group(1)
                if params in ("", "0"):
                    held = True
                elif held:
                    held = False
                    if params != style:
                        append(f"\x1b[0;{params}m")
                        style = params
                else:
                    append(token)
                    style = params if style == "" else None
            elif token == "\n":
                line_feed = True
            elif (plain and final in _MOVES) or token in _QUIET:
                append(token)
            else:  # text, or a sequence that may draw or change the style
                if held:
                    append(RESET)
                    style, held = "", False
                append(token)
                if final is not None or token == "\x1b":
                    style = None
        if line_feed:
            if held:
                append(RESET)
                style, held = "", False
            append("\n")
        self._style, self._held = style, held
        return "".join(out)
