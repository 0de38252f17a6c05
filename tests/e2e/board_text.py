"""The board's call rows read back from a terminal's text (a tmux pane, the browser's
terminal): what the end-to-end tests compare between two moments."""

from __future__ import annotations

import re

DURATION = r"\d+(?::\d\d){1,2}"
ROW = re.compile(
    rf"^\s*(?P<talk>{DURATION}|–)\s+(?:!\s*)?(?P<wait>{DURATION})\s+[◔●‖]\s+"
    r"(?P<status>ringing|talking|on hold)\s.*?(?P<client>\+\d+(?: \d+)+)"
)


def seconds(duration: str) -> int:
    total = 0
    for part in duration.split(":"):
        total = total * 60 + int(part)
    return total


def talk_times(screen: str) -> dict[str, int]:
    """The talk time, in seconds, of every answered call on the screen, by client number.

    The top line and the counters are not rows: the clock ticking there counts for nothing.
    """
    found = {}
    for line in screen.splitlines():
        row = ROW.match(line)
        if row and row["talk"] != "–":
            found[row["client"]] = seconds(row["talk"])
    return found


def assert_talk_times_advanced(before: str, after: str, at_least: int) -> None:
    """The calls on both screens have talked ``at_least`` seconds more on the second."""
    first, second = talk_times(before), talk_times(after)
    both = first.keys() & second.keys()
    assert len(both) >= 3, f"too few answered calls on both screens:\n{before}\n---\n{after}"
    advanced = {client: second[client] - first[client] for client in both}
    assert all(delta >= at_least for delta in advanced.values()), advanced
