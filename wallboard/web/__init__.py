"""``wallboard web``: the board in a browser, one app process per tab (textual-serve).

Each browser tab gets its own ``python -m wallboard <the same options>`` process, fed through
a websocket. Off loopback a token is required (``--token``, ``$WALLBOARD_WEB_TOKEN`` or the
config's ``[web] token``, at least 16 characters); the first visit is
``http://host:port/?token=...``, after which a cookie holds the session. Only pages of the
board's own origin (or ``[web] allowed_origins``) may open it; at most ``[web]
max_sessions`` tabs are served at once. See docs/remote.md and docs/security.md.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Mapping, Sequence

from wallboard.checks import MAKE_TOKEN
from wallboard.config import Config, ConfigError, check_token
from wallboard.i18n import _
from wallboard.net import is_loopback

TOKEN_ENV = "WALLBOARD_WEB_TOKEN"


def web_main(config: Config, argv: Sequence[str], host: str, port: int,
             token: str | None = None) -> int:
    """Serve the board until Ctrl+C / SIGTERM; 0 on a clean stop, 2 on a user error."""
    try:
        token = web_token(config, token)
    except ConfigError as exc:
        return _fail(str(exc))
    if not is_loopback(host) and not token:
        return _fail(_("{host} is not a loopback address, so browsers need a token: set "
                       "{variable} (or pass --token) to a long random string, e.g. the output "
                       "of {command}").format(host=host, variable=TOKEN_ENV,
                                              command=MAKE_TOKEN))
    if not 0 < port < 65536:
        return _fail(_("--port {port} is not a port number (1-65535).").format(port=port))
    from wallboard.web.policy import Access, cookie_value
    from wallboard.web.server import BoardServer

    settings = config.web
    access = Access(
        cookie=cookie_value(token) if token else None,
        allowed_origins=frozenset(settings.allowed_origins),
        public_url=settings.public_url,
        loopback=is_loopback(host),
    )
    server = BoardServer(app_command(argv, config.ui.language), host=host, port=port,
                         access=access,
                         max_sessions=settings.max_sessions)
    try:
        check_bindable(host, port)  # a clear sentence before the server starts
        server.serve()
    except OSError as exc:
        return _fail(bind_error(exc, host, port))
    return 0


def app_command(argv: Sequence[str], language: str | None = None) -> list[str]:
    """``python -m wallboard`` with the options before the ``web`` subcommand, and the
    language this server chose (``--lang``), so every tab speaks it."""
    from wallboard.cli import build_parser

    args = list(argv)
    lang = ["--lang", language] if language else []
    for index, word in enumerate(args):
        # the first "web" that the parser takes as the subcommand (not, say, --config web)
        if word == "web" and build_parser().parse_args(args[: index + 1]).command == "web":
            return [sys.executable, "-m", "wallboard", *lang, *args[:index]]
    return [sys.executable, "-m", "wallboard", *lang, *args]


def check_bindable(host: str, port: int) -> None:
    """Bind and release every address of ``host`` as the server will; raise OSError if not."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)


def bind_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return _("cannot resolve --host {host}; give an IP address or a known host "
                 "name.").format(host=host)
    if exc.errno == errno.EADDRINUSE:
        return _("port {port} on {host} is already in use; choose another with "
                 "--port.").format(port=port, host=host)
    if exc.errno == errno.EADDRNOTAVAIL:
        return _("{host} is not an address of this machine; choose another with "
                 "--host.").format(host=host)
    if exc.errno == errno.EACCES:
        return _("not allowed to listen on port {port}; choose a port above 1023.").format(
            port=port)
    return _("cannot listen on {host}:{port} ({error}).").format(
        host=host, port=port, error=exc.strerror or type(exc).__name__)


def web_token(config: Config, given: str | None,
              environ: Mapping[str, str] | None = None) -> str | None:
    """The browsers' token: ``--token``, else ``$WALLBOARD_WEB_TOKEN``, else ``[web] token``;
    a weak one (blank, or shorter than 16 characters) raises ConfigError, wherever set."""
    environ = os.environ if environ is None else environ
    if given is not None:
        return check_token(given, "--token")
    if environ.get(TOKEN_ENV) is not None:
        return check_token(environ[TOKEN_ENV], f"${TOKEN_ENV}")
    secret = config.web.token
    return None if secret is None else check_token(secret.get_secret_value(), "[web] token")


def _fail(message: str) -> int:
    print(f"wallboard web: {message}", file=sys.stderr)
    return 2
