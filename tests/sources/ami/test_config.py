"""[source] kind = "ami": parsing, the shared endpoint map, secrets, the factory."""

from __future__ import annotations

import tomllib

import pytest

from wallboard.config import AmiSource, ConfigError, parse_config
from wallboard.core.clock import SystemClock
from wallboard.sources.ami import AmiClient
from wallboard.sources.endpoints import load_employees
from wallboard.sources.factory import make_source

CONFIG = """
[source]
kind = "ami"
host = "pbx.example.com"
username = "wallboard-tv"
secret = "pw-123"
employees_csv = "{csv}"
wrapup_seconds = {{ support = 15 }}

[source.ari]
url = "http://pbx.example.com:8088"
username = "wallboard"
password = "ari-pw"
app = "wallboard-tv1"

[[source.employees]]
id = "anna"
name = "Anna Nowak"
endpoints = ["PJSIP/1001"]
"""


def test_an_ami_config_with_ari_for_listening(tmp_path):
    csv = tmp_path / "staff.csv"
    csv.write_text("id,name,department,endpoint\nanna,Anna Nowak,Sales,PJSIP/1011\n"
                   "piotr,Piotr Wójcik,Support,PJSIP/1002\n", encoding="utf-8")
    config = parse_config(tomllib.loads(CONFIG.format(csv=csv)))
    source = config.source
    assert isinstance(source, AmiSource)
    assert (source.port, source.tls, source.ping_seconds) == (5038, False, 5.0)
    assert source.wrapup_seconds == {"support": 15}
    assert source.ari is not None and source.ari.app == "wallboard-tv1"
    employees = {e.id: e for e in load_employees(source)}
    assert employees["anna"].endpoints == ["PJSIP/1001", "PJSIP/1011"]
    assert employees["anna"].department == "Sales" and employees["piotr"].name == "Piotr Wójcik"
    for secret in ("pw-123", "ari-pw"):
        assert secret not in repr(config) and secret not in str(source)
    client = make_source(config, SystemClock())
    assert isinstance(client, AmiClient) and client.title == "Asterisk AMI pbx.example.com"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"kind": "ami"}, "source.host: missing required key"),
        ({"kind": "ami", "host": "x", "username": "u", "port": 70000},
         "source.port: input should be less than or equal to 65535"),
        ({"kind": "ami", "host": "x", "username": "u", "ari": {"url": "http://x", "pin": 1}},
         "source.ari.pin: unknown key"),
        ({"kind": "pigeon"}, "source.kind: unknown kind; use demo, feed, ari, ami or ringostat"),
    ],
)
def test_bad_ami_configs_are_one_sentence(source, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({"source": source})
