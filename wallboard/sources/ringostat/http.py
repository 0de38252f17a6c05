"""Ringostat's HTTP API (httpx), with every failure said in one sentence.

Current host (https://api.ringostat.net): the ``Auth-key`` header (and ``x-project-id``).
Legacy host (https://api.ringostat.com): ``project_id`` and ``token`` query parameters.
Those two are added by a transport *below* httpx's own request logging, which prints
URLs, so the key never reaches a log line; no message built here contains it either.
"""

from __future__ import annotations

import itertools
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from wallboard.config import RingostatSource
from wallboard.sources.ari.http import describe_host
from wallboard.sources.base import SourceError
from wallboard.sources.feed_errors import retry_after

JSON_RPC_PATH = "/api/json-rpc"
CUSTOM_STATUSES_PATH = "/rsp-api-v3"
ONLINE_PATH = "/sipstatus/online"
SPEAKING_PATH = "/sipstatus/speaking"
LEGACY_SPEAKING_PATH = "/sipstatus/speakingNow"
CALLS_PATH = "/calls/list"


class RingostatError(SourceError):
    """A failed request, said in one sentence; ``retry_after`` from the answer, if any."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class RingostatAuthError(RingostatError):
    """A missing or wrong Auth-key: a person must fix it."""


class RingostatRpcError(RingostatError):
    """A JSON-RPC error answer (e.g. "User does not exist", an unknown method)."""


class _LegacyAuth(httpx.AsyncBaseTransport):
    """Adds ``project_id`` and ``token`` to each request's query on its way to the wire."""

    def __init__(self, inner: httpx.AsyncBaseTransport, project_id: int, token: str) -> None:
        self.inner = inner
        self.params = {"project_id": str(project_id), "token": token}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        wire = httpx.Request(
            request.method, request.url.copy_merge_params(self.params),
            headers=request.headers, stream=request.stream, extensions=request.extensions,
        )
        return await self.inner.handle_async_request(wire)

    async def aclose(self) -> None:
        await self.inner.aclose()


class RingostatHttp:
    def __init__(self, settings: RingostatSource, key: str | None,
                 now: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.base = settings.api_url.rstrip("/")
        self.host = describe_host(settings.api_url)
        self.legacy = settings.uses_legacy_auth
        self._key = key or ""
        self._now = now or (lambda: datetime.now(UTC))
        self._ids = itertools.count(1)
        transport: httpx.AsyncBaseTransport = httpx.AsyncHTTPTransport(retries=0)
        headers = {"Accept": "application/json", "User-Agent": "wallboard"}
        if self.legacy:
            transport = _LegacyAuth(transport, settings.project_id, self._key)
        else:
            headers["Auth-key"] = self._key
            headers["x-project-id"] = str(settings.project_id)
        self.client = httpx.AsyncClient(
            base_url=self.base, headers=headers, transport=transport,
            timeout=settings.request_timeout_seconds, follow_redirects=False,
        )

    @property
    def speaking_path(self) -> str:
        return LEGACY_SPEAKING_PATH if self.legacy else SPEAKING_PATH

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- requests ----------------------------------------------------------------------
    async def get(self, path: str, **params: str) -> Any:
        return await self._send("GET", path, params=params)

    async def rpc(self, method: str, params: dict[str, Any], path: str = JSON_RPC_PATH) -> Any:
        """A JSON-RPC 2.0 call; the ``result``, or RingostatRpcError with its message."""
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": next(self._ids)}
        answer = await self._send("POST", path, json=body, what=method)
        if not isinstance(answer, dict):
            raise RingostatError(f"Ringostat sent an answer the wallboard cannot read for "
                                 f"{method}.")
        error = answer.get("error")
        if error:
            text = error.get("message") if isinstance(error, dict) else str(error)
            text = self.clean(str(text or "an error"))
            raise RingostatRpcError(f"Ringostat answered {method} with an error: {text}.")
        if "result" not in answer:
            raise RingostatError(f"Ringostat sent no result for {method}.")
        return answer["result"]

    async def _send(self, method: str, path: str, *, params: dict[str, str] | None = None,
                    json: Any = None, what: str | None = None) -> Any:
        what = what or f"{method} {path}"
        try:
            response = await self.client.request(method, path, params=params, json=json)
        except httpx.TimeoutException:
            raise RingostatError(
                f"Ringostat at {self.host} did not answer {what} within "
                f"{self.settings.request_timeout_seconds:g} s.") from None
        except httpx.HTTPError as exc:
            raise RingostatError(self.unreachable(exc)) from None
        status = response.status_code
        if status in (401, 403):
            where = "source.auth_key or $RINGOSTAT_AUTH_KEY"
            raise RingostatAuthError(
                f"Ringostat refused the Auth-key (HTTP {status}); check {where} "
                "(Settings, Integration, Ringostat API) and source.project_id.", status=status)
        if status == 429:
            raise RingostatError(
                f"Ringostat asks the wallboard to slow down (HTTP 429 for {what}).",
                status=status, retry_after=retry_after(response, self._now()))
        if status >= 500:
            reason = response.reason_phrase or "server error"
            raise RingostatError(
                f"Ringostat at {self.host} has a problem: HTTP {status} ({reason}) for {what}.",
                status=status, retry_after=retry_after(response, self._now()))
        if status == 404:
            raise RingostatError(
                f"Ringostat at {self.host} has no {path} (HTTP 404); check source.api_url.",
                status=status)
        if status >= 300:
            raise RingostatError(f"Ringostat answered HTTP {status} to {what}.", status=status)
        try:
            return response.json()
        except ValueError:
            raise RingostatError(
                f"Ringostat sent an answer that is not JSON for {what}.") from None

    # -- messages ----------------------------------------------------------------------
    def clean(self, text: str) -> str:
        if self._key:
            text = text.replace(self._key, "***")
        return text.strip().rstrip(".")[:200]

    def unreachable(self, exc: BaseException) -> str:
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and len(chain) < 10:
            chain.append(current)
            current = current.__cause__ or current.__context__
        text = " ".join(str(e) for e in chain).lower()
        if any(isinstance(e, ssl.SSLError) for e in chain) or "certificate" in text:
            reason = "its TLS certificate was not accepted"
        elif any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            reason = "connection refused; check source.api_url"
        elif any(isinstance(e, socket.gaierror) for e in chain) or "name or service" in text:
            reason = "unknown host name; check source.api_url"
        elif "unreachable" in text:
            reason = "the network is unreachable"
        else:
            reason = "the connection failed"
        return f"Cannot reach Ringostat at {self.host} ({reason})."
