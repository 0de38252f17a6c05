"""textual-serve, adapted: access rules, a session cap, and no app process left behind.

What is used of textual-serve, and how (``tests/test_web_upstream.py`` fails loudly when
any of it changes; ``pyproject.toml`` pins the minor version tested):

* public: ``Server(command, host, port, title, public_url)``, its ``handle_index`` and
  ``handle_websocket`` route handlers (overridden: access rules first), its
  ``initialize_logging`` / ``on_startup`` / ``on_shutdown`` hooks, ``download_manager``,
  ``debug``; ``AppService(command, ...)``, ``start``, ``stop``, ``send_meta``, ``stdin``,
  ``on_data`` (overridden: a browser that left is not an error); ``to_int``.
* private, where no public extension point exists (three members):
  ``AppService._build_environment`` (the board's driver, no token in the app's
  environment), ``AppService._process`` (to end the app for certain) and
  ``Server._process_messages`` (the browser's message loop, reused as it is).

The app command is run as ``exec python -m wallboard ...`` through upstream's shell, so
the shell becomes the app: ending "the process" ends the app, never only a shell.
``BoardAppService.terminate`` escalates quit -> SIGTERM -> SIGKILL, because upstream's
``stop()`` only asks the app to quit and waits for ever; and at interpreter exit any app
still alive is killed, since nothing upstream happens when the server itself dies.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import logging
import os
import shlex
import signal
from asyncio.subprocess import Process
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from wallboard.logs import RedactingFilter, apply_log_level, install_redaction
from wallboard.web.driver import PARENT_ENV
from wallboard.web.policy import COOKIE, Access

log = logging.getLogger("wallboard.web")

DRIVER = "wallboard.web.driver:BoardWebDriver"
TOKEN_ENV = "WALLBOARD_WEB_TOKEN"
QUIT_SECONDS = 3.0
"""How long an app gets to quit when asked before it is sent SIGTERM (then SIGKILL)."""
COOKIE_DAYS = 400


class BoardAppService(AppService):
    """One browser session's app process."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__("exec " + shlex.join(argv), **kwargs)
        self.argv = argv

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width, height)
        env["TEXTUAL_DRIVER"] = DRIVER
        env[PARENT_ENV] = str(os.getpid())
        env.pop(TOKEN_ENV, None)
        return env

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
        if process is not None:
            with contextlib.suppress(Exception):
                self.stdin.close()
        # the app is gone: upstream's stop() cancels its downloads and reaps the reader
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop(), QUIT_SECONDS)


