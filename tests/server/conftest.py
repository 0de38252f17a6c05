from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.support import ScriptedSource, running
from wallboard.server.app import create_server_app


@pytest.fixture
def scripted() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def feed(scripted: ScriptedSource) -> Iterator[str]:
    """A real feed server of the scripted source, on a loopback port."""
    app = create_server_app(scripted, heartbeat_seconds=0.3)
    with running(app) as url:
        yield url
