"""Finding secrets in what processes wrote: logs, audit files, screen captures.

A secret may be written as it is, URL-encoded (``%2F``, ``+`` for a space, upper or lower
case hex), inside HTTP basic auth (base64 of ``user:password``, with or without its
padding), or escaped as in JSON. :func:`forms` lists every such spelling, :func:`find`
looks for each in every capture, and in a screen capture also with the escape sequences
removed (a terminal may draw a secret in pieces between colour changes).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from tests.e2e.pty_board import ANSI


@dataclass(frozen=True)
class Leak:
    capture: str
    form: str
    context: str

    def __str__(self) -> str:
        return f"{self.capture}: {self.form} in …{self.context}…"


def forms(name: str, secret: str, user: str | None = None) -> dict[str, bytes]:
    """Every spelling of ``secret`` worth looking for, by a label naming it."""
    found = {
        f"{name} (plain)": secret,
        f"{name} (URL-encoded)": quote(secret, safe=""),
        f"{name} (URL-encoded, lower case)": _lower_hex(quote(secret, safe="")),
        f"{name} (form-encoded)": quote_plus(secret),
        f"{name} (JSON)": json.dumps(secret)[1:-1],
        f"{name} (base64)": base64.b64encode(secret.encode()).decode().rstrip("="),
    }
    if user is not None:
        basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
        found[f"{name} (basic auth)"] = basic.rstrip("=")
        found[f"{name} (user:password)"] = f"{user}:{secret}"
    unique: dict[str, bytes] = {}
    for label, text in found.items():
        if text.encode() not in unique.values():
            unique[label] = text.encode()
    return unique


def _lower_hex(text: str) -> str:
    parts = text.split("%")
    return parts[0] + "".join("%" + p[:2].lower() + p[2:] for p in parts[1:])


def find(captures: dict[str, bytes], needles: dict[str, bytes],
         anywhere: tuple[bytes, ...] = ()) -> list[Leak]:
    """Every needle found in every capture. ``anywhere``: text that may appear in no
    capture at all, whatever follows it (``api_key=``), compared case-insensitively."""
    leaks = []
    for capture, data in captures.items():
        views = [data, ANSI.sub(b"", data)]
        for label, needle in needles.items():
            for view in views:
                at = view.find(needle)
                if at >= 0:
                    leaks.append(Leak(capture, label, _around(view, at, len(needle))))
                    break
        for text in anywhere:
            at = data.lower().find(text.lower())
            if at >= 0:
                leaks.append(Leak(capture, text.decode(), _around(data, at, len(text))))
    return leaks


def _around(data: bytes, at: int, length: int) -> str:
    return data[max(0, at - 60): at + length + 60].decode(errors="replace")


def read_all(paths: list[Path]) -> dict[str, bytes]:
    """Each file's bytes by its name; a file that was never written is named as such, so
    a capture that went missing is not taken for a clean one."""
    missing = [p.name for p in paths if not p.exists()]
    assert not missing, f"never written: {missing}"
    return {p.name: p.read_bytes() for p in paths}
