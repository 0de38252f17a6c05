"""The board's own terminal: the one setting Textual leaves as the shell had it.

A terminal turns every line feed a program writes into a carriage return and a line feed
(the tty's ``ONLCR``). Textual's full-screen updates place every line they write with an
absolute cursor move, and still end each line but the last with a line feed, so the
carriage return is a byte per line of every update on the wire (over SSH, to a wall TV)
that moves nothing. The board turns the translation off for as long as it runs;
Textual puts back the terminal's settings as they were, ``ONLCR`` with them, when it stops.
"""

from __future__ import annotations

import os
import termios
from typing import Any


def plain_line_feeds(driver: Any) -> bool:
    """Stop the terminal from adding a carriage return to each line feed the board writes;
    False when the board does not draw on a terminal (a test, the browser) or it refuses.

    Only when the driver saved the terminal's settings to put back at exit (Textual's Linux
    driver does, in ``attrs_before``), so a shell never keeps this setting."""
    fileno = getattr(driver, "fileno", None)
    if not isinstance(fileno, int) or getattr(driver, "attrs_before", None) is None:
        return False
    try:
        if not os.isatty(fileno):
            return False
        attrs = termios.tcgetattr(fileno)
        attrs[1] &= ~termios.ONLCR
        termios.tcsetattr(fileno, termios.TCSANOW, attrs)
    except (OSError, termios.error):
        return False
    return True
