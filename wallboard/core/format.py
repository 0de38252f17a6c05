"""Text forms of durations and phone numbers, shared by every screen."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """``0:07``, ``12:05``, ``1:02:03`` — whole seconds, never negative."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def counted(n: int, singular: str, plural: str) -> str:
    """``1 interval``, ``2 intervals``: a number with its noun in the right form.

    The one place plurals are built, shaped like ``ngettext(singular, plural, n)`` so that
    translations (with their own plural rules) can take over here.
    """
    return f"{n} {singular if n == 1 else plural}"


def format_hours(seconds: float) -> str:
    """``3h 05m`` or ``12m`` for longer totals."""
    total = max(0, int(round(seconds / 60)))
    hours, minutes = divmod(total, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def mask_number(number: str, keep_end: int = 3) -> str:
    """Hide the middle digits of a phone number: ``+48 501 234 123`` -> ``+48 *** *** 123``.

    The country code (``+`` and the digits before the first separator, or two digits
    when there is none) and the last ``keep_end`` digits stay; separators keep the shape.
    """
    positions = [i for i, ch in enumerate(number) if ch.isdigit()]
    if len(positions) <= keep_end + 2:
        return number
    keep = set(positions[-keep_end:])
    if number.startswith("+"):
        end = 1
        while end < len(number) and number[end].isdigit() and end <= 3:
            end += 1
        if end < len(number) and number[end].isdigit():
            end = 3  # no separator after the country code: keep two digits
        keep.update(range(1, end))
    return "".join("*" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(number))
