"""textual-serve, adapted: a token check, an exec'd command, and no app process left behind.

textual-serve offers no hooks for these, so two small subclasses override what they must:

* ``BoardServer.handle_index`` / ``handle_websocket``: check the token (``?token=`` once,
  then a cookie derived from it) and build the websocket address from the request, so a
  wildcard bind works; the websocket handler ends its app process on *every* exit path.
* ``BoardAppService``: starts ``python -m wallboard ...`` without a shell (upstream runs
  ``sh -c``, and killing the shell would orphan the app), keeps draining the app's output
  after the browser left, and ``terminate()`` escalates quit -> SIGTERM -> SIGKILL.

Why: upstream's ``stop()`` only asks the app to quit and never waits for or kills it, and
nothing at all happens when the server itself dies — the app then keeps running for ever.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import hmac
import logging
import os
import re
import shlex
import signal
from asyncio.subprocess import PIPE, Process
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from wallboard.web.driver import PARENT_ENV

log = logging.getLogger("wallboard.web")

DRIVER = "wallboard.web.driver:BoardWebDriver"
COOKIE = "wallboard_web"
TOKEN_ENV = "WALLBOARD_WEB_TOKEN"
QUIT_SECONDS = 3.0
"""How long an app gets to quit when asked before it is sent SIGTERM (then SIGKILL)."""


class BoardAppService(AppService):
    """One browser session's app process."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width, height)
        env["TEXTUAL_DRIVER"] = DRIVER
        env[PARENT_ENV] = str(os.getpid())
        env.pop(TOKEN_ENV, None)
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=PIPE, stdout=PIPE, stderr=PIPE,
            env=self._build_environment(width, height),
        )
        self._stdin = process.stdin
        return process

    @property
    def process(self) -> Process | None:
        return self._process

    async def on_data(self, payload: bytes) -> None:
        """Forward output; once the browser is gone keep reading, so the app never blocks."""
        with contextlib.suppress(ConnectionError):
            await super().on_data(payload)

    async def terminate(self) -> None:
        """End the app process for certain: ask it to quit, then SIGTERM, then SIGKILL."""
        process = self._process
        if process is not None and process.returncode is None:
            await self.send_meta({"type": "quit"})
            for sig in (None, signal.SIGTERM, signal.SIGKILL):
                if sig is not None:
                    with contextlib.suppress(ProcessLookupError):
                        process.send_signal(sig)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(process.wait(), QUIT_SECONDS)
                    break
        if self._stdin is not None:
            self._stdin.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, QUIT_SECONDS)
            except TimeoutError:
                pass  # wait_for has cancelled the reader
            self._task = None
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)


class BoardServer(Server):
    """Serves the wallboard: one app process per browser tab, each ended when the tab goes."""

    def __init__(self, argv: list[str], *, host: str, port: int, token: str | None) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title="wallboard")
        self.argv = argv
        self.cookie = _cookie_value(token) if token else None
        self.sessions: set[BoardAppService] = set()
        atexit.register(self._kill_leftovers)

    # -- logging: one plain line per request, tokens blanked --------------------------
    def initialize_logging(self) -> None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        handler.addFilter(_redact_tokens)
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)

    async def on_startup(self, app: web.Application) -> None:
        protected = " (token required)" if self.cookie else ""
        print(f"wallboard web: serving on http://{self.host}:{self.port}/{protected}; "
              "Ctrl+C to stop.", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.terminate() for s in list(self.sessions)))

    # -- the token --------------------------------------------------------------------
    def authorized(self, request: web.Request) -> bool:
        if self.cookie is None:
            return True
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.cookie)

    async def handle_index(self, request: web.Request) -> web.Response:
        if self.cookie is not None and "token" in request.query:
            if not hmac.compare_digest(_cookie_value(request.query["token"]), self.cookie):
                raise web.HTTPForbidden(text="wallboard web: wrong token.\n")
            # the token leaves the address bar and the browser history
            query = {k: v for k, v in request.query.items() if k != "token"}
            found = web.HTTPFound(request.rel_url.with_query(query))
            found.set_cookie(COOKIE, self.cookie, httponly=True, samesite="Strict",
                             secure=request.secure, max_age=400 * 24 * 3600)
            raise found
        if not self.authorized(request):
            raise web.HTTPForbidden(text="wallboard web: open this address with ?token=...\n")
        scheme = "wss" if request.secure else "ws"
        page = aiohttp_jinja2.render_template("app_index.html", request, {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}/ws",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        })
        # not kept in the back/forward cache: leaving the page closes its session
        page.headers["Cache-Control"] = "no-store"
        return page

    # -- one browser session ------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.authorized(request):
            raise web.HTTPForbidden(text="wallboard web: no valid token.\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: BoardAppService | None = None
        try:
            await websocket.prepare(request)
            session = BoardAppService(
                self.argv, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except ConnectionError:
            pass
        except Exception as exc:  # a bad message from a browser ends only that session
            log.warning("browser session ended: %s", type(exc).__name__)
        finally:
            if session is not None:
                # shielded: a cancelled handler still waits until the app process is gone
                await asyncio.shield(session.terminate())
                self.sessions.discard(session)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    def _kill_leftovers(self) -> None:
        """Last resort at interpreter exit: no app process outlives the server."""
        for session in self.sessions:
            process = session.process
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)


def _cookie_value(token: str) -> str:
    """What the browser keeps: derived from the token, so the token itself is never stored."""
    return hmac.new(token.encode(), b"wallboard web session", hashlib.sha256).hexdigest()


_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"]*")


def _redact_tokens(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    if "token=" in message:
        record.msg, record.args = _TOKEN_IN_URL.sub(r"\1***", message), None
    return True
