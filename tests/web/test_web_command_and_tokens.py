"""``wallboard web``'s pure parts: the app command, loopback, error sentences, token hygiene."""

from __future__ import annotations

import errno
import logging
import socket
import sys

import pytest

from wallboard.config import Config, ConfigError, parse_config
from wallboard.logs import RedactingFilter
from wallboard.web import app_command, bind_error, is_loopback, web_main, web_token
from wallboard.web.policy import Access, cookie_value
from wallboard.web.server import BoardAppService, busy_sentence

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
    config = parse_config({"web": {"token": "from-config-0123456789"}})
    assert config.web.token is not None
    assert "from-config" not in repr(config)
    assert web_token(config, None, environ={}) == "from-config-0123456789"


GOOD = "Qx7-k2LmP9vT4wZr8sYb"
MAKE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


@pytest.mark.parametrize(("given", "env", "config", "message"), [
    ("", None, None, f"--token is blank; use a long random string, e.g. the output of {MAKE}"),
    ("   ", None, None, "--token is blank"),
    ("short", None, None, "--token is too short (5 characters; at least 16)"),
    (None, "0123456789abcde", None, "$WALLBOARD_WEB_TOKEN is too short (15 characters; "
     "at least 16)"),
    (None, " \t", None, "$WALLBOARD_WEB_TOKEN is blank"),
])
def test_weak_web_tokens_are_refused_wherever_they_are_set(given, env, config, message):
    environ = {} if env is None else {"WALLBOARD_WEB_TOKEN": env}
    with pytest.raises(ConfigError) as refused:
        web_token(Config(), given, environ=environ)
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith(MAKE)


def test_a_weak_web_token_in_the_config_is_refused_at_load():
    with pytest.raises(ConfigError) as refused:
        parse_config({"web": {"token": "tooshort"}}, "board.toml")
    assert str(refused.value) == (
        "board.toml: web.token: the token is too short (8 characters; at least 16); use a "
        f"long random string, e.g. the output of {MAKE}.")


def test_a_weak_token_stops_web_before_it_listens(capsys, monkeypatch):
    monkeypatch.delenv("WALLBOARD_WEB_TOKEN", raising=False)
    assert web_main(Config(), ["web"], host="127.0.0.1", port=8000, token="abc") == 2
    err = capsys.readouterr().err
    assert err == ("wallboard web: --token is too short (3 characters; at least 16); use a "
                   f"long random string, e.g. the output of {MAKE}\n")
    assert web_token(Config(), GOOD, environ={}) == GOOD


def test_tokens_are_blanked_in_log_lines_even_url_encoded():
    for query in ("token=abc123", "%74oken=abc123", "%74%6f%6b%65%6e=abc123"):
        record = logging.LogRecord("aiohttp.access", logging.INFO, "", 0,
                                   f'"GET /?fontsize=20&{query}&x=1 HTTP/1.1" 302', None, None)
        RedactingFilter().filter(record)
        assert "abc123" not in record.getMessage()
        assert record.getMessage().endswith("=***&x=1 HTTP/1.1\" 302")


def test_the_cookie_does_not_carry_the_token():
    assert "abc" not in cookie_value("abc")
    assert cookie_value("abc") == cookie_value("abc") != cookie_value("abd")


# -- the access rules -------------------------------------------------------------------
BOARD = Access(cookie=cookie_value(GOOD), allowed_origins=frozenset({"https://intra.example"}))


@pytest.mark.parametrize(("origin", "host", "allowed"), [
    (None, "127.0.0.1:8000", True),                       # not a page: curl, a test client
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),    # the board's own page
    ("http://LOCALHOST:8000", "localhost:8000", True),
    ("https://intra.example", "127.0.0.1:8000", True),    # listed in allowed_origins
    ("https://intra.example/", "127.0.0.1:8000", False),  # an origin has no path
    ("http://evil.example", "127.0.0.1:8000", False),     # any other site
    ("http://127.0.0.1:9999", "127.0.0.1:8000", False),   # another port is another origin
    ("null", "127.0.0.1:8000", False),                    # a sandboxed frame, a file
    ("file://", "127.0.0.1:8000", False),
])
def test_only_the_boards_own_and_listed_origins_may_open_it(origin, host, allowed):
    assert (BOARD.origin_problem(origin, host) is None) is allowed


def test_an_origin_refusal_is_a_sentence_naming_the_origin_and_the_key():
    assert BOARD.origin_problem("http://evil.example", "127.0.0.1:8000") == (
        "pages of http://evil.example may not open this board; list that origin in "
        "[web] allowed_origins if they should")


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True),
    ("127.0.0.2", True),
    ("evil.example:8000", False),      # DNS rebinding: a name of another site on loopback
    ("board.example.com", True),       # the public URL's host
    ("bad host:x", False),
])
def test_on_loopback_the_host_must_be_a_loopback_name(host, allowed):
    access = Access(public_url="https://board.example.com")
    assert (access.host_problem(host) is None) is allowed
    assert Access(loopback=False).host_problem("tv.example:8000") is None


@pytest.mark.parametrize("value", [None, "", "wrong", "é", "\udcff", "\x00abc",
                                   cookie_value(GOOD) + "x", cookie_value(GOOD).upper()])
def test_any_other_cookie_is_just_not_the_cookie(value):
    assert BOARD.cookie_ok(value) is False


def test_the_right_cookie_and_token():
    assert BOARD.cookie_ok(cookie_value(GOOD))
    assert BOARD.token_ok(GOOD) and not BOARD.token_ok("é" * 20) and not BOARD.token_ok("\ud800")
    assert Access().cookie_ok(None), "without a token anyone on the address may"


def test_other_sites_may_not_frame_the_board():
    access = Access(allowed_origins=frozenset({"https://b.example", "https://a.example"}),
                    public_url="https://board.example.com/wall")
    assert access.frame_ancestors() == (
        "frame-ancestors 'self' https://a.example https://b.example https://board.example.com")


def test_the_busy_sentence():
    assert busy_sentence(3) == (
        "This board is already open in 3 browser tabs, as many as it serves at once "
        "([web] max_sessions). Close one of them, then reload this page.")


def test_app_processes_get_the_board_driver_and_no_token(monkeypatch):
    monkeypatch.setenv("WALLBOARD_WEB_TOKEN", "secret")
    service = BoardAppService(PY, write_bytes=None, write_str=None, close=None,
                              download_manager=None)
    env = service._build_environment(100, 30)
    assert env["TEXTUAL_DRIVER"] == "wallboard.web.driver:BoardWebDriver"
    assert "WALLBOARD_WEB_TOKEN" not in env
    assert env["COLUMNS"] == "100"
