"""Bad input on the command line or in the config file: one line naming the option or the
file and the problem, exit status 2, never a traceback. The real command, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'

FILES = {
    "keys.toml": '[keys]\n"board.sortt" = "o"\n',
    "tz.toml": '[ui]\ntimezone = "Mars/Phobos"\n',
    "latin1.toml": "[ui]\n# Kraków\n".encode("cp1250"),
    "syntax.toml": "[source\nkind='demo'\n",
    "unknown.toml": "[ui]\ncolour = 'red'\n",
    "type.toml": "[source]\nkind = 'demo'\ncalls = 'many'\n",
    "kind.toml": "[source]\nkind = 'pigeon'\n",
    "nourl.toml": "[source]\nkind = 'feed'\n",
    "badurl.toml": "[source]\nkind = 'feed'\nurl = 'notaurl'\n",
    "webtoken.toml": "[web]\ntoken = 'hunter2'\n",
    "servertoken.toml": "[server]\ntoken = '   '\n",
    "softphone.toml": "[supervisor.softphone]\ncommand = ['xdg-open', '{uri}']\n",
    "good.toml": '[source]\nkind = "demo"\nseed = 7\n[keys]\n"board.sort_next" = "o"\n',
}

# (arguments, environment, exit status, the one line; {d} is the folder of the files)
CASES = [
    # the five that gave a traceback, exit 1, a pydantic dump or an endless retry
    (["--config", "{d}/keys.toml"], {}, 2,
     "wallboard: {d}/keys.toml: keys.board.sortt: unknown key binding id; did you mean "
     "board.sort_next? the ids are listed in config.example.toml and in help (?)."),
    (["--config", "{d}/tz.toml"], {}, 2,
     "wallboard: {d}/tz.toml: ui.timezone: 'Mars/Phobos' is not a known time zone; use an "
     "IANA name such as Europe/Warsaw."),
    (["--demo-calls", "-5"], {}, 2,
     "wallboard: --demo-calls -5: input should be greater than or equal to 0."),
    (["--config", "{d}/latin1.toml"], {}, 2,
     "wallboard: {d}/latin1.toml: not UTF-8 text (byte 0xf3 at offset 11); save the file "
     "as UTF-8."),
    (["--url", "notaurl"], {}, 2,
     "wallboard: --url: notaurl is not a feed address; use http://host:port, e.g. "
     "http://10.0.0.5:8765."),
    # and the ones that already worked
    (["--config", "{d}/syntax.toml"], {}, 2,
     "wallboard: {d}/syntax.toml: not valid TOML: Expected ']' at the end of a table "
     "declaration (at line 1, column 8)."),
    (["--config", "{d}/unknown.toml"], {}, 2,
     "wallboard: {d}/unknown.toml: ui.colour: unknown key."),
    (["--config", "{d}/type.toml"], {}, 2,
     "wallboard: {d}/type.toml: source.calls: input should be a valid integer, unable to "
     "parse string as an integer."),
    (["--config", "{d}/kind.toml"], {}, 2,
     "wallboard: {d}/kind.toml: source.kind: unknown kind; use demo, feed, ari, ami or ringostat."),
    (["--config", "{d}/nourl.toml"], {}, 2,
     "wallboard: {d}/nourl.toml: source.url: missing required key."),
    (["--config", "{d}/missing.toml"], {}, 2, "wallboard: {d}/missing.toml: no such config file."),
    (["--config", "{d}/badurl.toml"], {}, 2,
     "wallboard: {d}/badurl.toml: source.url: notaurl is not a feed address; use "
     "http://host:port, e.g. http://10.0.0.5:8765."),
    (["--url", "http://user:pw@host:abc"], {}, 2,
     "wallboard: --url: http://host:abc has a port that is not a number from 1 to 65535."),
    (["--demo-events", "lots"], {}, 2,
     "wallboard: argument --demo-events: invalid float value: 'lots' (see wallboard --help)."),
    (["--config", "{d}/softphone.toml"], {}, 2,
     "wallboard: {d}/softphone.toml: supervisor.softphone.command: '{{uri}}' alone as an "
     "argument could let a dialled value become an option of the program; put it inside an "
     "argument (\"/dial {{uri}}\") or after \"--\"."),
    # weak tokens, wherever they are set
    (["--config", "{d}/webtoken.toml", "web"], {}, 2,
     "wallboard: {d}/webtoken.toml: web.token: the token is too short (7 characters; at "
     f"least 16); use a long random string, e.g. the output of {MAKE}."),
    (["--config", "{d}/servertoken.toml", "serve"], {}, 2,
     "wallboard: {d}/servertoken.toml: server.token: the token is blank; use a long random "
     f"string, e.g. the output of {MAKE}."),
    (["serve", "--host", "0.0.0.0"], {"WALLBOARD_TOKEN": "0123456789abcde"}, 2,
     "wallboard: $WALLBOARD_TOKEN is too short (15 characters; at least 16); use a long "
     f"random string, e.g. the output of {MAKE}"),
    (["web", "--token", " "], {}, 2,
     f"wallboard web: --token is blank; use a long random string, e.g. the output of {MAKE}"),
    (["web", "--host", "0.0.0.0"], {}, 2,
     "wallboard web: 0.0.0.0 is not a loopback address, so browsers need a token: set "
     "WALLBOARD_WEB_TOKEN (or pass --token) to a long random string, e.g. the output of "
     f"{MAKE}"),
    # the log level, for the board and the servers alike
    (["--demo"], {"WALLBOARD_LOG_LEVEL": "loud"}, 2,
     "wallboard: $WALLBOARD_LOG_LEVEL: 'loud' is not a log level; use one of DEBUG, INFO, "
     "WARNING, ERROR."),
    (["serve"], {"WALLBOARD_LOG_LEVEL": "5"}, 2,
     "wallboard: $WALLBOARD_LOG_LEVEL: '5' is not a log level; use one of DEBUG, INFO, "
     "WARNING, ERROR."),
    # config check: the same line, or one line that it is fine
    (["config", "check", "{d}/tz.toml"], {}, 2,
     "wallboard: {d}/tz.toml: ui.timezone: 'Mars/Phobos' is not a known time zone; use an "
     "IANA name such as Europe/Warsaw."),
    (["config", "check", "{d}/keys.toml"], {}, 2,
     "wallboard: {d}/keys.toml: keys.board.sortt: unknown key binding id; did you mean "
     "board.sort_next? the ids are listed in config.example.toml and in help (?)."),
    (["config", "check", "{d}/good.toml"], {}, 0,
     "{d}/good.toml: valid; source: the built-in demo, 1 key remapped."),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("configs")
    for name, content in FILES.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    home = tmp_path_factory.mktemp("home")
    base = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    base.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONPATH=str(ROOT))

    def run(case):  # type: ignore[no-untyped-def]
        argv, env, _, _ = case
        args = [a.format(d=folder) for a in argv]
        return subprocess.run([sys.executable, "-m", "wallboard", *args], cwd=home,
                              env={**base, **env}, capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(run, CASES))
    return folder, done


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[" ".join(c[0]).replace("{d}/", "") for c in CASES])
def test_one_line_and_the_status(results, index):
    folder, done = results
    result = done[index]
    _, _, status, line = CASES[index]
    expected = line.format(d=folder)
    output = result.stderr if status else result.stdout
    assert "Traceback" not in result.stderr
    assert output == expected + "\n", output
    assert result.returncode == status
    assert (result.stdout if status else result.stderr) == ""