class BoardServer(Server):
    """Serves the wallboard: one app process per browser tab, each ended when the tab goes."""

    def __init__(self, argv: list[str], *, host: str, port: int, access: Access,
                 max_sessions: int = 10) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title="wallboard",
                         public_url=access.public_url)
        self.argv = argv
        self.access = access
        self.max_sessions = max_sessions
        self.sessions: set[BoardAppService] = set()
        self._opening = 0
        atexit.register(self._kill_leftovers)

    # -- logging: one plain line per request, secrets blanked ----------------------------
    def initialize_logging(self) -> None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        handler.addFilter(RedactingFilter())
        # INFO only for our own lines and the access log, never for libraries that log URLs
        logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
        for name in ("aiohttp.access", "wallboard.web"):
            logging.getLogger(name).setLevel(logging.INFO)
        apply_log_level(("aiohttp.access", "wallboard.web"))  # $WALLBOARD_LOG_LEVEL
        install_redaction()

    async def on_startup(self, app: web.Application) -> None:
        protected = " (token required)" if self.access.cookie else ""
        print(f"wallboard web: serving on http://{self.host}:{self.port}/{protected}; "
              "Ctrl+C to stop.", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.terminate() for s in list(self.sessions)))

    # -- who may ------------------------------------------------------------------------
    def check_origin(self, request: web.Request) -> None:
        """Raise 403 for a request that breaks the host or origin rules."""
        problem = self.access.host_problem(request.host) or self.access.origin_problem(
            request.headers.get("Origin"), request.host)
        if problem:
            log.warning("refused %s %s: %s", request.method, request.path, problem)
            raise web.HTTPForbidden(text=f"wallboard web: {problem}.\n")

    def signed_in(self, request: web.Request) -> bool:
        try:
            value = request.cookies.get(COOKIE)
        except Exception:  # a header aiohttp cannot parse is no cookie at all
            value = None
        return self.access.cookie_ok(value)

    def full(self) -> bool:
        return len(self.sessions) + self._opening >= self.max_sessions

    def _guarded(self, response: web.StreamResponse) -> web.StreamResponse:
        response.headers["Content-Security-Policy"] = self.access.frame_ancestors()
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    # -- the page -------------------------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        self.check_origin(request)
        if self.access.cookie is not None and "token" in request.query:
            if not self.access.token_ok(request.query["token"]):
                raise web.HTTPForbidden(text="wallboard web: wrong token.\n")
            # the token leaves the address bar and the browser history
            query = {k: v for k, v in request.query.items() if k != "token"}
            found = web.HTTPFound(request.rel_url.with_query(query))
            secure = request.secure or (self.access.public_url or "").startswith("https://")
            found.set_cookie(COOKIE, self.access.cookie, httponly=True, samesite="Strict",
                             secure=secure, max_age=COOKIE_DAYS * 24 * 3600, path="/")
            raise found
        if not self.signed_in(request):
            raise web.HTTPUnauthorized(
                text="wallboard web: open this address with ?token=... (the board's token).\n")
        if self.full():
            return self._guarded(busy_page(self.max_sessions))
        page = aiohttp_jinja2.render_template("app_index.html", request, {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": self.websocket_url(request),
            "config": {"static": {"url": self.base_url(request) + "/static/"}},
            "application": {"name": self.title},
        })
        # not kept in the back/forward cache: leaving the page closes its session
        page.headers["Cache-Control"] = "no-store"
        return self._guarded(page)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        self.check_origin(request)
        if not self.signed_in(request):
            raise web.HTTPUnauthorized(text="wallboard web: no valid token.\n")
        return await super().handle_download(request)

    def base_url(self, request: web.Request) -> str:
        """Where browsers reach the board: ``[web] public_url``, else what they asked for."""
        if self.access.public_url:
            return self.access.public_url
        return f"{'https' if request.secure else 'http'}://{request.host}"

    def websocket_url(self, request: web.Request) -> str:
        base = self.base_url(request)
        return ("wss" if base.startswith("https:") else "ws") + base[base.index(":"):] + "/ws"

    # -- one browser session ------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.check_origin(request)
        if not self.signed_in(request):
            raise web.HTTPUnauthorized(text="wallboard web: no valid token.\n")
        if self.full():
            raise web.HTTPServiceUnavailable(
                text=f"wallboard web: {busy_sentence(self.max_sessions)}\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: BoardAppService | None = None
        self._opening += 1
        try:
            await websocket.prepare(request)
            session = BoardAppService(
                self.argv, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            self._opening -= 1
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except ConnectionError:
            pass
        except Exception as exc:  # a bad message from a browser ends only that session
            log.warning("browser session ended: %s", type(exc).__name__)
        finally:
            if session is None:
                self._opening -= 1
            else:
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


def busy_sentence(limit: int) -> str:
    tabs = f"{limit} browser tab{'s' if limit != 1 else ''}"
    return (f"This board is already open in {tabs}, as many as it serves at once "
            "([web] max_sessions). Close one of them, then reload this page.")


def busy_page(limit: int) -> web.Response:
    """What a browser gets when every session is taken: a page that says so."""
    sentence = html.escape(busy_sentence(limit))
    body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>wallboard: busy</title>"
            "<style>body{background:#0c181f;color:#eee;font:20px monospace;margin:4em}</style>"
            f"</head><body><h1>wallboard</h1><p id=\"busy\">{sentence}</p></body></html>")
    response = web.Response(status=503, text=body, content_type="text/html")
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response
