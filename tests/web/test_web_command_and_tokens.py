"""``wallboard web``'s pure parts: the app command, loopback, error sentences, token hygiene."""

from __future__ import annotations

import errno
import logging
import socket
import sys

import pytest

from wallboard.config import Config, parse_config
from wallboard.web import app_command, bind_error, is_loopback, web_main
from wallboard.web.server import BoardAppService, _cookie_value, _redact_tokens

PY = [sys.executable, "-m", "wallboard"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["web"], []),
    (["--demo", "--seed", "7", "web", "--port", "8001", "--token", "t"],
     ["--demo", "--seed", "7"]),
    (["--config", "web", "web", "--host", "127.0.0.1"], ["--config", "web"]),
    (["--url", "http://x", "--kiosk", "web"], ["--url", "http://x", "--kiosk"]),
])
def test_the_app_command_is_the_options_before_web(argv, expected):
    assert app_command(argv) == PY + expected


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("tv.example", False),
])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_bind_errors_are_one_sentence():
    assert bind_error(OSError(errno.EADDRINUSE, "x"), "127.0.0.1", 80) == (
        "port 80 on 127.0.0.1 is already in use; choose another with --port.")
    assert "not an address of this machine" in bind_error(
        OSError(errno.EADDRNOTAVAIL, "x"), "10.1.1.1", 8000)
    assert "cannot resolve --host" in bind_error(socket.gaierror(-2, "x"), "nope", 8000)


def test_no_token_off_loopback_refuses_before_binding(capsys, monkeypatch):
    monkeypatch.delenv("WALLBOARD_WEB_TOKEN", raising=False)
    assert web_main(Config(), ["web"], host="0.0.0.0", port=8000) == 2
    err = capsys.readouterr().err
    assert err.startswith("wallboard web: 0.0.0.0 is not a loopback address")
    assert err.count("\n") == 1


def test_the_token_can_come_from_the_config():
    config = parse_config({"web": {"token": "from-config"}})
    assert config.web.token is not None
    assert "from-config" not in repr(config)


def test_tokens_are_blanked_in_log_lines():
    record = logging.LogRecord("aiohttp.access", logging.INFO, "", 0,
                               '"GET /?fontsize=20&token=abc123&x=1 HTTP/1.1" 302', None, None)
    _redact_tokens(record)
    assert record.getMessage() == '"GET /?fontsize=20&token=***&x=1 HTTP/1.1" 302'


def test_the_cookie_does_not_carry_the_token():
    assert "abc" not in _cookie_value("abc")
    assert _cookie_value("abc") == _cookie_value("abc") != _cookie_value("abd")


def test_app_processes_get_the_board_driver_and_no_token(monkeypatch):
    monkeypatch.setenv("WALLBOARD_WEB_TOKEN", "secret")
    service = BoardAppService(PY, write_bytes=None, write_str=None, close=None,
                              download_manager=None)
    env = service._build_environment(100, 30)
    assert env["TEXTUAL_DRIVER"] == "wallboard.web.driver:BoardWebDriver"
    assert "WALLBOARD_WEB_TOKEN" not in env
    assert env["COLUMNS"] == "100"
