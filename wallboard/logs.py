"""Secrets never reach a log: credentials in URLs, secret query values, Authorization headers.

:func:`redact` blanks, in any text:

* the user information of a URL: ``http://user:pass@host`` -> ``http://***@host``;
* the value of a secret parameter (``token``, ``api_key``, ``password``, ...), found in a
  query string or as ``name=value`` in free text. The *name* is compared after
  URL-decoding, so ``?%74oken=abc`` is caught as well as ``?token=abc``;
* the credentials of an ``Authorization`` (or ``Proxy-Authorization``, ``X-Api-Key``)
  header, however it is printed: ``Authorization: Bearer abc``, ``'authorization': 'Basic
  abc'``, ``(b'authorization', b'Bearer abc')``; and a ``Cookie`` / ``Set-Cookie`` header's
  whole value.

:func:`install_redaction` makes every log record of the process pass through it, whatever
handler ends up writing it (including handlers that a library configures later, such as
uvicorn's). It is a process-wide switch, so the entry points call it (``wallboard``, ``wallboard
serve``, ``wallboard web``), never a source or a library.

:func:`configure_logging` sets the level and the destination from ``$WALLBOARD_LOG_LEVEL``
and ``$WALLBOARD_LOG_FILE`` (docs/security.md), with redaction on.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

MASK = "***"

SECRET_NAMES = frozenset({
    "token", "access_token", "auth_token", "refresh_token", "id_token", "api_key", "apikey",
    "api-key", "key", "password", "passwd", "pwd", "pass", "secret", "client_secret",
    "signature", "sig", "session", "auth", "wallboard_web",
})
"""Parameter names whose value is a secret (compared URL-decoded and lower-cased)."""

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s?#'\"<>]+)@")
_PARAM = re.compile(
    r"(?P<lead>^|[?&;\s\"'(,\[{])(?P<name>[A-Za-z0-9_.~%+-]{1,60})=(?P<value>[^&;\s\"'<>)\]}]*)"
)
_JSON_PARAM = re.compile(
    r"(?P<lead>[\"'](?P<name>[A-Za-z0-9_.~%+-]{1,60})[\"']\s*:\s*[\"'])(?P<value>[^\"']*)"
)
_HEADER_SEP = r"[\"']?\s*[:=,]\s*(?:b(?=[\"']))?[\"']?"
"""Between a header's name and its value, however printed: ``: ``, ``': '``, ``', b'``."""
_COOKIE_HEADER = re.compile(
    rf"(?P<lead>\b(?:set-)?cookie{_HEADER_SEP})(?P<value>[^\r\n]+)", re.IGNORECASE
)
_AUTH_HEADER = re.compile(
    rf"(?P<lead>\b(?:proxy-)?authorization|\bx-api-key)(?P<sep>{_HEADER_SEP})"
    r"(?P<scheme>(?:bearer|basic|digest|token|negotiate)\s+)?(?P<value>[^\s\"',)]+)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a parameter named ``name`` (as written, maybe URL-encoded) holds a secret."""
    for _ in range(3):  # %2574oken -> %74oken -> token
        decoded = unquote_plus(name)
        if decoded == name:
            break
        name = decoded
    return name.strip().lower() in SECRET_NAMES


def redact(text: str) -> str:
    """``text`` with every credential it carries replaced by ``***``."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    text = _AUTH_HEADER.sub(
        lambda m: f"{m['lead']}{m['sep']}{m['scheme'] or ''}{MASK}", text)
    text = _COOKIE_HEADER.sub(lambda m: f"{m['lead']}{MASK}", text)
    text = _PARAM.sub(_blank_value, text)
    return _JSON_PARAM.sub(_blank_value, text)


def _blank_value(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]) or not match["value"] or match["value"] == MASK:
        return match[0]
    return match[0][: match.start("value") - match.start(0)] + MASK


class RedactingFilter(logging.Filter):
    """A logging filter that blanks secrets in a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_DONE = "_wallboard_redacted"


def redact_record(record: logging.LogRecord) -> None:
    """Blank the secrets of ``record`` in place, keeping its arguments where it can (some
    formatters, such as uvicorn's access log, read ``record.args``)."""
    if getattr(record, _DONE, False):
        return
    setattr(record, _DONE, True)
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: the handler reports it as usual
        return
    clean = redact(message)
    if clean != message:
        msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        args = _redact_args(record.args)
        record.msg, record.args = msg, args
        try:
            still = record.getMessage() != clean
        except Exception:
            still = True
        if still:  # a secret spans the message and its arguments: keep the plain text
            record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _redact_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(redact(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, dict):
        return {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    return args


_installed: list[Callable[..., logging.LogRecord]] = []


def install_redaction() -> None:
    """Make every log record of this process pass :func:`redact_record` (idempotent).

    The record factory does it at the source, so a handler added later (a library's own
    logging configuration) gets clean records too; every handler present now also gets a
    :class:`RedactingFilter`, as does Python's last-resort handler.
    """
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed.append(previous)
    for handler in _all_handlers():
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def _all_handlers() -> list[logging.Handler]:
    handlers = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    return handlers


# -- how much is logged, and where ------------------------------------------------------
LEVEL_ENV = "WALLBOARD_LOG_LEVEL"
"""DEBUG, INFO, WARNING or ERROR: every logger of the process (ours and the libraries')
logs at that level. Unset: ours at INFO, libraries at WARNING (httpx logs every URL at
INFO; redaction blanks their secrets, but an operator need not read them)."""
FILE_ENV = "WALLBOARD_LOG_FILE"
"""A file the log lines are appended to instead of stderr. The board in a terminal logs
only there (its stderr is the screen)."""
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogSettingError(ValueError):
    """$WALLBOARD_LOG_LEVEL holds no level name; the message is one sentence."""


def log_level(environ: Mapping[str, str] | None = None) -> int | None:
    """The level asked for in $WALLBOARD_LOG_LEVEL, or None when it is unset or blank."""
    given = (os.environ if environ is None else environ).get(LEVEL_ENV, "").strip()
    if not given:
        return None
    if given.upper() not in LEVELS:
        raise LogSettingError(f"${LEVEL_ENV}: {given!r} is not a log level; use one of "
                              f"{', '.join(LEVELS)}.")
    return int(logging.getLevelName(given.upper()))


def configure_logging(*, ours: int = logging.INFO, fmt: str = FORMAT,
                      terminal: bool = False, environ: Mapping[str, str] | None = None) -> int:
    """Set up the process's logging from $WALLBOARD_LOG_LEVEL and $WALLBOARD_LOG_FILE (see
    above), with redaction installed; returns the level of the ``wallboard`` loggers.
    ``fmt``: the lines' format on stderr (a file gets times and logger names).

    ``terminal``: the process draws on its stderr (the board), so nothing is set up unless
    a log file is named."""
    environ = os.environ if environ is None else environ
    level = log_level(environ)
    path = environ.get(FILE_ENV, "").strip()
    install_redaction()
    if terminal and not path:
        return logging.WARNING
    handler: logging.Handler = (logging.FileHandler(path, encoding="utf-8") if path
                                else logging.StreamHandler())
    handler.setFormatter(logging.Formatter(FORMAT if path else fmt))
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=logging.WARNING if level is None else level, handlers=[handler],
                        force=True)
    logging.getLogger("wallboard").setLevel(ours if level is None else level)
    return ours if level is None else level


def apply_log_level(names: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> None:
    """After a process set up its own logging (``wallboard web``): $WALLBOARD_LOG_LEVEL, if
    set, for the root logger, ``wallboard``'s and ``names``."""
    level = log_level(environ)
    if level is not None:
        for name in ("", "wallboard", *names):
            logging.getLogger(name).setLevel(level)
