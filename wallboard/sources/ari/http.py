"""ARI over HTTP (httpx) and the event WebSocket's address, with errors said plainly.

No message built here ever contains the password or the api_key.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import ssl
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from wallboard.config import AriSource
from wallboard.sources.base import SourceError

AUTH_MESSAGE = "Asterisk refused the ARI username or password."
READ_ONLY_MESSAGE = "The ARI user is read-only; joining calls needs a user with read_only = no."


class AriError(SourceError):
    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail


class AriAuthError(AriError):
    """Wrong credentials: a person must fix the config; retrying will not help."""


class AriUnreachable(AriError):
    """Asterisk cannot be reached (down, wrong address, TLS); worth retrying."""


def describe_host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


class AriHttp:
    def __init__(self, settings: AriSource, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        base = settings.url.rstrip("/")
        self.base = base if base.endswith("/ari") else f"{base}/ari"
        self.host = describe_host(settings.url)
        self._credentials = credentials(settings)
        secrets = {s.get_secret_value() for s in (settings.password, settings.api_key) if s}
        if self._credentials is not None:
            secrets |= {self._credentials[1], self.authorization().removeprefix("Basic ")}
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)
        self._transport = transport
        self.client = self._new_client()

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base,
            auth=httpx.BasicAuth(*self._credentials) if self._credentials else None,
            verify=self.settings.verify_tls,
            timeout=self.settings.request_timeout_seconds,
            transport=self._transport,
        )

    async def reset(self) -> None:
        """Drop pooled connections (after a lost WebSocket they may be as dead as it was)."""
        old, self.client = self.client, self._new_client()
        await old.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- requests ------------------------------------------------------------------------
    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, **params)

    async def post(self, path: str, **params: Any) -> Any:
        return await self.request("POST", path, **params)

    async def delete(self, path: str, *, missing_ok: bool = True, **params: Any) -> Any:
        try:
            return await self.request("DELETE", path, **params)
        except AriError as exc:
            if missing_ok and exc.status == 404:
                return None
            raise

    async def request(self, method: str, path: str, **params: Any) -> Any:
        query = {k: _param(v) for k, v in params.items() if v is not None}
        try:
            response = await self.client.request(method, path, params=query)
        except httpx.TimeoutException:
            raise AriUnreachable(
                f"Asterisk at {self.host} did not answer within "
                f"{self.settings.request_timeout_seconds:g} s."
            ) from None
        except httpx.HTTPError as exc:
            raise AriUnreachable(self.unreachable(exc)) from None
        if response.status_code == 401:
            raise AriAuthError(AUTH_MESSAGE, 401)
        if response.status_code >= 400:
            detail = self.clean(_error_text(response))
            if response.status_code == 403:
                raise AriError(READ_ONLY_MESSAGE, 403, detail)
            if response.status_code >= 500 and method == "GET":
                raise AriError(self.unavailable(response.status_code, detail),
                               response.status_code, detail)
            raise AriError(
                f"Asterisk answered {response.status_code} to {method} {path}"
                + (f": {detail}" if detail else "")
                + ".",
                response.status_code,
                detail,
            )
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise AriError(f"Asterisk sent something that is not JSON for {path}.") from None

    # -- the event WebSocket ----------------------------------------------------------
    def ws_url(self) -> str:
        """No credentials in it: a URL ends up in logs (ours, proxies', Asterisk's)."""
        scheme = "wss" if self.base.startswith("https") else "ws"
        rest = self.base.split("://", 1)[1]
        query = {"app": self.settings.app, "subscribeAll": "true"}
        return f"{scheme}://{rest}/events?{urlencode(query)}"

    def authorization(self) -> str:
        if self._credentials is None:
            return ""
        token = ":".join(self._credentials).encode()
        return "Basic " + base64.b64encode(token).decode()

    def ws_headers(self) -> dict[str, str]:
        value = self.authorization()
        return {"Authorization": value} if value else {}

    def ws_logger(self) -> logging.LoggerAdapter[logging.Logger]:
        """websockets' logger, with credentials blanked: at DEBUG it logs every header."""
        return _Redacting(logging.getLogger("websockets.client"), self)

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.base.startswith("https"):
            return None
        context = ssl.create_default_context()
        if not self.settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    # -- messages ----------------------------------------------------------------------
    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def clean(self, text: str) -> str:
        return self.redact(text).strip().rstrip(".")

    def unavailable(self, status: int, detail: str = "") -> str:
        """A 5xx: Asterisk is there but cannot serve now (e.g. still booting)."""
        reason = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
        return f"Asterisk at {self.host} is not available ({reason})."

    def refused_websocket(self, status: int, detail: str = "") -> str:
        if status >= 500:
            return self.unavailable(status, detail)
        if status == 404:  # res_ari unlinks its URIs when ari.conf says enabled = no
            return (f"Asterisk at {self.host} has no ARI event WebSocket (HTTP 404); "
                    "is ARI enabled in ari.conf and http.conf?")
        return f"Asterisk at {self.host} refused the event WebSocket (HTTP {status})."

    def unreachable(self, exc: BaseException) -> str:
        cause = exc
        while not isinstance(cause, OSError) and (cause.__cause__ or cause.__context__):
            cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
        if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
            reason = "its TLS certificate was not accepted; see verify_tls"
        elif isinstance(cause, ConnectionRefusedError):
            reason = "connection refused; is Asterisk's HTTP server on that port?"
        elif isinstance(cause, socket.gaierror):
            reason = "unknown host name"
        elif isinstance(cause, TimeoutError):
            reason = "no answer"
        elif isinstance(cause, OSError) and cause.strerror:
            reason = cause.strerror.lower()
        else:
            reason = self.clean(str(exc)).lower() or type(exc).__name__
        return f"Cannot reach Asterisk at {self.host} ({reason.rstrip('.')})."


def credentials(settings: AriSource) -> tuple[str, str] | None:
    """(user, password) from username + password, or from ``api_key = "user:password"``:
    both are sent as HTTP basic auth, never as ``?api_key=`` in a URL."""
    if settings.username is not None and settings.password is not None:
        return settings.username, settings.password.get_secret_value()
    if settings.api_key is not None:
        user, _, password = settings.api_key.get_secret_value().partition(":")
        return user, password
    return None


class _Redacting(logging.LoggerAdapter):
    def __init__(self, logger: logging.Logger, http: AriHttp) -> None:
        super().__init__(logger, {})
        self.http = http

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            args = tuple(self._clean(a) for a in args)
            self.logger.log(level, self._clean(msg), *args, **kwargs)

    def _clean(self, value: object) -> object:
        if isinstance(value, str):
            return "Basic ***" if value.startswith("Basic ") else self.http.redact(value)
        return value


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text[:200]
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error") or "")
    return ""
