from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wallboard.cli import build_parser, config_from_args, main
from wallboard.config import (
    Config,
    ConfigError,
    DemoSource,
    FeedSource,
    load_config,
    parse_config,
    resolve_config_path,
)

ROOT = Path(__file__).resolve().parents[1]


def test_no_config_at_all_runs_the_demo():
    assert isinstance(load_config(None).source, DemoSource)


def test_the_example_config_is_valid_and_documents_every_key():
    example = ROOT / "config.example.toml"
    config = load_config(example)
    assert isinstance(config, Config)
    text = example.read_text()
    from wallboard.config import (
        AmiAriListen,
        AmiSource,
        AriSource,
        BusConfig,
        RingostatSource,
        RingostatWebhookEvents,
        RingostatWebhookParams,
        ServerConfig,
        SoftphoneConfig,
        StoreConfig,
        SupervisorAccountConfig,
        SupervisorConfig,
        Thresholds,
        TokenConfig,
        WebConfig,
    )
    from wallboard.config_queues import (
        AlertConfig,
        NotificationsConfig,
        QueueConfig,
        QueuesConfig,
    )

    models = {"ui": config.ui, "source": DemoSource(), "feed": FeedSource,
              "ari": AriSource, "ami": AmiSource, "ami.ari": AmiAriListen,
              "server": ServerConfig, "thresholds": Thresholds,
              "supervisor": SupervisorConfig, "softphone": SoftphoneConfig, "web": WebConfig,
              "server.tokens": TokenConfig, "server.supervisors": SupervisorAccountConfig,
              "store": StoreConfig, "bus": BusConfig,
              "ringostat": RingostatSource, "webhook_params": RingostatWebhookParams,
              "webhook_events": RingostatWebhookEvents, "queues": QueuesConfig,
              "queues.queue": QueueConfig, "alerts": AlertConfig,
              "notifications": NotificationsConfig}
    for section, model in models.items():
        for key in (model if isinstance(model, type) else type(model)).model_fields:
            documented = f"{key} =" in text or f".{key}]" in text
            assert documented, f"[{section}] {key} is not documented"
    assert [rule.metric.value for rule in config.alerts] == [
        "longest_wait", "service_level", "waiting_no_agent", "pause"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[source\nkind='demo'", "not valid TOML"),
        ("[ui]\nwait_warning_seconds = 'soon'", "ui.wait_warning_seconds: input should be"),
        ("[ui]\ncolour = 'red'", "ui.colour: unknown key"),
        ("[source]\nkind = 'pigeon'",
         "source.kind: unknown kind; use demo, feed, ari, ami or ringostat"),
        ("[source]\nkind = 'ringostat'", "source.project_id: missing required key"),
        ("[source]\nkind = 'ringostat'\nproject_id = 1\nwebhook_secret = 'short'",
         "source.webhook_secret: use 16 to 128 letters, digits, - or _"),
        ("[source]\nkind = 'ringostat'\nproject_id = 1\ntimezone = 'Mars/Olympus'",
         "source.timezone: unknown time zone 'Mars/Olympus'"),
        ("[source]\nkind = 'ringostat'\nproject_id = 1\nstatus_poll_seconds = 0.1",
         "source.status_poll_seconds: input should be greater than or equal to 1"),
        ("[source]\nkind = 'ringostat'\nproject_id = 1\n[source.webhook_params]\nevnt = 'x'",
         "source.webhook_params.evnt: unknown key"),
        ("[source]\nkind = 'feed'", "source.url: missing required key"),
    ],
)
def test_a_bad_config_says_file_key_and_problem(tmp_path, toml, message):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_a_missing_named_config_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml", required=True)


def test_config_path_resolution(tmp_path):
    assert resolve_config_path("x.toml", {}) == (Path("x.toml"), True)
    assert resolve_config_path(None, {"WALLBOARD_CONFIG": "/e.toml"}) == (Path("/e.toml"), True)


def test_command_line_overrides(tmp_path):
    feed = tmp_path / "feed.toml"
    feed.write_text("[source]\nkind = 'feed'\nurl = 'http://10.0.0.1:8765'\n")
    args = build_parser().parse_args(["--config", str(feed), "--demo", "--demo-calls", "1000",
                                      "--demo-events", "20", "--seed", "7"])
    config = config_from_args(args)
    assert config.source == DemoSource(calls=1000, events_per_second=20, seed=7)
    args = build_parser().parse_args(["--config", str(feed), "--url", "http://h:1"])
    source = config_from_args(args).source
    assert isinstance(source, FeedSource) and source.url == "http://h:1"
    assert config_from_args(build_parser().parse_args(["--kiosk"])).ui.kiosk


def test_secrets_are_not_shown_in_the_parsed_config():
    config = parse_config({"source": {"kind": "feed", "url": "http://h", "token": "s3cret"}})
    assert "s3cret" not in repr(config) and "s3cret" not in str(config.source)


def test_main_prints_one_line_and_exits_nonzero_on_a_bad_config(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[ui]\nbogus = 1\n")
    assert main(["--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"wallboard: {path}: ui.bogus: unknown key."


def test_the_installed_command_reports_a_bad_config_without_a_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[source]\nkind = 'demo'\ncalls = 'many'\n")
    result = subprocess.run([sys.executable, "-m", "wallboard", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "source.calls" in result.stderr
