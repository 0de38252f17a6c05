"""Bearer tokens: required when configured, never echoed; non-loopback needs one."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.server.support import ScriptedSource, running
from wallboard.config import Config, parse_config
from wallboard.server.app import create_server_app
from wallboard.server.run import is_loopback, serve_main

TOKEN = "s3cret-token-value"


@pytest.fixture
def secured():
    with running(create_server_app(ScriptedSource(), token=TOKEN)) as url:
        yield url


@pytest.mark.parametrize("path", ["/v1/snapshot", "/v1/events", "/v1/managers/e1/calls"])
def test_missing_token_is_401(secured: str, path: str):
    r = httpx.get(secured + path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json() == {"message": "A bearer token is required."}


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer", f"Basic {TOKEN}", "Bearer wrong"])
def test_wrong_token_is_refused_without_echoing_it(secured: str, header: str):
    r = httpx.get(f"{secured}/v1/snapshot", headers={"Authorization": header})
    assert r.status_code in (401, 403)
    assert TOKEN not in r.text and "wrong" not in r.text


def test_right_token_is_accepted(secured: str):
    r = httpx.get(f"{secured}/v1/snapshot", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200


def test_health_and_openapi_need_no_token(secured: str):
    assert httpx.get(f"{secured}/healthz").status_code == 200
    assert httpx.get(f"{secured}/openapi.json").status_code == 200


@pytest.mark.parametrize("host,loop", [("127.0.0.1", True), ("127.3.4.5", True), ("::1", True),
                                       ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                       ("::", False), ("10.0.0.5", False), ("example.org", False)])
def test_is_loopback(host: str, loop: bool):
    assert is_loopback(host) is loop


def test_non_loopback_bind_without_token_is_refused(capsys, monkeypatch):
    monkeypatch.delenv("WALLBOARD_TOKEN", raising=False)
    assert serve_main(Config(), host="0.0.0.0", port=1) == 2
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0 without a token" in err
    assert "WALLBOARD_TOKEN" in err


def test_server_token_comes_from_config_or_environment(monkeypatch):
    config = parse_config({"server": {"token": TOKEN, "host": "0.0.0.0"}})
    assert TOKEN not in repr(config) and TOKEN not in str(config.server)
    from wallboard.config import secret_or_env

    assert secret_or_env(config.server.token, environ={}) == TOKEN
    assert secret_or_env(None, environ={"WALLBOARD_TOKEN": "env"}) == "env"
    assert secret_or_env(None, environ={}) is None


def test_token_never_appears_in_logs(secured: str, caplog):
    caplog.set_level(logging.DEBUG)
    httpx.get(f"{secured}/v1/snapshot", headers={"Authorization": "Bearer nope"})
    httpx.get(f"{secured}/v1/snapshot", headers={"Authorization": f"Bearer {TOKEN}"})
    assert TOKEN not in caplog.text and "nope" not in caplog.text
