"""What ``wallboard web`` uses of textual-serve is still there, with the same shape.

``wallboard/web/server.py`` overrides or calls these members (three of them private: there
is no public extension point for them). A textual-serve release that renames or reshapes
any of them fails here, by name, instead of breaking browser sessions at run time.
pyproject.toml pins the minor version this was tested with.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
from packaging.version import Version
from textual_serve import app_service, server

from tests.test_dependencies import declared

PRIVATE = [
    # (owner, member, parameters after self)
    (app_service.AppService, "_build_environment", ["width", "height"]),
    (server.Server, "_process_messages", ["websocket", "app_service"]),
]
PUBLIC = [
    (server.Server, "__init__", ["command", "host", "port", "title", "public_url",
                                 "statics_path", "templates_path"]),
    (server.Server, "handle_index", ["request"]),
    (server.Server, "handle_websocket", ["request"]),
    (server.Server, "handle_download", ["request"]),
    (server.Server, "initialize_logging", []),
    (server.Server, "on_startup", ["app"]),
    (server.Server, "on_shutdown", ["app"]),
    (server.Server, "serve", ["debug"]),
    (app_service.AppService, "__init__", ["command", "write_bytes", "write_str", "close",
                                          "download_manager", "debug"]),
    (app_service.AppService, "start", ["width", "height"]),
    (app_service.AppService, "stop", []),
    (app_service.AppService, "send_meta", ["data"]),
    (app_service.AppService, "on_data", ["payload"]),
]


@pytest.mark.parametrize(("owner", "name", "params"), PRIVATE + PUBLIC,
                         ids=lambda x: getattr(x, "__name__", None) or str(x))
def test_every_member_we_override_or_call_still_exists(owner, name, params):
    member = getattr(owner, name, None)
    assert member is not None, (
        f"textual-serve {version('textual-serve')} has no {owner.__name__}.{name}: "
        "wallboard/web/server.py must be adapted")
    got = [p for p in inspect.signature(member).parameters if p != "self"]
    assert got == params, f"{owner.__name__}.{name} changed its parameters: {got}"


def test_the_attributes_we_read_are_set_by_upstream():
    service = app_service.AppService("true", write_bytes=None, write_str=None, close=None,
                                     download_manager=None)
    assert service._process is None  # read by BoardAppService.process / terminate
    assert isinstance(inspect.getattr_static(app_service.AppService, "stdin"), property)
    board = server.Server("true", public_url="https://board.example.com")
    assert board.public_url == "https://board.example.com"
    assert hasattr(board, "download_manager") and board.debug is False
    assert server.to_int("12", 3) == 12 and server.to_int("x", 3) == 3


def test_the_index_template_still_takes_our_context():
    """The page is rendered from upstream's template with the variables we fill in."""
    template = (inspect.getfile(server).rsplit("/", 1)[0] + "/templates/app_index.html")
    text = open(template, encoding="utf-8").read()
    for variable in ("app_websocket_url", "font_size", "config.static.url", "application.name"):
        assert variable in text, f"app_index.html no longer uses {variable}"


def test_the_pinned_minor_version_is_the_installed_one():
    requirement = declared()["textual-serve"]
    installed = Version(version("textual-serve"))
    assert installed in requirement.specifier
    upper = [s for s in requirement.specifier if s.operator == "<"]
    assert upper and Version(upper[0].version) <= Version(
        f"{installed.major}.{installed.minor + 1}"), "pin textual-serve to the tested minor"
