from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from wallboard.config import ConfigError, parse_config

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "ari.example.toml"


def test_the_documented_example_is_valid() -> None:
    config = parse_config(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert config.source.kind == "ari"
    assert [e.id for e in config.source.employees] == ["anna", "piotr"]


def test_app_name_is_unique_per_run() -> None:
    config = parse_config({"source": {"kind": "ari", "url": "http://pbx:8088"}})
    assert config.source.app.startswith("wallboard-") and config.source.app.endswith(
        f"-{os.getpid()}"
    )
    assert config.source.verify_tls is True


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="source.employees.0.phone: unknown key"):
        parse_config({"source": {"kind": "ari", "url": "http://x",
                                 "employees": [{"id": "a", "phone": "1"}]}})


def test_the_password_is_never_printed() -> None:
    config = parse_config({"source": {"kind": "ari", "url": "http://x", "password": "pw123"}})
    assert "pw123" not in repr(config) and "pw123" not in str(config.source)
