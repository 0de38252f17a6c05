"""The translation catalogs (issue 17): the template holds every string of the code, each
language holds every string of the template, translated, with the msgid's placeholders,
and the compiled .mo says exactly what its .po says."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from wallboard.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = ["pl", "uk"]
PLACEHOLDER = re.compile(r"\{[\w:.]*\}|\[/?[a-z]*\]")
"""``{name}``, ``{key:listen.end}``, and the markup ``[b]`` ``[/b]`` ``[dim]`` ``[/]``."""


def template() -> Catalog:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as f:
        return read_po(f)


def po(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=language)


def key(message: Message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def ids(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {key(m) for m in catalog if m.id}


def test_the_template_holds_every_string_of_the_code(tmp_path):
    """Extracted now (scripts/i18n.sh extract), the code's strings are the template's: a
    string added or changed without `bash scripts/i18n.sh` fails here."""
    fresh = tmp_path / "fresh.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(["bash", "scripts/i18n.sh", "extract"], cwd=ROOT, check=True,
                   capture_output=True, timeout=120,
                   env={**os.environ, "POT": str(fresh), "PYBABEL": str(pybabel)})
    with fresh.open("rb") as f:
        extracted = ids(read_po(f))
    committed = ids(template())
    assert sorted(extracted - committed) == [], "strings missing from wallboard.pot"
    assert sorted(committed - extracted) == [], "strings in wallboard.pot no longer in the code"
    assert len(extracted) > 300


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_holds_the_template_and_nothing_else(language):
    assert sorted(ids(template()) - ids(po(language))) == []
    assert sorted(ids(po(language)) - ids(template())) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    catalog = po(language)
    untranslated = [m.id for m in catalog if m.id and (
        "fuzzy" in m.flags or not all(m.string if isinstance(m.string, tuple)
                                      else [m.string]))]
    assert untranslated == []
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == catalog.num_plurals == 3 for m in plurals)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_msgid(language):
    """The same ``{fields}``, key placeholders and markup, in every plural form."""
    wrong = []
    for m in po(language):
        if not m.id:
            continue
        ids_ = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = sorted(PLACEHOLDER.findall(ids_[-1]))
        for form in strings:
            if sorted(PLACEHOLDER.findall(form)) != expected:
                wrong.append((ids_[0], form))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_says_what_the_po_says(language):
    """The .mo shipped in the package is the .po compiled: same messages, same words."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    catalog = po(language)
    differ = []
    for m in catalog:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            for n, form in ((1, 0), (2, 1), (5, 2)):
                if mo.ngettext(m.id[0], m.id[1], n) != m.string[form]:
                    differ.append(m.id)
        elif m.context:
            if mo.pgettext(m.context, m.id) != m.string:
                differ.append(m.id)
        elif mo.gettext(m.id) != m.string:
            differ.append(m.id)
    assert differ == []
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as f:
        compiled = read_mo(f)
    assert ids(compiled) == ids(catalog), "the .mo and the .po hold different messages"
