"""Text forms of durations and numbers (wallboard/core/format.py)."""

import pytest

from wallboard.core.format import format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7.9, "0:07"), (65, "1:05"), (3599, "59:59"), (3723, "1:02:03"), (-4, "0:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text
