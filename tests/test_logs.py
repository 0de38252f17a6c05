"""Secrets never reach a log: the redaction and the switch the entry points turn on."""

from __future__ import annotations

import io
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wallboard.logs import redact

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("text", "clean"), [
    # the token in a query, plainly and URL-encoded (the name decoded before comparing)
    ('"GET /?fontsize=20&token=abc123&x=1 HTTP/1.1" 302',
     '"GET /?fontsize=20&token=***&x=1 HTTP/1.1" 302'),
    ('"GET /?%74oken=abc123 HTTP/1.1" 302', '"GET /?%74oken=*** HTTP/1.1" 302'),
    ('"GET /?%2574oken=abc123 HTTP/1.1" 302', '"GET /?%2574oken=*** HTTP/1.1" 302'),
    ("GET /?TOKEN=abc&tok%65n=def", "GET /?TOKEN=***&tok%65n=***"),
    # ARI's api_key, credentials in a URL
    ("HTTP Request: GET http://127.0.0.1:8088/ari/channels?api_key=asterisk:s3cret "
     '"HTTP/1.1 200 OK"',
     "HTTP Request: GET http://127.0.0.1:8088/ari/channels?api_key=*** "
     '"HTTP/1.1 200 OK"'),
    ("ws://127.0.0.1:8088/ari/events?app=wb&api_key=u%3Ap&subscribeAll=true",
     "ws://127.0.0.1:8088/ari/events?app=wb&api_key=***&subscribeAll=true"),
    ("Cannot reach http://user:pa@ss@feed.example:8765/v1/events",
     "Cannot reach http://***@feed.example:8765/v1/events"),
    # headers, however printed
    ("Authorization: Bearer s3cret-token", "Authorization: Bearer ***"),
    ("{'authorization': 'Basic dXNlcjpwYXNz', 'host': 'h'}",
     "{'authorization': 'Basic ***', 'host': 'h'}"),
    ("[(b'Authorization', b'Bearer s3cret')]", "[(b'Authorization', b'Bearer ***')]"),
    ("X-Api-Key: s3cret", "X-Api-Key: ***"),
    ("Set-Cookie: wallboard_web=0123abcd; HttpOnly", "Set-Cookie: ***"),
    # JSON and free text
    ('{"token": "s3cret", "mode": "listen"}', '{"token": "***", "mode": "listen"}'),
    ("password=hunter2 user=anna", "password=*** user=anna"),
    # nothing secret: unchanged
    ("GET /v1/snapshot?from=2026-01-01&mode=listen",
     "GET /v1/snapshot?from=2026-01-01&mode=listen"),
    ("The feed at http://10.0.0.5:8765 closed the stream.",
     "The feed at http://10.0.0.5:8765 closed the stream."),
])
def test_redact(text, clean):
    assert redact(text) == clean


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_install_redaction_covers_every_handler_even_those_configured_later():
    """A library that configures its own handlers after the entry point (uvicorn's
    dictConfig), a record with arguments (uvicorn's access log reads ``record.args``), an
    exception's traceback and Python's last-resort handler all come out clean."""
    err = _run(
        "import logging, logging.config\n"
        "from wallboard.logs import install_redaction\n"
        "logging.basicConfig(level=logging.INFO, format='root %(message)s')\n"
        "install_redaction()\n"
        "logging.config.dictConfig({'version': 1, 'disable_existing_loggers': False,\n"
        "  'handlers': {'h': {'class': 'logging.StreamHandler', 'formatter': 'f'}},\n"
        "  'formatters': {'f': {'format': 'lib %(message)s'}},\n"
        "  'loggers': {'lib': {'handlers': ['h'], 'level': 'INFO', 'propagate': False}}})\n"
        "logging.getLogger('httpx').info('HTTP Request: %s %s', 'GET',\n"
        "  'http://h:8088/ari/channels?api_key=asterisk:pw1')\n"
        "logging.getLogger('lib').info('%s - \"%s %s HTTP/%s\" %d', '1.2.3.4', 'GET',\n"
        "  '/v1/snapshot?token=pw2', '1.1', 200)\n"
        "try:\n"
        "    raise ValueError('http://u:pw3@h/ failed')\n"
        "except ValueError:\n"
        "    logging.getLogger('x').exception('boom Authorization: Bearer pw4')\n"
    )
    for secret in ("pw1", "pw2", "pw3", "pw4"):
        assert secret not in err, err
    assert "api_key=***" in err and "token=***" in err and "http://***@h/" in err
    assert "lib 1.2.3.4 - \"GET /v1/snapshot?token=*** HTTP/1.1\" 200" in err


