"""Text forms of durations and numbers (wallboard/core/format.py)."""

import pytest

from wallboard.core.format import format_duration, format_hours


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7.9, "0:07"), (65, "1:05"), (3599, "59:59"), (3723, "1:02:03"), (-4, "0:00")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0m"), (29, "0m"), (31, "1m"), (12 * 60, "12m"), (3600, "1h 00m"),
     (3 * 3600 + 5 * 60, "3h 05m"), (-60, "0m")],
)
def test_format_hours(seconds, text):
    assert format_hours(seconds) == text
