"""What went wrong with the feed, in one sentence; how long to wait before retrying; and
the feed's addresses as the client uses them.

Every httpx exception type maps to a sentence that names the feed's address and what to
check. No sentence ever contains a token: they are built from the URL and the error's
type, never from request headers.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
from pydantic import ValidationError

from wallboard.checks import without_userinfo


def normalize_url(url: str) -> str:
    url = url.strip()
    return (url if "://" in url else f"http://{url}").rstrip("/")


@dataclass(frozen=True)
class Endpoint:
    """One address of a feed, as the client uses it."""

    url: str
    """Shown in messages: without the credentials of ``http://user:password@host``."""
    auth: httpx.BasicAuth | None
    """Those credentials, for the requests."""
    title: str
    problem: str | None = None
    """Why the address cannot be used (one sentence), or None."""


def endpoint(url: str) -> Endpoint:
    url = normalize_url(url)
    try:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise httpx.InvalidURL("not http")
        auth = None
        if parsed.userinfo:
            auth = httpx.BasicAuth(parsed.username, parsed.password)
            parsed = parsed.copy_with(username=None, password=None)
            url = str(parsed).rstrip("/")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        return Endpoint(url, auth, f"feed {parsed.host}:{port}")
    except (httpx.InvalidURL, ValueError, TypeError):
        url = without_userinfo(url)
        return Endpoint(url, None, "feed",
                        f"The feed URL {url} is not a valid address; use http://host:port.")


def message_of(response: httpx.Response) -> str:
    """The ``message`` of a JSON error body, if there is one (one line, bounded)."""
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return message.splitlines()[0][:300] if isinstance(message, str) and message else ""


def first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(top)"
        return f"{loc}: {first['msg']}"
    return f"{type(exc).__name__}"


MAX_RETRY_AFTER = 300.0
"""A Retry-After longer than this is capped (a misconfigured proxy must not park us)."""


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _connect_reason(exc: httpx.ConnectError) -> str:
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return "connection refused. Is `wallboard serve` running there?"
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service" in text:
        return "the host name is unknown."
    if "unreachable" in text:
        return "the network is unreachable."
    if "certificate" in text or "ssl" in text:
        return "its TLS certificate was not accepted."
    return "the connection failed."


def describe_error(exc: BaseException, url: str) -> str:
    """One clear sentence for an httpx (or OS) error talking to the feed at ``url``."""
    match exc:
        case httpx.ConnectTimeout():
            return f"Cannot reach the feed at {url}: the connection timed out."
        case httpx.ConnectError():
            return f"Cannot reach the feed at {url}: {_connect_reason(exc)}"
        case httpx.ReadTimeout():
            return f"The feed at {url} went silent: no data and no heartbeat in time."
        case httpx.WriteTimeout():
            return f"The feed at {url} stopped accepting data (write timed out)."
        case httpx.PoolTimeout():
            return f"Too many requests to the feed at {url} at once (no free connection)."
        case httpx.RemoteProtocolError():
            return f"The feed at {url} closed the connection unexpectedly."
        case httpx.LocalProtocolError():
            return f"The request to the feed at {url} was not valid HTTP."
        case httpx.ReadError() | httpx.WriteError() | httpx.CloseError():
            return f"The connection to the feed at {url} broke."
        case httpx.ProxyError():
            return f"The proxy refused the connection to the feed at {url}."
        case httpx.UnsupportedProtocol():
            return f"The feed URL {url} must start with http:// or https://."
        case httpx.InvalidURL():
            return f"The feed URL {url} is not a valid address."
        case httpx.TooManyRedirects():
            return f"The feed at {url} redirects in a loop."
        case httpx.DecodingError():
            return f"The feed at {url} sent an answer that could not be decoded."
        case httpx.TimeoutException():
            return f"The feed at {url} timed out."
        case httpx.TransportError():
            return f"The connection to the feed at {url} failed."
        case httpx.HTTPError():
            return f"Talking to the feed at {url} failed ({type(exc).__name__})."
        case OSError():
            return f"Cannot reach the feed at {url}: {exc.strerror or 'a network error'}."
    return f"Talking to the feed at {url} failed ({type(exc).__name__})."


def describe_status(status: int, url: str, detail: str = "") -> str:
    """One sentence for an unexpected HTTP status from the feed."""
    if status == 401:
        return (f"The feed at {url} requires a token: set [source] token in the config "
                "or $WALLBOARD_TOKEN.")
    if status == 403:
        return (f"The feed at {url} rejected the token: check [source] token or "
                "$WALLBOARD_TOKEN.")
    if status == 404:
        return f"{url} is not a wallboard feed (404 for the feed's address)."
    if status == 429:
        return f"The feed at {url} asks us to slow down (429)."
    if status == 503:
        return f"The feed at {url} is not ready yet (503)."
    reason = detail.rstrip(".") if detail else httpx.codes.get_reason_phrase(status) or "error"
    return f"The feed at {url} answered {status}: {reason}."


def retry_after(response: httpx.Response, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped; or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))
