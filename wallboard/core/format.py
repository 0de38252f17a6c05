"""Text forms of durations and phone numbers, shared by every screen."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


def format_duration(seconds: float) -> str:
    """``0:07``, ``12:05``, ``1:02:03`` — whole seconds, never negative."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


@lru_cache(maxsize=8192)
def format_number(number: str) -> str:
    """A phone number grouped for display, by the rules of its country (``phonenumbers``):
    ``+380501234567`` -> ``+380 50 123 4567``, ``+12125550100`` -> ``+1 212-555-0100``.

    Only numbers with their country code (``+`` or ``00``) can be grouped; anything else
    (an extension, a short or a national number, a name) is returned as given.
    """
    parsed = _international(number)
    return number.strip() if parsed is None else _grouped(parsed, number)


@lru_cache(maxsize=8192)
def mask_number(number: str) -> str:
    """A client's number with its middle hidden, for wall screens and the audit log.

    * A number with its country code is grouped (:func:`format_number`): the ``+`` and
      country code stay, and so do the last 3 digits (the last 2 when the national number
      is shorter than 8 digits); an extension after it is hidden whole:
      ``+48501234123`` -> ``+48 *** *** 123``, ``+380501234567`` -> ``+380 ** *** *567``,
      ``+12125550100`` -> ``+1 ***-***-*100``.
    * Any other number (no country code: an extension, a short or a national number) keeps
      its own separators and is judged by its count of digits: 3 or fewer (``112``, a
      service code) are shown as they are; 4 to 6 (an extension or a short number) keep
      the last 2 (``12345`` -> ``***45``); 7 or more keep the last 3
      (``0501 234 123`` -> ``**** *** 123``).
    * Text without digits (``anonymous``) is shown as it is.
    """
    parsed = _international(number)
    if parsed is None:
        digits = sum(ch.isdigit() for ch in number)
        if digits <= 3:
            return number
        return _hide_digits(number.strip(), keep=2 if digits <= 6 else 3)
    national = phonenumbers.national_significant_number(parsed)
    keep = 3 if len(national) >= 8 else 2
    extension = parsed.extension
    parsed.extension = None
    grouped = _grouped(parsed, number)
    code = f"+{parsed.country_code}"
    masked = code + _hide_digits(grouped[len(code):], keep=keep)
    return masked + (f" ext. {'*' * len(extension)}" if extension else "")


def _hide_digits(text: str, keep: int) -> str:
    """``text`` with every digit but the last ``keep`` replaced by ``*``."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    shown = set(positions[-keep:]) if keep else set()
    return "".join("*" if ch.isdigit() and i not in shown else ch for i, ch in enumerate(text))


def _grouped(parsed: phonenumbers.PhoneNumber, text: str) -> str:
    """A valid number grouped by its country's rules; a merely possible one (a range the
    metadata does not know) keeps the separators it came with, after ``+<country code>``."""
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    code = str(parsed.country_code)
    rest = text.strip().removeprefix("+").removeprefix("00").removeprefix(code)
    if parsed.extension or not any(not ch.isdigit() for ch in rest.strip()):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"+{code} {rest.strip()}"


def _international(number: str) -> phonenumbers.PhoneNumber | None:
    """``number`` parsed, if it carries its country code (``+48...`` or ``0048...``)."""
    text = number.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_possible_number(parsed) else None
