"""Who is asking: named bearer tokens with a role each, checked in constant time.

- **viewer**: the snapshot, the event stream, history and the call log.
- **supervisor**: all of that, plus joining calls and pausing agents.

With no token configured the viewer endpoints are open (``wallboard serve`` then binds to
loopback only); joining calls still needs a supervisor token, even on loopback, unless the
operator sets ``[server] listen_without_token = true``. The token's *name* — never its
secret — is what logs and the audit trail record.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from starlette.types import ASGIApp, Receive, Scope, Send

from wallboard.config import ConfigError, ServerConfig, checked_token
from wallboard.server.responses import error

OPEN_PATHS = frozenset({"/healthz", "/openapi.json"})
HOOKS_PREFIX = "/v1/hooks/"
"""A source's webhook routes (Ringostat's) live here: the PBX vendor cannot send a bearer
token, so each checks a secret of its own (in its path), in constant time."""
IDENTITY_KEY = "wallboard.identity"
"""Where the middleware leaves the caller's :class:`Identity` in the ASGI scope."""


class Role(StrEnum):
    VIEWER = "viewer"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    """The token's name (``anonymous`` without a token)."""
    role: Role
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Token:
    name: str
    role: Role
    secret: bytes

    def __repr__(self) -> str:  # never the secret
        return f"Token(name={self.name!r}, role={self.role.value!r})"


def server_tokens(settings: ServerConfig, environ: Mapping[str, str] | None = None
                  ) -> list[Token]:
    """The configured tokens: ``[[server.tokens]]`` (secret in the file or in the named
    environment variable) and the single legacy ``[server] token`` / $WALLBOARD_TOKEN,
    which acts as a supervisor token named ``default``. A weak token, wherever it is set,
    raises ConfigError in one sentence."""
    environ = os.environ if environ is None else environ
    tokens = []
    for entry in settings.tokens:
        secret = entry.secret_value(environ)
        if secret:
            tokens.append(Token(entry.name, Role(entry.role), secret.encode()))
    legacy = checked_token(settings.token, "WALLBOARD_TOKEN", "[server] token", environ)
    if legacy:
        tokens.append(Token("default", Role.SUPERVISOR, legacy.encode()))
    names = [t.name for t in tokens]
    if len(set(names)) != len(names):
        raise ConfigError("[[server.tokens]]: two tokens have the same name; give each "
                          "screen its own.")
    return tokens


def is_listen_path(path: str) -> bool:
    return path.startswith("/v1/listen/") or (
        path.startswith("/v1/calls/") and path.endswith("/listen"))


def is_agent_path(path: str) -> bool:
    """An agent action (pause): a supervisor's, like joining a call."""
    return path.startswith("/v1/agents/")


class TokenAuth:
    """ASGI middleware: identifies the caller or answers 401/403 with one sentence."""

    def __init__(self, app: ASGIApp, tokens: Sequence[Token],
                 listen_without_token: bool = False) -> None:
        self.app = app
        self.tokens = list(tokens)
        self.listen_without_token = listen_without_token

    def identify(self, header: bytes | None) -> Token | None:
        """The token matching ``Bearer <secret>`` (every secret compared, in constant time)."""
        if header is None:
            return None
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer":
            return None
        given = given.strip()
        found = None
        for token in self.tokens:
            if hmac.compare_digest(given, token.secret) and found is None:
                found = token
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(HOOKS_PREFIX):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        client = scope.get("client")
        address = client[0] if client else None
        agent = is_agent_path(scope["path"])
        listen = is_listen_path(scope["path"]) or agent
        what = "pausing agents" if agent else "joining calls"
        problem: tuple[int, str, str] | None = None
        token = self.identify(header)
        if token is not None:
            identity = Identity(token.name, token.role, address)
        elif header is not None and self.tokens:
            problem = (403, "The bearer token is not valid.", "invalid_token")
        elif self.tokens:
            problem = (401, "A bearer token is required.", "")
        elif listen and not self.listen_without_token:
            problem = (401, f"{what.capitalize()} needs a supervisor token; configure "
                            "[[server.tokens]] with role = \"supervisor\".", "")
        else:
            role = Role.SUPERVISOR if listen else Role.VIEWER
            identity = Identity("anonymous", role, address)
        if problem is None and listen and identity.role is not Role.SUPERVISOR:
            problem = (403, f"The token {identity.name!r} may watch only; {what} "
                            "needs a supervisor token.", "insufficient_scope")
        if problem is not None:
            status, message, reason = problem
            challenge = 'Bearer realm="wallboard"' + (f', error="{reason}"' if reason else "")
            await error(status, message, {"WWW-Authenticate": challenge})(scope, receive, send)
            return
        scope[IDENTITY_KEY] = identity
        await self.app(scope, receive, send)