def test_the_last_resort_handler_is_covered_too():
    err = _run(
        "import logging\n"
        "from wallboard.logs import install_redaction\n"
        "install_redaction()\n"
        "logging.getLogger('wallboard.audit').warning('GET /?token=pw5')\n"
    )
    assert err.strip() == "GET /?token=***"


def test_a_filter_on_one_handler_redacts_its_records():
    from wallboard.logs import RedactingFilter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.logs.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("opened %s", "http://h/?token=pw6")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue() == "opened http://h/?token=***\n"


LOGGING = (
    "import logging, os\n"
    "from wallboard.logs import configure_logging\n"
    "level = configure_logging(fmt='%(levelname)s %(name)s: %(message)s', terminal={terminal})\n"
    "print(logging.getLevelName(level))\n"
    "logging.getLogger('httpx').info('HTTP Request: GET http://u:pw7@h/ari/channels')\n"
    "logging.getLogger('httpcore').debug('connect_tcp.started host=h')\n"
    "logging.getLogger('wallboard.sources.ari').info('connected')\n"
    "logging.getLogger('wallboard.sources.ari').debug('a batch of 3')\n"
)


def _logging(env: dict[str, str], terminal: bool = False) -> tuple[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    result = subprocess.run([sys.executable, "-c", LOGGING.format(terminal=terminal)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), result.stderr


def test_by_default_ours_log_at_info_and_libraries_only_warnings():
    """``wallboard serve`` as it always was: no library's URLs at INFO."""
    level, err = _logging({})
    assert level == "INFO"
    assert err == "INFO wallboard.sources.ari: connected\n"


@pytest.mark.parametrize("asked", ["DEBUG", "debug", " Debug "])
def test_wallboard_log_level_debug_turns_every_logger_on_still_redacted(asked):
    level, err = _logging({"WALLBOARD_LOG_LEVEL": asked})
    assert level == "DEBUG"
    assert err.splitlines() == [
        "INFO httpx: HTTP Request: GET http://***@h/ari/channels",
        "DEBUG httpcore: connect_tcp.started host=h",
        "INFO wallboard.sources.ari: connected",
        "DEBUG wallboard.sources.ari: a batch of 3",
    ]


def test_warning_quiets_our_info_too():
    assert _logging({"WALLBOARD_LOG_LEVEL": "WARNING"}) == ("WARNING", "")


def test_the_board_logs_only_into_a_file(tmp_path: Path):
    """The board's stderr is its screen: without a file it sets up nothing; with one, the
    lines go there, with times and logger names."""
    assert _logging({"WALLBOARD_LOG_LEVEL": "DEBUG"}, terminal=True) == ("WARNING", "")
    log = tmp_path / "board.log"
    level, err = _logging({"WALLBOARD_LOG_LEVEL": "DEBUG", "WALLBOARD_LOG_FILE": str(log)},
                          terminal=True)
    assert (level, err) == ("DEBUG", "")
    lines = [line.split(" ", 2)[2] for line in log.read_text().splitlines()]
    assert lines == [
        "INFO httpx: HTTP Request: GET http://***@h/ari/channels",
        "DEBUG httpcore: connect_tcp.started host=h",
        "INFO wallboard.sources.ari: connected",
        "DEBUG wallboard.sources.ari: a batch of 3",
    ]
