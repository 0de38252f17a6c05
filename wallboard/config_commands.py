"""``wallboard config path`` and ``wallboard config check [FILE]``; the checks every command
runs on a loaded config beyond its schema (key binding ids need the UI's list).

``config path`` says where the config file is looked for, in order, and which one is
used: a file in the wrong place otherwise silently runs the demo. It also names config
files found in the usual wrong places. ``config check`` validates a file the way the board
would load it: one line and exit 0, or the one-line problem and exit 2.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from wallboard.checks import without_userinfo
from wallboard.config import (
    AriSource,
    Config,
    ConfigError,
    FeedSource,
    default_config_path,
    load_config,
    resolve_config_path,
)

ENV = "WALLBOARD_CONFIG"


def check_keys(keys: Mapping[str, str], origin: str) -> None:
    """Every ``[keys]`` id must name a binding; ConfigError (one line) otherwise."""
    if not keys:
        return
    from wallboard.ui.keys import binding_ids  # the UI knows its bindings

    known = binding_ids()
    unknown = sorted(set(keys) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ConfigError(f"{origin}: keys.{unknown[0]}: unknown key binding id; {hint}"
                          "the ids are listed in config.example.toml and in help (?).")


def misplaced(used: Path | None, cwd: Path | None = None) -> list[Path]:
    """Config-looking files in places wallboard does not read, when it reads none of them."""
    cwd = Path.cwd() if cwd is None else cwd
    home = Path.home()
    where = default_config_path().parent
    candidates = [cwd / "config.toml", cwd / "wallboard.toml", where.parent / "wallboard.toml",
                  home / ".wallboard.toml", home / ".config" / "wallboard" / "config.toml"]
    if where.is_dir():
        candidates += sorted(p for p in where.glob("*.toml") if p.name != "config.toml")
    found: list[Path] = []
    for path in candidates:
        if path.is_file() and path != used and path not in found and path != default_config_path():
            found.append(path)
    return found


def path_report(cli_path: str | None, environ: Mapping[str, str] | None = None,
                cwd: Path | None = None) -> str:
    """The text of ``wallboard config path``."""
    environ = os.environ if environ is None else environ
    default = default_config_path()
    used, _ = resolve_config_path(cli_path, environ)
    env_value = environ.get(ENV) or None
    lines = ["wallboard looks for its config file in this order; the first one given is used:"]
    lines.append(f"  1. --config PATH        {_state(cli_path and Path(cli_path), 'not given')}")
    lines.append(f"  2. ${ENV}    {_state(env_value and Path(env_value), 'not set')}")
    exists = "exists" if default.is_file() else "not found"
    lines.append(f"  3. {default}  ({exists})")
    if used is None:
        lines.append("Used: none, so the board runs the built-in demo call center.")
    else:
        state = "" if used.is_file() else "  (missing: the board will refuse to start)"
        lines.append(f"Used: {used}{state}")
    stray = misplaced(used, cwd)
    if stray:
        lines.append("Not read (wrong place or name): " + ", ".join(str(p) for p in stray)
                     + f"; move it to {default} or pass --config.")
    return "\n".join(lines)


def _state(path: Path | str | None, absent: str) -> str:
    if not path:
        return absent
    path = Path(path)
    return f"{path}  ({'exists' if path.is_file() else 'not found'})"


def check_file(file: str | None, cli_path: str | None) -> tuple[int, str]:
    """``wallboard config check``: (exit status, the one line to print)."""
    path, required = (Path(file), True) if file else resolve_config_path(cli_path)
    if path is None:
        return 0, (f"No config file is used (none at {default_config_path()}); the board "
                   "runs the built-in demo.")
    try:
        config = load_config(path, required)
        check_keys(config.keys, str(path))
    except ConfigError as exc:
        return 2, f"wallboard: {exc}"
    return 0, f"{path}: valid; {summary(config)}."


def summary(config: Config) -> str:
    source = config.source
    if isinstance(source, FeedSource):
        what = f"the feed at {without_userinfo(source.url)}"
    elif isinstance(source, AriSource):
        what = f"Asterisk ARI at {without_userinfo(source.url)}"
    else:
        what = "the built-in demo"
    keys = len(config.keys)
    remapped = f", {keys} key{'s' if keys != 1 else ''} remapped" if keys else ""
    return f"source: {what}{remapped}"


def config_main(command: str, file: str | None, cli_path: str | None) -> int:
    if command == "path":
        print(path_report(cli_path))
        return 0
    status, line = check_file(file, cli_path)
    print(line, file=sys.stderr if status else sys.stdout)
    return status
