"""Checks on values people type or sources send: tokens, feed addresses, time zones, origins,
and the extensions a softphone dials.

The ``*_problem`` functions are pure: each returns the problem as words (to be put in a
sentence naming where the value came from), or None when the value is fine. The few
field validators below raise pydantic's error, which the config loader turns into one
sentence naming the file and the key.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr
from pydantic_core import PydanticCustomError

TOKEN_MIN_LENGTH = 16
MAKE_TOKEN = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
"""How to make a good token, said in every refusal of a weak one."""


def token_problem(token: str) -> str | None:
    """Why ``token`` is too weak to guard a board: blank, or shorter than 16 characters."""
    value = token.strip()
    if not value:
        return "is blank"
    if len(value) < TOKEN_MIN_LENGTH:
        count = f"{len(value)} character{'s' if len(value) != 1 else ''}"
        return f"is too short ({count}; at least {TOKEN_MIN_LENGTH})"
    return None


def weak_token_sentence(where: str, problem: str) -> str:
    return (f"{where} {problem}; use a long random string, e.g. the output of "
            f"{MAKE_TOKEN}")


# -- field validators (raise pydantic's error, which the config loader turns into a sentence)
def strong_token(token: SecretStr | None) -> SecretStr | None:
    problem = None if token is None else token_problem(token.get_secret_value())
    if problem:
        raise PydanticCustomError("weak_token", "the token {problem}; use a long random "
                                  "string, e.g. the output of {make}",
                                  {"problem": problem, "make": MAKE_TOKEN})
    return token


def origin_or_url(text: str, what: str, *, path_ok: bool) -> str:
    """``scheme://host[:port]`` (plus a path if ``path_ok``), lower-cased, no trailing /."""
    value = text.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.username or parts.query or parts.fragment
            or (parts.path and not path_ok)):
        example = "https://board.example.com" + ("/wallboard" if path_ok else "")
        raise PydanticCustomError("origin", "{value} is not {what} like {example}",
                                  {"value": repr(text), "what": what, "example": example})
    origin = f"{parts.scheme}://{parts.netloc.lower()}"
    return origin + parts.path if path_ok else origin


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed, for messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the address of a ``wallboard serve``.

    Accepted: ``http://host[:port][/path]``, ``https://...``, or the short ``host:port``.
    """
    text = url.strip()
    if not text:
        return "is empty"
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return "contains spaces or control characters"
    if "://" not in text:
        host, sep, port = text.rpartition(":")
        if not sep or not host or not port.isdigit():
            return "is not a feed address; use http://host:port, e.g. http://10.0.0.5:8765"
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
        port_number = parts.port
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host name; use http://host:port"
    if port_number == 0:
        return "has a port that is not a number from 1 to 65535"
    return None


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "is not a known time zone; use an IANA name such as Europe/Warsaw"
    return None


DIAL_VALUE = re.compile(r"[0-9A-Za-z+*#][0-9A-Za-z+*#._]{0,63}")
"""What may be put into a softphone's URI: an extension, a number or a SIP user part.

Digits, letters, ``+``, ``*``, ``#`` (and ``.`` or ``_`` after the first character); never
``@``, ``;``, ``?``, ``/``, ``:``, whitespace, control characters or a leading ``-``, so a
value can neither change the SIP address (another host, transport or header) nor become
an option of the softphone program. At most 64 characters.
"""

_DIAL_CHAR = re.compile(r"[0-9A-Za-z+*#._]")


def dial_value_problem(value: str) -> str | None:
    """Why ``value`` must not be dialled (see :data:`DIAL_VALUE`), or None."""
    if DIAL_VALUE.fullmatch(value):
        return None
    if not value:
        return "is empty"
    if not _DIAL_CHAR.fullmatch(value[0]) or value[0] in "._":
        return f"starts with {value[0]!r}"
    bad = next((ch for ch in value if not _DIAL_CHAR.fullmatch(ch)), None)
    if bad is None:
        return "is longer than 64 characters" if len(value) > 64 else "cannot be dialled"
    if ord(bad) < 32 or ord(bad) == 127 or bad.isspace():
        what = "a space or a control character"
    else:
        what = repr(bad)
    return f"contains {what} (only digits, letters, +, * and # can be dialled)"


def shown(value: str, limit: int = 40) -> str:
    """``value`` safe to put in a message: control characters escaped, length capped."""
    text = value.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"
