"""Who may open ``wallboard web``: the origin of the page, the host it was asked for, and
the session cookie. Plain functions of request values, so every rule is testable alone.

* **Origin.** A browser names the page that opens a WebSocket (``Origin``), and the page of
  a request it makes from a script. Only the board's own origin (the ``Host`` it was asked
  for, or ``[web] public_url``) and the origins in ``[web] allowed_origins`` may. A request
  without ``Origin`` is not made by a page of another site (browsers always send it on
  WebSockets), so a command-line client is not refused for lacking one.
* **Host.** On a loopback address the ``Host`` must be a loopback name too (or the public
  URL's host): a page of ``evil.example`` whose name is made to point at 127.0.0.1 (DNS
  rebinding) would otherwise be "same origin" with the board.
* **Cookie.** What the browser keeps is derived from the token (an HMAC), never the token;
  it is compared as bytes in constant time, and any value (non-ASCII, malformed) is just
  "not the cookie".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from wallboard.net import is_loopback

COOKIE = "wallboard_web"


def cookie_value(token: str) -> str:
    """What the browser keeps: derived from the token, so the token itself is never stored."""
    key = token.encode("utf-8", "surrogatepass")
    return hmac.new(key, b"wallboard web session", hashlib.sha256).hexdigest()


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def host_name(host_header: str) -> str | None:
    """The host of a ``Host`` header (``127.0.0.1:8000``, ``[::1]:8000``), or None."""
    try:
        parts = urlsplit(f"//{host_header.strip()}")
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts.hostname


@dataclass(frozen=True)
class Access:
    """The rules of one ``wallboard web`` server."""

    cookie: str | None = None
    """The session cookie's expected value; None: no token, anyone on the address may."""
    allowed_origins: frozenset[str] = frozenset()
    public_url: str | None = None
    loopback: bool = True
    """The server listens on a loopback address only."""

    @property
    def public_origin(self) -> str | None:
        return origin_of(self.public_url) if self.public_url else None

    def host_problem(self, host_header: str) -> str | None:
        """Why a request for ``Host: host_header`` is refused, or None."""
        name = host_name(host_header)
        if name is None:
            return "the request names no valid host"
        if not self.loopback or is_loopback(name):
            return None
        public = urlsplit(self.public_url).hostname if self.public_url else None
        if public is not None and name == public.lower():
            return None
        return (f"this board listens on loopback only and is not {name}; open it as "
                "http://127.0.0.1:PORT/ or set [web] public_url")

    def origin_problem(self, origin: str | None, host_header: str) -> str | None:
        """Why a page of ``origin`` may not open the board asked for as ``host_header``."""
        if origin is None:
            return None
        given = origin.strip().lower()
        if given in self.allowed_origins or given == self.public_origin:
            return None
        parts = urlsplit(given)
        if given != "null" and parts.scheme in ("http", "https") and (
            parts.netloc == host_header.strip().lower()
        ):
            return None
        return (f"pages of {origin.strip()[:100]} may not open this board; list that origin "
                "in [web] allowed_origins if they should")

    def cookie_ok(self, value: str | None) -> bool:
        """Whether ``value`` is this server's session cookie (always, without a token)."""
        if self.cookie is None:
            return True
        if not value:
            return False
        given = value.encode("utf-8", "surrogatepass")
        return hmac.compare_digest(given, self.cookie.encode())

    def token_ok(self, token: str) -> bool:
        """Whether ``token`` (from ``?token=``) is this server's token."""
        return self.cookie is not None and self.cookie_ok(cookie_value(token))

    def frame_ancestors(self) -> str:
        """The Content-Security-Policy that keeps other sites from framing the board."""
        extra = set(self.allowed_origins)
        if self.public_origin:
            extra.add(self.public_origin)
        return "frame-ancestors 'self'" + "".join(f" {o}" for o in sorted(extra))
