"""``wallboard config path`` and ``wallboard config check``: where the config is looked for,
which file is used, and a misplaced one named instead of silently running the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wallboard.config_commands import check_file, path_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def home(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("WALLBOARD_CONFIG", raising=False)
    return home


def test_no_config_anywhere_says_the_demo_runs(home):
    report = path_report(None, environ={}, cwd=home)
    assert report.splitlines() == [
        "wallboard looks for its config file in this order; the first one given is used:",
        "  1. --config PATH        not given",
        "  2. $WALLBOARD_CONFIG    not set",
        f"  3. {home}/.config/wallboard/config.toml  (not found)",
        "Used: none, so the board runs the built-in demo call center.",
    ]


def test_a_misplaced_config_is_named_with_where_it_belongs(home):
    (home / "config.toml").write_text("[ui]\n")  # in the current folder: not read
    (home / ".config" / "wallboard.toml").write_text("[ui]\n")  # beside the folder
    report = path_report(None, environ={}, cwd=home)
    assert report.splitlines()[-2:] == [
        "Used: none, so the board runs the built-in demo call center.",
        f"Not read (wrong place or name): {home}/config.toml, {home}/.config/wallboard.toml; "
        f"move it to {home}/.config/wallboard/config.toml or pass --config.",
    ]


def test_the_file_used_is_named_whichever_way_it_was_found(home, tmp_path):
    default = home / ".config" / "wallboard" / "config.toml"
    default.parent.mkdir()
    default.write_text("[ui]\n")
    assert path_report(None, environ={}, cwd=home).splitlines()[3:] == [
        f"  3. {default}  (exists)", f"Used: {default}"]
    other = tmp_path / "other.toml"
    report = path_report(None, environ={"WALLBOARD_CONFIG": str(other)}, cwd=home)
    assert f"  2. $WALLBOARD_CONFIG    {other}  (not found)" in report.splitlines()
    assert report.splitlines()[-1] == (
        f"Used: {other}  (missing: the board will refuse to start)")
    report = path_report(str(default), environ={"WALLBOARD_CONFIG": str(other)}, cwd=home)
    assert report.splitlines()[-1] == f"Used: {default}"


def test_config_check(home, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[source]\nkind = 'feed'\nurl = 'http://anna:pw@10.0.0.5:8765'\n")
    assert check_file(str(good), None) == (
        0, f"{good}: valid; source: the feed at http://10.0.0.5:8765.")
    assert check_file(str(tmp_path / "none.toml"), None) == (
        2, f"wallboard: {tmp_path / 'none.toml'}: no such config file.")
    assert check_file(None, None) == (0, (
        f"No config file is used (none at {home}/.config/wallboard/config.toml); the board "
        "runs the built-in demo."))


def test_the_command_itself(home):
    default = home / ".config" / "wallboard" / "config.toml"
    default.parent.mkdir()
    default.write_text("[source]\nkind = 'demo'\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    path = subprocess.run([sys.executable, "-m", "wallboard", "config", "path"], cwd=home,
                          env=env, capture_output=True, text=True, timeout=60)
    assert (path.returncode, path.stderr) == (0, "")
    assert path.stdout.splitlines()[-1] == f"Used: {default}"
    check = subprocess.run([sys.executable, "-m", "wallboard", "config", "check"], cwd=home,
                           env=env, capture_output=True, text=True, timeout=60)
    assert (check.returncode, check.stdout, check.stderr) == (
        0, f"{default}: valid; source: the built-in demo.\n", "")
