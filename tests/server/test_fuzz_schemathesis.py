"""An outside fuzzer finds nothing: schemathesis (every check, the event stream bounded)
against a real `wallboard serve` and its own /openapi.json, with a viewer token and with a
supervisor token."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.procs import free_port, stop, wait_for_port

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent
VIEWER, SUPERVISOR = "viewer-token-0123456789", "supervisor-token-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("fuzz")
    config = folder / "serve.toml"
    config.write_text(
        '[store]\nurl = "off"\n'
        f'[[server.tokens]]\nname = "tv"\nrole = "viewer"\nsecret = "{VIEWER}"\n'
        f'[[server.tokens]]\nname = "sup"\nrole = "supervisor"\nsecret = "{SUPERVISOR}"\n'
        f'[supervisor]\naudit_log = "{folder / "audit.jsonl"}"\n')
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "--config", str(config), "serve", "--source", "demo",
         "--seed", "3", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.mark.parametrize("token", [VIEWER, SUPERVISOR], ids=["viewer", "supervisor"])
def test_schemathesis_finds_nothing(served: str, token: str):
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is part of the test extra"
    result = subprocess.run(
        [st, "--config-file", str(HERE / "schemathesis.toml"), "run",
         f"{served}/openapi.json", "--checks", "all", "-H", f"Authorization: Bearer {token}",
         "--max-examples", "15", "--seed", "7", "--no-color", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=900)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, tail
    assert "passed" in tail and "failure" not in tail
