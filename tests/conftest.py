"""Shared by every test: nothing is written to the real user directories."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_user_dirs(monkeypatch, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The listen audit log (platformdirs user log dir) goes to a temporary directory."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
