"""The webhook receiver ``wallboard serve`` mounts for Ringostat (``Source.http_routes``).

``POST /v1/hooks/ringostat/<secret>`` (GET too: Ringostat's static parameters travel in
the address). The secret is compared in constant time; a wrong one is a plain 404. The
parameters are the query's, then the body's: form-encoded, a JSON object, or a JSON-RPC
request's ``params``. A usable webhook is answered 200 at once (turning it into events
is a few dictionary updates); one the wallboard cannot use is answered 400 with one
sentence, which Ringostat lists on its "Webhook Error Check" page. The address holds the
secret, so it is never logged.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wallboard.sources.ringostat.calls import WebhookError

if TYPE_CHECKING:
    from wallboard.sources.ringostat.client import RingostatClient

HOOK_PATH = "/v1/hooks/ringostat/{secret}"
MAX_BODY = 64 * 1024
"""A webhook is a few hundred bytes; anything this big is not one."""


class _BadBody(ValueError):
    pass


def webhook_routes(source: RingostatClient) -> list[BaseRoute]:
    """The receiver, if a webhook secret is configured (else no route at all)."""
    secret = source.webhook_secret
    if not secret:
        return []
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = str(request.path_params.get("secret", "")).encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"message": "Not found."}, status_code=404)
        try:
            params = {**request.query_params, **await _body_params(request)}
        except _BadBody as exc:
            status = 413 if "too large" in str(exc) else 400
            return JSONResponse({"message": str(exc)}, status_code=status)
        try:
            source.accept_webhook(params)
        except WebhookError as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    return [Route(HOOK_PATH, receive, methods=["GET", "POST"])]


async def _body_params(request: Request) -> dict[str, str]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _BadBody("The webhook body is too large (at most 64 KB).")
    if not body.strip():
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise _BadBody("The webhook body is not UTF-8 text.") from None
    if kind == "application/x-www-form-urlencoded" or (not kind and "=" in text
                                                         and not text.lstrip().startswith("{")):
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        data = json.loads(text)
    except ValueError:
        raise _BadBody("The webhook body is neither JSON nor form-encoded parameters.") from None
    if isinstance(data, dict) and data.get("jsonrpc") and isinstance(data.get("params"), dict):
        data = data["params"]
    if not isinstance(data, dict):
        raise _BadBody("The webhook's JSON body must be an object of parameters.")
    return {str(k): _text(v) for k, v in data.items() if v is not None}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
