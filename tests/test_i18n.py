"""Languages (issue 17): which one is chosen, plural forms, locale formats from Babel,
core sentences said where they are shown, the command line in the chosen language, and the
demo's routing schemes in it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from wallboard.core.listen import ListenMode, ListenSession, ListenState, check_listen
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.text import Sentence
from wallboard.core.view import SortKey, describe_sort
from wallboard.i18n import choose_language, language_of, translator

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


# -- which language ----------------------------------------------------------------------
@pytest.mark.parametrize(("configured", "flag", "environ", "expected"), [
    ("uk", "pl", {"LANG": "en_US.UTF-8"}, "uk"),           # ui.language first
    (None, "pl", {"LC_ALL": "uk_UA.UTF-8"}, "pl"),         # then --lang
    (None, None, {"LC_ALL": "uk_UA.UTF-8", "LANG": "pl_PL.UTF-8"}, "uk"),  # LC_ALL first
    (None, None, {"LC_MESSAGES": "pl_PL.UTF-8", "LANG": "uk_UA"}, "pl"),
    (None, None, {"LANG": "uk_UA.UTF-8"}, "uk"),
    (None, None, {"LC_ALL": "de_DE.UTF-8", "LANG": "pl_PL.UTF-8"}, "en"),  # set, not ours
    (None, None, {"LANG": "C.UTF-8"}, "en"),
    (None, None, {"LC_ALL": "", "LANG": "pl"}, "pl"),     # empty is unset
    (None, None, {}, "en"),
])
def test_the_language_is_chosen_in_the_documented_order(configured, flag, environ, expected):
    assert choose_language(configured, flag, environ) == expected


def test_locale_names_map_to_our_languages():
    assert [language_of(v) for v in ("pl_PL.UTF-8", "uk_UA@euro", "en-GB", "POSIX", "de")] \
        == ["pl", "uk", "en", "en", None]


# -- plural forms ---------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "n", "expected"), [
    ("en", 1, "1 interval"), ("en", 2, "2 intervals"), ("en", 0, "0 intervals"),
    ("pl", 1, "1 interwał"), ("pl", 2, "2 interwały"), ("pl", 5, "5 interwałów"),
    ("pl", 12, "12 interwałów"), ("pl", 22, "22 interwały"), ("pl", 25, "25 interwałów"),
    ("uk", 1, "1 інтервал"), ("uk", 3, "3 інтервали"), ("uk", 5, "5 інтервалів"),
    ("uk", 11, "11 інтервалів"), ("uk", 21, "21 інтервал"), ("uk", 24, "24 інтервали"),
])
def test_counts_take_the_languages_plural_form(language, n, expected):
    assert translator(language).counted(n, "{n} interval", "{n} intervals") == expected


def test_large_counts_are_grouped_by_the_locale():
    assert translator("en").counted(1234, "{n} call", "{n} calls") == "1,234 calls"
    assert translator("pl").counted(1234, "{n} call", "{n} calls") == "1\xa0234 połączenia"
    assert translator("uk").counted(1225, "{n} call", "{n} calls") == "1\xa0225 дзвінків"


# -- locale formats ------------------------------------------------------------------------
def test_dates_weekdays_and_numbers_come_from_the_locale():
    thursday, sunday = date(2026, 11, 26), date(2026, 11, 22)
    assert [translator(lang).day(thursday) for lang in ("en", "pl", "uk")] == \
        ["Thu 26.11", "czw. 26.11", "чт 26.11"]
    assert translator("pl").day(sunday) == "niedz. 22.11"
    assert [translator(lang).day_width for lang in ("en", "pl", "uk")] == [9, 12, 8]
    assert [translator(lang).number(12345) for lang in ("en", "pl", "uk")] == \
        ["12,345", "12\xa0345", "12\xa0345"]
    assert [translator(lang).decimal(4.25) for lang in ("en", "pl")] == ["4.2", "4,2"]
    assert [translator(lang).hours(3 * 3600 + 300) for lang in ("en", "pl", "uk")] == \
        ["3h 05m", "3 h 05 min", "3 год 05 хв"]
    moment = datetime(2026, 11, 26, 9, 5, 7)
    assert translator("uk").day_time(moment, seconds=True) == "чт 26.11 09:05:07"


# -- the core's sentences, said where they are shown -----------------------------------------
def _talking(employee_project: str = "default") -> tuple[Call, dict[str, Employee]]:
    anna = Employee(id="e1", name="Anna Nowak", project=employee_project)
    call = Call(id="c1", type=CallType.INCOMING, status=CallStatus.RINGING, employee_id="e1",
                client_number="+48 500 000 001", created_at=NOW)
    return call, {"e1": anna}


def test_a_refusal_is_english_for_the_audit_and_translated_on_the_board():
    call, employees = _talking()
    refusal = check_listen(call, employees, None, None)
    assert refusal is not None
    assert refusal.message == ("This call is still ringing; only a call in conversation "
                               "can be joined.")
    assert translator("pl").say(refusal.message) == (
        "To połączenie jeszcze dzwoni; dołączyć można tylko do trwającej rozmowy.")


def test_a_sentence_with_arguments_is_filled_after_it_is_translated():
    from wallboard.core.listen import SupervisorAccount

    call, employees = _talking(employee_project="north")
    call = call.model_copy(update={"status": CallStatus.TALKING})
    refusal = check_listen(call, employees, SupervisorAccount(account="PJSIP/1900"), None)
    assert refusal is not None and "project 'default' but Anna Nowak" in refusal.message
    assert translator("uk").say(refusal.message) == (
        "Ваш акаунт PJSIP/1900 належить до проєкту 'default', а Anna Nowak — до 'north'; "
        "приєднуватися можна лише в межах одного проєкту.")
    unavailable = check_listen(call.model_copy(update={"status": CallStatus.TALKING}),
                               {"e1": employees["e1"].model_copy(update={"project": "default"})},
                               SupervisorAccount(account="PJSIP/1900"), None,
                               modes=frozenset({ListenMode.LISTEN}), mode=ListenMode.COACH,
                               source_title="Demo call center")
    assert unavailable is not None
    assert translator("pl").say(unavailable.message) == (
        "Tryb „Podpowiadanie” nie jest dostępny dla źródła Call center (demo).")


def test_a_key_placeholder_survives_translation():
    running = ListenSession(id="s1", call_id="c9", supervisor="PJSIP/1900",
                            state=ListenState.ACTIVE, started_at=NOW)
    call, employees = _talking()
    refusal = check_listen(call, employees, None, running)
    assert refusal is not None
    assert "({key:listen.end})" in translator("pl").say(refusal.message)


def test_sort_descriptions_and_fixed_sentences_from_the_feed_are_translated():
    assert translator("pl").say(describe_sort(SortKey.WAITING, False)) == \
        "sortowanie: czas oczekiwania, od najdłuższego"
    assert translator("uk").say(describe_sort(SortKey.STARTED, True)) == "спершу нові"
    # a session's message arrives as a plain string (through the feed): looked up as such
    assert translator("uk").say("The call ended.") == "Розмова завершилася."
    assert translator("pl").say("Something the PBX said") == "Something the PBX said"
    sentence = Sentence("{n} of {m}", n=1, m=Sentence("Today"))
    assert (str(sentence), translator("pl").say(sentence)) == ("1 of Today", "1 of Dziś")


# -- the demo ------------------------------------------------------------------------------
def test_the_demo_names_its_routing_schemes_in_the_language_and_nothing_else_changes():
    from wallboard.sources.demo import DemoCallCenter

    english = DemoCallCenter(NOW, seed=7, calls=40, run="r")
    polish = DemoCallCenter(NOW, seed=7, calls=40, run="r", language="pl")
    schemes = {(e.routing_scheme, p.routing_scheme)
               for e, p in zip(english.calls.values(), polish.calls.values(), strict=True)}
    assert ("Main line", "Linia główna") in schemes
    assert ("Support queue", "Kolejka wsparcia") in schemes
    assert all((e is None) == (p is None) for e, p in schemes)
    strip = ("routing_scheme",)
    assert [c.model_dump(exclude=set(strip)) for c in english.calls.values()] == \
        [c.model_dump(exclude=set(strip)) for c in polish.calls.values()]
    names = [e.name for e in polish.snapshot().employees]
    assert names == [e.name for e in english.snapshot().employees]  # names stay as they are


# -- the command line ------------------------------------------------------------------------
def _wallboard(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "WALLBOARD_CONFIG")}
    env.update(environ)
    return subprocess.run([sys.executable, "-m", "wallboard", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_command_line_speaks_the_chosen_language(tmp_path):
    assert "plik konfiguracji (TOML)" in _wallboard("--lang", "pl", "--help").stdout
    ukrainian = _wallboard("--help", LANG="uk_UA.UTF-8", HOME=str(tmp_path))
    assert ukrainian.stdout.startswith("використання: wallboard")
    assert "файл конфігурації (TOML)" in ukrainian.stdout
    wrong = _wallboard("--lang", "pl", "--demo-calls", "x")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().endswith("(zobacz wallboard --help).")
    assert "\n" not in wrong.stderr.strip() and "Traceback" not in wrong.stderr


def test_the_configs_language_comes_before_the_flag(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[ui]\nlanguage = "en"\n')
    english = _wallboard("--config", str(config), "--lang", "pl", "--help")
    assert "config file (TOML)" in english.stdout


def test_a_bad_language_in_the_config_is_one_sentence(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[ui]\nlanguage = "de"\n')
    result = _wallboard("--config", str(config), "--demo")
    assert result.returncode == 2
    assert "ui.language" in result.stderr and "Traceback" not in result.stderr


def test_web_tabs_are_started_in_the_servers_language():
    from wallboard.web import app_command

    command = app_command(["--demo", "web", "--port", "8001"], "uk")
    assert command[1:] == ["-m", "wallboard", "--lang", "uk", "--demo"]


@pytest.mark.parametrize("language", ["en", "pl", "uk"])
def test_counter_labels_and_column_titles_fit_in_every_language(language):
    """At 80 columns a counter has 13 cells: its label takes at most 12 (one is the gap to
    the next); every column is at least as wide as its title and its fixed words."""
    from rich.cells import cell_len

    from wallboard.i18n import activate, pgettext
    from wallboard.ui.widgets.columns import COLUMNS, localized
    from wallboard.ui.widgets.counters import COUNTERS

    activate(language)
    try:
        assert max(cell_len(pgettext("counter", label)) for _key, label in COUNTERS) <= 12
        words = translator(language)
        for column in localized(COLUMNS):
            assert column.width >= cell_len(words.gettext(column.title))
            assert all(column.width >= cell_len(words.gettext(w)) for w in column.words)
    finally:
        activate("en")


def test_small_whole_numbers_are_what_babel_says():
    """The fast paths of Translator.number (no Babel under 1,000, nor for whole numbers in
    English) say what Babel says."""
    from babel.numbers import format_decimal

    for language in ("en", "pl", "uk"):
        words = translator(language)
        assert all(words.number(n) == format_decimal(n, locale=language)
                   for n in range(0, 1000, 7))
        assert words.number(1000) == format_decimal(1000, locale=language)
    english = translator("en")
    for n in (1000, 4971, 12345, 999_999, 1_000_000, 123_456_789, -1, -1234, -5_000_000):
        assert english.number(n) == format_decimal(n, locale="en")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0m"), (29, "0m"), (31, "1m"), (12 * 60, "12m"), (3600, "1h 00m"),
     (3 * 3600 + 5 * 60, "3h 05m"), (-60, "0m")],
)
def test_long_totals_round_to_the_minute(seconds, text):
    assert translator("en").hours(seconds) == text
