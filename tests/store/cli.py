"""Running the real ``wallboard`` command in a subprocess, for the store commands' tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wallboard(*args: str, config: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``wallboard [--config FILE] ARGS…``: its exit status, stdout and stderr."""
    command = [sys.executable, "-m", "wallboard"]
    if config is not None:
        command += ["--config", str(config)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env=environment)
