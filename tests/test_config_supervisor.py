"""The [supervisor] section: documented, defaults that let the demo flow work, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from wallboard.config import ConfigError, SoftphoneConfig, SupervisorConfig, load_config
from wallboard.core.listen import ListenMode, SupervisorAccount
from wallboard.factory import resolve_supervisor

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_documents_every_supervisor_key():
    text = (ROOT / "config.example.toml").read_text()
    config = load_config(ROOT / "config.example.toml")
    assert config.supervisor.softphone.patterns() == {}
    for model in (SupervisorConfig, SoftphoneConfig):
        for key in model.model_fields:
            if key != "softphone":
                assert f"{key} =" in text, f"{key} is not documented"
    for binding in ("board.listen", "listen.mode", "listen.mute", "listen.end"):
        assert f'"{binding}"' in text


def test_the_configured_account_wins_over_the_sources():
    demo = SupervisorAccount(account="PJSIP/1900", project="demo")
    assert resolve_supervisor(SupervisorConfig(), demo) == demo
    assert resolve_supervisor(SupervisorConfig(), None) is None
    mine = SupervisorConfig(account="PJSIP/1100", project="acme")
    assert resolve_supervisor(mine, demo) == SupervisorAccount(account="PJSIP/1100",
                                                               project="acme")


def test_a_placeholder_after_the_end_of_options_or_inside_an_argument_is_accepted():
    assert SoftphoneConfig(command=["gio", "open", "--", "{uri}"]).command[-1] == "{uri}"
    assert SoftphoneConfig(command=["baresip", "-e", "/dial {uri}"]).command[-1] == "/dial {uri}"
    assert SoftphoneConfig(listen="tel:*222{extension}").listen == "tel:*222{extension}"


def test_softphone_modes_need_a_command_and_a_pattern():
    assert SoftphoneConfig(listen="sip:*222{extension}@pbx").patterns() == {}
    phone = SoftphoneConfig(command=["baresip", "-e", "/dial {uri}"],
                            listen="sip:*222{extension}@pbx", barge="sip:*224{extension}@pbx")
    assert set(phone.patterns()) == {ListenMode.LISTEN, ListenMode.BARGE}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[supervisor]\nacount = 'PJSIP/1'", "supervisor.acount: unknown key"),
        ("[supervisor]\ndefault_mode = 'spy'", "supervisor.default_mode: input should be"),
        ("[supervisor.softphone]\ncommand = ['baresip']",
         "supervisor.softphone.command: put {uri} in one of the arguments"),
        ("[supervisor.softphone]\ncommand = ['x', '{url}']",
         "the command has an unknown placeholder {url}"),
        ("[supervisor.softphone]\nlisten = 'sip:*222{ext}@pbx'",
         "supervisor.softphone.listen: the URI has an unknown placeholder {ext}; use "
         "{extension}, {account}, {call_id}"),
        # a bare placeholder lets a dialled value become an option of the program
        ("[supervisor.softphone]\ncommand = ['xdg-open', '{uri}']",
         "supervisor.softphone.command: '{uri}' alone as an argument could let a dialled "
         "value become an option of the program; put it inside an argument "
         "(\"/dial {uri}\") or after \"--\"."),
        ("[supervisor.softphone]\ncommand = ['baresip', '-e', '{uri}', '--', 'x']",
         "supervisor.softphone.command: '{uri}' alone as an argument"),
        ("[supervisor.softphone]\nlisten = '{extension}'",
         "supervisor.softphone.listen: the URI must start with its scheme, such as sip:, "
         "never with a placeholder or a '-' (e.g. sip:*222{extension}@pbx.example.com)."),
        ("[supervisor.softphone]\ncoach = '-e{extension}'",
         "supervisor.softphone.coach: the URI must start with its scheme"),
    ],
)
def test_a_bad_supervisor_section_says_key_and_problem(tmp_path, toml, message):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)


async def test_the_ari_supervisor_endpoint_is_the_boards_default_supervisor():
    from wallboard.config import AriSource
    from wallboard.sources.ari import AriClient

    client = AriClient(AriSource(url="http://127.0.0.1:1", username="u", password="p",
                                 supervisor_endpoint="PJSIP/1100", project="acme"))
    assert client.default_supervisor == SupervisorAccount(account="PJSIP/1100", project="acme")
    plain = AriClient(AriSource(url="http://127.0.0.1:1", username="u", password="p"))
    assert plain.default_supervisor is None
    await client.aclose()
    await plain.aclose()
